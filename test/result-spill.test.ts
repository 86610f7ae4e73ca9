// Model results that outgrow memory are written out to DuckDB's temp_directory as they come, in parts of
// about 8 MB, and read from there by the output stage; the parts are removed when the statement ends.
// Here a model maps 8 floats to 1000 (4 kB a row), so 12,000 rows give 48 MB of results.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { attr } from '../udfs/onnx/onnx-attribute.js';
import { OnnxGraphBuilder } from '../udfs/onnx/onnx-graph-builder.js';
import { runCli, tempDir } from './helpers/cli.js';

const dir = tempDir('sqlinfer-spill-');
const ROWS = 12_000;
const WIDTH = 1000;

function wideModel(): Uint8Array {
  const g = new OnnxGraphBuilder('wide');
  g.input('x', 'float32', ['N', 8]);
  g.addInitializer('w', [8, WIDTH], Float32Array.from({ length: 8 * WIDTH }, (_, i) => ((i % 13) - 6) / 7));
  g.addNode({ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] });
  g.output('y', 'float32', ['N', WIDTH]);
  return g.toBytes();
}

/** [N, 1000] -> [N, 1], the sum of each row: a second level over the first one's results. */
function sumModel(): Uint8Array {
  const g = new OnnxGraphBuilder('total');
  g.input('y', 'float32', ['N', WIDTH]);
  g.addInitializer('axes', [1], new BigInt64Array([1n]));
  g.addNode({ op: 'ReduceSum', inputs: ['y', 'axes'], outputs: ['s'], attributes: { keepdims: attr.int(1) } });
  g.output('s', 'float32', ['N', 1]);
  return g.toBytes();
}

const models = `CREATE MODEL wide FROM 'wide.onnx'; CREATE MODEL total FROM 'total.onnx';`;

async function sql(script: string) {
  const run = await runCli(['-c', script], { cwd: dir, timeoutMs: 120_000 });
  return { ...run, ok: run.code === 0 };
}

/** Rows of `a` and `b` that differ in id or result, and each file's row count. */
async function compare(a: string, b: string): Promise<string> {
  const run = await sql(
    `SELECT (SELECT count(*) FROM '${a}') AS a, (SELECT count(*) FROM '${b}') AS b, ` +
      `(SELECT count(*) FROM '${a}' x POSITIONAL JOIN '${b}' y WHERE x.id IS DISTINCT FROM y.id OR x.y IS DISTINCT FROM y.y) AS differ`,
  );
  assert.ok(run.ok, run.stderr);
  return run.stdout;
}

before(async () => {
  writeFileSync(join(dir, 'wide.onnx'), wideModel());
  writeFileSync(join(dir, 'total.onnx'), sumModel());
  const made = await sql(
    `COPY (SELECT i AS id, list_transform(range(8), k -> ((i * 7 + k) % 101)::FLOAT) AS x FROM range(${ROWS}) t(i)) TO 'in.parquet'`,
  );
  assert.ok(made.ok, made.stderr);
});

test('wide results go to temp_directory in parts, give the same rows as in memory, and are removed after', { timeout: 300_000 }, async () => {
  const spill = join(dir, 'spill');
  const statement = (out: string) => `COPY (SELECT id, wide(x) AS y FROM 'in.parquet') TO '${out}'`;
  const spilled = await sql(`${models} SET temp_directory = '${spill}'; EXPLAIN ANALYZE ${statement('spilled.parquet')}`);
  assert.ok(spilled.ok, spilled.stderr);
  const parts = /written to temp_directory as they came: (\d+) parts, ([\d.]+) MB/.exec(spilled.stdout);
  assert.ok(parts !== null, spilled.stdout);
  assert.ok(Number(parts[1]) >= 5, `${parts[1]} parts`);
  // Every full part is written; the last, partial one stays in memory.
  const written = Number(parts[2]);
  assert.ok(written > 35 && written <= (ROWS * (WIDTH * 4 + 8)) / 1e6, `${parts[2]} MB`);
  // The folder was made for the statement, so it goes with it.
  assert.equal(existsSync(spill), false);

  const inMemory = await sql(`${models} SET temp_directory = ''; EXPLAIN ANALYZE ${statement('memory.parquet')}`);
  assert.ok(inMemory.ok, inMemory.stderr);
  assert.doesNotMatch(inMemory.stdout, /written to temp_directory/);
  assert.match(await compare('spilled.parquet', 'memory.parquet'), new RegExp(`│\\s+${ROWS}\\s+│\\s+${ROWS}\\s+│\\s+0\\s+│`));
});

test('a second level reads the first one from its parts; a SELECT streams them; so does a transaction', { timeout: 300_000 }, async () => {
  const nested = await sql(`${models} SET temp_directory = 'spill2'; SELECT count(*) AS n, sum(total(wide(x))) AS s FROM 'in.parquet'`);
  assert.ok(nested.ok, nested.stderr);
  const direct = await sql(`${models} SELECT count(*) AS n, sum(list_sum(wide(x))) AS s FROM 'in.parquet'`);
  assert.ok(direct.ok, direct.stderr);
  const figures = (out: string) => /│\s+(\d+)\s+│\s+([-\d.e+]+)\s+│/.exec(out)?.slice(1).map(Number);
  const [n1, s1] = figures(nested.stdout) ?? [];
  const [n2, s2] = figures(direct.stdout) ?? [];
  assert.equal(n1, ROWS);
  assert.equal(n2, ROWS);
  assert.ok(Math.abs(s1! - s2!) <= Math.abs(s2!) * 1e-5, `${s1} against ${s2}`);
  assert.equal(existsSync(join(dir, 'spill2')), false);

  const inTransaction = await sql(
    `${models} BEGIN; EXPLAIN ANALYZE COPY (SELECT id, wide(x) AS y FROM 'in.parquet') TO 'tx.parquet'; COMMIT; ` +
      `SELECT count(*) AS n, sum(list_sum(y)) AS s FROM 'tx.parquet'`,
  );
  assert.ok(inTransaction.ok, inTransaction.stderr);
  assert.match(inTransaction.stdout, /written to temp_directory as they came: \d+ parts/);
  const [n3, s3] = figures(inTransaction.stdout.slice(inTransaction.stdout.indexOf('total'))) ?? [];
  assert.equal(n3, ROWS);
  assert.ok(Math.abs(s3! - s2!) <= Math.abs(s2!) * 1e-5, `${s3} against ${s2}`);
});

test('a temp_directory that cannot be written is a clear error, and no output appears', { timeout: 120_000 }, async () => {
  writeFileSync(join(dir, 'a-file'), 'not a folder');
  const run = await sql(`${models} SET temp_directory = 'a-file/sub'; COPY (SELECT id, wide(x) AS y FROM 'in.parquet') TO 'never.parquet'`);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /model results outgrew memory and cannot be written to temp_directory 'a-file\/sub'.*SET temp_directory to a writable folder/);
  assert.equal(existsSync(join(dir, 'never.parquet')), false);
});

test("a user's temp_directory is kept; only result folders of exited sqlinfer processes are cleaned", { timeout: 120_000 }, async () => {
  const temp = join(dir, 'kept');
  // A pid that surely does not run: a process that has exited.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const stale = join(temp, `sqlinfer-${hostname()}-${dead}-abc123`);
  const strange = join(temp, `sqlinfer-${hostname()}-${dead}-def456`);
  const running = join(temp, `sqlinfer-${hostname()}-${process.pid}-ghi789`);
  for (const folder of [stale, strange, running]) mkdirSync(folder, { recursive: true });
  writeFileSync(join(stale, 'part-000000'), 'old part');
  writeFileSync(join(strange, 'notes.txt'), 'not ours');
  writeFileSync(join(running, 'part-000000'), 'a live process');
  writeFileSync(join(temp, 'mine.txt'), 'the user');

  const run = await sql(`${models} SET temp_directory = 'kept'; COPY (SELECT id, wide(x) AS y FROM 'in.parquet') TO 'kept.parquet'`);
  assert.ok(run.ok, run.stderr);
  assert.deepEqual(readdirSync(temp).sort(), ['mine.txt', `sqlinfer-${hostname()}-${dead}-def456`, `sqlinfer-${hostname()}-${process.pid}-ghi789`].sort());
  assert.deepEqual(readdirSync(strange), ['notes.txt']);
});
