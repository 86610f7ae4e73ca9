// Models registered in a database file are there when the file is opened again by a new sqlinfer process;
// a relative path is relative to the database file's folder, whatever the working directory.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { linear, linearModel } from './helpers/onnx-model-fixtures.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sqlinfer-model-catalog-'));
  await mkdir(join(dir, 'models'));
  await mkdir(join(dir, 'data'));
  await mkdir(join(dir, 'elsewhere'));
  await writeFile(join(dir, 'models', 'linear.onnx'), linearModel());
});
after(() => rm(dir, { recursive: true, force: true }));

test('a model created in a database file is there in the next session, from another folder', async () => {
  const created = await runCli(
    [join(dir, 'data', 'models.duckdb'), '-c', `CREATE MODEL lin FROM '../models/linear.onnx' WITH (batch_size => 2)`],
    { cwd: join(dir, 'elsewhere') },
  );
  assert.equal(created.code, 0, created.stderr);

  const used = await runCli(
    [join(dir, 'data', 'models.duckdb'), '--format', 'csv', '--model-threads', '1', '-c', 'SELECT path FROM sqlinfer_models', '-c', 'SELECT lin([i, 1, 0]) AS y FROM range(3) t(i)'],
    { cwd: join(dir, 'elsewhere') },
  );
  assert.equal(used.code, 0, used.stderr);
  const text = (v: number) => (Number.isInteger(v) ? v.toFixed(1) : String(v));
  const expected = [0, 1, 2].map((i) => `"[${linear([i, 1, 0]).map(text).join(', ')}]"`);
  assert.equal(used.stdout, ['path', '../models/linear.onnx', 'y', ...expected, ''].join('\n'));

  const dropped = await runCli([join(dir, 'data', 'models.duckdb'), '-c', 'DROP MODEL lin'], { cwd: dir });
  assert.equal(dropped.code, 0, dropped.stderr);
  const shown = await runCli([join(dir, 'data', 'models.duckdb'), '--format', 'csv', '-c', 'SHOW MODELS'], { cwd: dir });
  assert.equal(shown.code, 0, shown.stderr);
  assert.deepEqual(shown.stdout.split('\n').slice(1, -1).map((line) => line.split(',')[0]), ['image_to_tensor', 'predict_resnet50']);
});
