// What the user is told about the table of models, sqlinfer_models, through the real binary: a stored
// model that cannot be loaded is named on stderr (the database still opens, the other models work); a
// table of that name that is not sqlinfer's is named with the columns expected, and plain SQL still runs;
// DROP TABLE sqlinfer_models is told at the next model statement, with the models it took.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEngine } from '../engine/engine.js';
import { createUdfs } from '../udfs/index.js';
import { runCli, tempDir } from './helpers/cli.js';
import { linear, linearModel } from './helpers/onnx-model-fixtures.js';

async function databaseWithTwoModels(): Promise<{ dir: string; db: string }> {
  const dir = tempDir('sqlinfer-catalog-problems-');
  await writeFile(join(dir, 'a.onnx'), linearModel());
  await writeFile(join(dir, 'b.onnx'), linearModel());
  const db = join(dir, 'models.duckdb');
  const created = await runCli([db, '-c', `CREATE MODEL a FROM 'a.onnx'; CREATE MODEL b FROM 'b.onnx'`]);
  assert.equal(created.code, 0, created.stderr);
  return { dir, db };
}

const bOutput = `b\n"[${linear([1, 2, 3]).join(', ')}]"\n`;

test('a stored model whose file was deleted is reported at open; the others work, and DROP MODEL removes it', async () => {
  const { dir, db } = await databaseWithTwoModels();
  await rm(join(dir, 'a.onnx'));
  const run = await runCli([db, '--format', 'csv', '--model-threads', '1', '-c', 'SELECT b([1, 2, 3]) AS b FROM range(1)']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, bOutput);
  assert.equal(
    run.stderr,
    `model a cannot be loaded: cannot read the model file '${join(dir, 'a.onnx')}': no such file; its calls fail until the file is back (DROP MODEL a removes it)\n`,
  );
  const dropped = await runCli([db, '-c', 'DROP MODEL a']);
  assert.equal(dropped.code, 0, dropped.stderr);
  const after = await runCli([db, '--format', 'csv', '-c', 'SELECT name FROM sqlinfer_models']);
  assert.equal(after.stderr, '');
  assert.equal(after.stdout, 'name\nb\n');
});

test('a stored model whose row is broken is reported at open and can be dropped', async () => {
  const { db } = await databaseWithTwoModels();
  const broken = await runCli([db, '-c', `UPDATE sqlinfer_models SET spec = '{not json' WHERE name = 'a'`]);
  assert.equal(broken.code, 0, broken.stderr);
  const replace = await runCli([db, '-c', `CREATE MODEL a FROM 'a.onnx'`]);
  assert.equal(replace.code, 1);
  assert.match(replace.stderr, /a model named a is stored but cannot be loaded \(.*JSON.*\): use CREATE OR REPLACE MODEL, or DROP MODEL a first/);
  const run = await runCli([db, '--format', 'csv', '--model-threads', '1', '-c', 'SELECT b([1, 2, 3]) AS b FROM range(1)', '-c', 'DROP MODEL a']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, bOutput);
  assert.match(run.stderr, /^model a cannot be loaded and is not registered: .*JSON.* \(CREATE OR REPLACE MODEL a re-creates it, DROP MODEL a removes it\)\n$/);
  const after = await runCli([db, '--format', 'csv', '-c', 'SELECT name FROM sqlinfer_models']);
  assert.equal(after.stderr, '');
  assert.equal(after.stdout, 'name\nb\n');
});

test("a table named sqlinfer_models that is not sqlinfer's: the database opens, plain SQL runs, CREATE MODEL says why it cannot", async () => {
  const dir = tempDir('sqlinfer-catalog-foreign-');
  await writeFile(join(dir, 'a.onnx'), linearModel());
  const db = join(dir, 'mine.duckdb');
  const made = await runCli([db, '-c', 'CREATE TABLE sqlinfer_models (id INTEGER, note VARCHAR); INSERT INTO sqlinfer_models VALUES (1, $$mine$$)']);
  assert.equal(made.code, 0, made.stderr);
  const expected =
    "the table sqlinfer_models in this database is not sqlinfer's table of models: it has the columns (id INTEGER, note VARCHAR), " +
    'where sqlinfer keeps models in (name VARCHAR, path VARCHAR, format VARCHAR, options VARCHAR, spec VARCHAR, created_at TIMESTAMP)';

  const plain = await runCli([db, '--format', 'csv', '-c', 'SELECT note FROM sqlinfer_models']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, 'note\nmine\n');
  assert.equal(plain.stderr, `${expected}: no model of this database is loaded\n`);

  const create = await runCli([db, '-c', `CREATE MODEL a FROM 'a.onnx'`]);
  assert.equal(create.code, 1);
  assert.ok(create.stderr.includes(`Plan error at 1:14: ${expected}: rename or drop that table to keep models in this database`), create.stderr);

  const untouched = await runCli([db, '--format', 'csv', '-c', 'SELECT * FROM sqlinfer_models']);
  assert.equal(untouched.stdout, 'id,note\n1,mine\n');
});

test('DROP TABLE sqlinfer_models is told at the next model statement, naming the models it took', async () => {
  const { dir, db } = await databaseWithTwoModels();
  const run = await runCli([db, '--format', 'csv', '-c', 'DROP TABLE sqlinfer_models', '-c', 'SHOW MODELS']);
  assert.equal(run.code, 1);
  assert.ok(
    run.stderr.includes(
      `the table sqlinfer_models, where this database keeps its models, was dropped, and with it the models a ('${join(dir, 'a.onnx')}'), ` +
        `b ('${join(dir, 'b.onnx')}'): they are unregistered now (CREATE MODEL them again to keep them; DROP MODEL removes one model)`,
    ),
    run.stderr,
  );
  // The next session has what the database has: no a, no b, and nothing to tell.
  const next = await runCli([db, '--format', 'csv', '-c', 'SHOW MODELS']);
  assert.equal(next.stderr, '');
  assert.doesNotMatch(next.stdout, /^(a|b),/m);
  const again = await runCli([db, '--format', 'csv', '-c', `CREATE MODEL a FROM 'a.onnx'`, '-c', 'SELECT name FROM sqlinfer_models']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, 'name\na\n');
});

test('after DROP TABLE sqlinfer_models, the session is told once, then has no models, as the next one will', async () => {
  const { db } = await databaseWithTwoModels();
  const engine = await createEngine({ database: db, udfs: createUdfs({ threads: 1 }) });
  try {
    await engine.run('DROP TABLE sqlinfer_models');
    await assert.rejects(engine.run('SHOW MODELS'), { code: 'model-table-dropped' });
    const shown = (await engine.run('SHOW MODELS'))[0]!.rows.map((r) => r[0]);
    assert.ok(!shown.includes('a') && !shown.includes('b'), String(shown));
    await assert.rejects(engine.run('SELECT a([1, 2, 3]) FROM range(1)'));
  } finally {
    await engine.close();
  }
});
