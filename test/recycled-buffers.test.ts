// A batch read from Parquet pages goes to its worker in its own buffer; the worker hands that buffer back
// with the result and the reader fills it with a later batch (engine/parquet/recycled-buffers.ts). The
// buffer must come back only when the worker had it in place, and a reused buffer must give the later
// batch its own values, never an earlier batch's.
import { DuckDBInstance } from '@duckdb/node-api';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inspectTensorColumn } from '../engine/parquet/parquet-footer.js';
import { RecycledBuffers } from '../engine/parquet/recycled-buffers.js';
import { ParquetTensorReader } from '../engine/parquet/tensor-reader.js';
import type { ArgColumn } from '../udfs/model-function.js';
import { ModelRuntime } from '../udfs/runtime/model-runtime.js';
import { tempDir } from './helpers/cli.js';
import { linear, linearModel } from './helpers/onnx-model-fixtures.js';
import { batchOf, floatColumn, rowOf } from './helpers/runtime-fixtures.js';

const runtime = new ModelRuntime({ threads: 1, workers: 1 });
after(() => runtime.close());

test('a buffer given back serves the next values that fit it; one too small or over twice as large does not', () => {
  const buffers = new RecycledBuffers();
  const first = buffers.values('float32', 100);
  assert.equal(first.buffer.byteLength, 400);
  buffers.giveBack(first.buffer as ArrayBuffer);
  const again = buffers.values('float32', 60);
  assert.equal(again.buffer, first.buffer, 'reused for 240 of its 400 bytes');
  assert.equal(again.length, 60);
  assert.equal(again.byteOffset, 0);
  buffers.giveBack(again.buffer as ArrayBuffer);
  assert.notEqual(buffers.values('float32', 101).buffer, first.buffer, 'too small');
  assert.notEqual(buffers.values('float32', 40).buffer, first.buffer, 'more than half of it would be wasted');
  const wide = buffers.values('float64', 50);
  assert.ok(wide instanceof Float64Array);
  assert.equal(wide.buffer, first.buffer, 'any element type over the same bytes');
  buffers.giveBack(wide.buffer as ArrayBuffer);
  buffers.close();
  assert.notEqual(buffers.values('float32', 100).buffer, first.buffer, 'closing drops what was given back');
  const late = new ArrayBuffer(400);
  buffers.giveBack(late);
  assert.notEqual(buffers.values('float32', 100).buffer, late, 'and what is given back after');
});

test('the worker hands an owned batch buffer back after the run, and only that one', async () => {
  const model = runtime.share('linear', linearModel());
  const rows = [[1, 2, 3], null, [4, 5, 6]];
  const given: ArrayBuffer[] = [];
  const owned = { ...floatColumn(rows), owned: true, recycle: (buffer: ArrayBuffer) => given.push(buffer) } as ArgColumn & { values: Float32Array };
  const sent = owned.values.buffer;
  const result = await runtime.run({ kernel: 'onnx', model, rowShape: [3], batch: batchOf(0, 3, owned) });
  assert.deepEqual([...rowOf(result, 0)!], linear([1, 2, 3]));
  assert.equal(rowOf(result, 1), null);
  assert.deepEqual([...rowOf(result, 2)!], linear([4, 5, 6]));
  assert.equal(sent.byteLength, 0, 'the buffer went to the worker');
  assert.equal(given.length, 1);
  assert.equal(given[0]!.byteLength, 6 * 4, "the batch's buffer came back whole");

  // Not owned: the runtime packs a copy, and the caller's buffer never left.
  const copied = { ...floatColumn(rows), recycle: (buffer: ArrayBuffer) => given.push(buffer) } as ArgColumn & { values: Float32Array };
  await runtime.run({ kernel: 'onnx', model, rowShape: [3], batch: batchOf(0, 3, copied) });
  assert.equal(copied.values.buffer.byteLength, 6 * 4);
  assert.equal(given.length, 1, 'a copy is not handed to the column');
});

test('a reader fills a buffer given back with the next batch: that batch gets its own values', async () => {
  const dir = tempDir('sqlinfer-recycle-');
  const path = join(dir, 'rows.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    await connection.run(
      `COPY (SELECT CASE WHEN i = 4 THEN NULL ELSE [CASE WHEN i = 6 AND j = 7 THEN NULL ELSE i * 10 + j END FOR j IN range(1000)]::FLOAT[] END AS data FROM range(8) t(i)) TO '${path}'`,
    );
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  const inspected = await inspectTensorColumn([path], 'data', 'float32', 'FLOAT[]');
  if ('reason' in inspected) throw new Error(inspected.reason);
  const reader = new ParquetTensorReader('data', 'float32', inspected.files);
  const at = (rows: readonly number[]) => ({ files: [path], file: new Int32Array(rows.length), row: Float64Array.from(rows), valid: new Uint8Array(rows.length).fill(1) });
  try {
    const first = await reader.read(at([0, 1, 2, 3]));
    const buffer = first.values.buffer as ArrayBuffer;
    reader.recycle(buffer);
    const second = await reader.read(at([4, 5, 6]));
    assert.equal(second.values.buffer, buffer, 'the buffer given back');
    assert.deepEqual([...second.valid], [0, 1, 1]);
    assert.deepEqual([...second.offsets], [0, 0, 1000, 2000]);
    // Row 6's NULL element is NaN in the reused buffer, not the 27 an earlier batch left there.
    assert.deepEqual([...second.values], [50, 60].flatMap((row) => Array.from({ length: 1000 }, (_, j) => (row === 60 && j === 7 ? NaN : row + j))));
  } finally {
    await reader.close();
  }
});
