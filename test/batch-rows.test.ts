// Batch sizes: model_batch_size = 0 (the default) gives 64 rows, fewer of a large input (at most 8 MiB of
// model input a batch: 13 rows of ResNet-50's 224x224x3 floats); a set model_batch_size or a model's own
// batch_size option is taken as given. Checked in the rule, in the batches a statement really makes, and
// in what EXPLAIN says through the sqlinfer binary.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AUTO_BATCH_BYTES, AUTO_BATCH_ROWS, batchRows } from '../udfs/batch-rows.js';
import { OnnxGraphBuilder } from '../udfs/onnx/onnx-graph-builder.js';
import { runCli, tempDir } from './helpers/cli.js';
import { execute, fixture, scale2, settings, TestRegistry, type Fixture } from './helpers/model-path-fixtures.js';
import { modelsFixture } from './helpers/onnx-model-fixtures.js';

const RESNET50_ROW_BYTES = 224 * 224 * 3 * 4;

test("the rule: the function's own size, else the setting, else 64 rows within 8 MiB of input", () => {
  assert.equal(batchRows({}, { batchSize: 0 }), AUTO_BATCH_ROWS);
  assert.equal(batchRows({ rowBytes: 8 }, { batchSize: 0 }), 64);
  assert.equal(batchRows({ rowBytes: RESNET50_ROW_BYTES }, { batchSize: 0 }), 13);
  assert.equal(batchRows({ rowBytes: AUTO_BATCH_BYTES / 2 }, { batchSize: 0 }), 2);
  assert.equal(batchRows({ rowBytes: AUTO_BATCH_BYTES * 3 }, { batchSize: 0 }), 1, 'a row larger than the budget still goes, alone');
  assert.equal(batchRows({ rowBytes: RESNET50_ROW_BYTES }, { batchSize: 64 }), 64, 'a set model_batch_size is taken as given');
  assert.equal(batchRows({ batchSize: 5, rowBytes: RESNET50_ROW_BYTES }, { batchSize: 64 }), 5, "a model's batch_size option wins");
});

let f: Fixture;
before(async () => {
  f = await fixture();
});
after(() => f.close());

test('a statement cuts its rows into the chosen batches', async () => {
  const fn = scale2();
  // 1 MiB rows: 8 a batch.
  Object.assign(fn, { rowBytes: 1 << 20 });
  const registry = new TestRegistry([fn]);
  const sql = `SELECT id, scale2(data) FROM '${f.dir}/image_data.parquet' WHERE id < 20`;
  const chosen = await execute({ connection: f.connection, registry, settings: settings(0) }, sql);
  assert.equal(chosen.rows.length, 20);
  // The rows come from Parquet pages: the last rows wait for the input's end, then go in even quarter
  // batches (ArgBatcher's balanceEnd).
  assert.deepEqual(fn.batchSizes, [8, 2, 2, 2, 2, 2, 2], '8, then the last 12 rows by 2');
  fn.batchSizes = [];
  await execute({ connection: f.connection, registry, settings: settings(5) }, sql);
  assert.deepEqual(fn.batchSizes, [5, 5, 5, 2, 2, 1], 'model_batch_size = 5');
  const plain = scale2();
  const withoutSize = await execute({ connection: f.connection, registry: new TestRegistry([plain]), settings: settings(0) }, sql.replace('WHERE id < 20', 'WHERE id < 200'));
  assert.equal(withoutSize.rows.length, 200);
  assert.deepEqual(plain.batchSizes, [64, 64, 15, 15, 14, 14, 14], 'a function whose row size is unknown: 64 rows a batch');
});

test('EXPLAIN through the binary: batch 13 for predict_resnet50 by default, the set size after SET', async () => {
  const dir = tempDir();
  const file = join(dir, 'tensors.parquet');
  const make = await runCli(['-c', `COPY (SELECT [1.0, 2.0]::FLOAT[] AS data) TO '${file}'`]);
  assert.equal(make.code, 0, make.stderr);
  const explain = `EXPLAIN SELECT predict_resnet50(data) FROM '${file}'`;
  const chosen = await runCli(['-c', "SET resnet50_weights = 'random'", '-c', explain]);
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.match(chosen.stdout, /batch 13, threads/);
  const set = await runCli(['-c', "SET resnet50_weights = 'random'", '-c', 'SET model_batch_size = 64', '-c', explain]);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /batch 64, threads/);
});

test('CREATE MODEL: rows of a known size get the chosen batch; unknown sizes and fixed batches keep 64', async () => {
  const m = await modelsFixture();
  try {
    const explain = async (sql: string) => String((await m.rows(`EXPLAIN ${sql}`)).find((r) => String(r[0]).startsWith('model'))?.[1]);
    // 2^20 floats a row: 4 MiB, two to a batch.
    await m.engine.run(`CREATE MODEL wide FROM '${m.dir}/dynamic.onnx' WITH (input_shape => '[1048576]')`);
    assert.match(await explain('SELECT wide([1.0]) AS y'), /batch 2, threads/);
    await m.engine.run(`CREATE MODEL any_length FROM '${m.dir}/dynamic.onnx'`);
    assert.match(await explain('SELECT any_length([1.0]) AS y'), /batch 64, threads/);
    // Wide rows too, but a fixed batch of 1: it runs row by row whatever the batch.
    const g = new OnnxGraphBuilder('wide_batch1');
    g.input('x', 'float32', [1, 1 << 20]);
    g.addInitializer('two', [1], Float32Array.from([2]));
    g.addNode({ op: 'Mul', inputs: ['x', 'two'], outputs: ['doubled'] });
    g.output('doubled', 'float32', [1, 1 << 20]);
    await writeFile(join(m.dir, 'wide_batch1.onnx'), g.toBytes());
    await m.engine.run(`CREATE MODEL one_at_a_time FROM '${m.dir}/wide_batch1.onnx'`);
    assert.match(await explain('SELECT one_at_a_time([1.0]) AS y'), /batch 64, threads/);
  } finally {
    await m.close();
  }
});
