// Rows read from Parquet pages are packed in place and their buffer handed to the worker when one call
// argument alone reads the column (ArgColumn's `owned`). Through the real `sqlinfer` command, the
// results must be those of DuckDB's read (parquet_pages = 'never'), with bad rows where they are, and two
// calls over the same column must each get the rows as they were read, whatever the other did to its batch.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runCli, tempDir } from './helpers/cli.js';
import { linearModel } from './helpers/onnx-model-fixtures.js';

const IMAGE_VALUES = 224 * 224 * 3;
let dir: string;

before(async () => {
  dir = tempDir();
  await writeFile(join(dir, 'linear.onnx'), linearModel());
  // Rows of 3 values, some NULL, some of the wrong length, some with a NULL element; several batches.
  // Images: 224x224x3 values, one of them NULL and one short, for predict_resnet50's in-place preprocessing.
  const make = await runCli([
    '-c',
    `COPY (SELECT i AS id, CASE WHEN i % 7 = 3 THEN NULL WHEN i % 11 = 5 THEN [i, 1]::FLOAT[]
             WHEN i % 13 = 6 THEN [i, NULL, -i]::FLOAT[] ELSE [i, i / 3, -i]::FLOAT[] END AS data
           FROM range(200) t(i)) TO 'rows.parquet'`,
    '-c',
    `COPY (SELECT i AS id, CASE WHEN i = 2 THEN NULL WHEN i = 4 THEN [1, 2, 3]::FLOAT[]
             ELSE [((i * 31 + j) % 256)::FLOAT FOR j IN range(${IMAGE_VALUES})] END AS data
           FROM range(6) t(i)) TO 'images.parquet'`,
  ], { cwd: dir, timeoutMs: 60_000 });
  assert.equal(make.code, 0, make.stderr);
});

async function rows(pages: 'always' | 'never', sql: string): Promise<unknown[]> {
  const run = await runCli(
    ['--format', 'json', '--resnet50-weights', 'random', '-c', `SET parquet_pages = '${pages}'`, '-c', "SET model_errors = 'null'", '-c', `CREATE MODEL lin FROM 'linear.onnx'`, '-c', `CREATE MODEL lin2 FROM 'linear.onnx'`, '-c', sql],
    { cwd: dir, timeoutMs: 120_000 },
  );
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as unknown[];
}

test('a user model over rows read from pages: the answer of DuckDB read, with one call or two over the column', async () => {
  const one = `SELECT id, lin(data) AS a FROM 'rows.parquet' ORDER BY id`;
  const expected = await rows('never', one);
  assert.deepEqual(await rows('always', one), expected);
  const nulls = (expected as { a: unknown }[]).filter((r) => r.a === null).length;
  assert.ok(nulls > 40 && nulls < 200, `${nulls} NULL results: the bad and NULL rows`);
  const two = (await rows('always', `SELECT id, lin(data) AS a, lin2(data) AS b FROM 'rows.parquet' ORDER BY id`)) as { id: number; a: unknown; b: unknown }[];
  assert.deepEqual(two.map((r) => ({ id: r.id, a: r.a })), expected);
  assert.deepEqual(two.map((r) => ({ id: r.id, a: r.b })), expected);
});

test('predict_resnet50 preprocessing rows in place: the answer of DuckDB read, each call with its own preprocessing', async () => {
  const sql = `SELECT id, predict_resnet50(data) AS caffe, predict_resnet50(data, 'tf') AS tf FROM 'images.parquet' ORDER BY id`;
  const expected = (await rows('never', sql)) as { id: number; caffe: number[] | null; tf: number[] | null }[];
  assert.deepEqual(expected.map((r) => r.caffe === null), [false, false, true, false, true, false]);
  assert.notDeepEqual(expected[0]!.caffe, expected[0]!.tf, 'the two preprocessings give different results');
  assert.deepEqual(await rows('always', sql), expected);
  const alone = await rows('always', `SELECT id, predict_resnet50(data) AS caffe FROM 'images.parquet' ORDER BY id`);
  assert.deepEqual(alone, expected.map((r) => ({ id: r.id, caffe: r.caffe })));
});
