// Rows the model cannot take reject with a RowError naming the statement row and the reason, across the
// thread boundary; NULL rows give NULL and never reach the model.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { RowError } from '../udfs/model-function.js';
import { ModelRuntime } from '../udfs/runtime/model-runtime.js';
import { batchOf, blobColumn, floatColumn, flattenImageModel, rowOf, scaleModel } from './helpers/runtime-fixtures.js';

const runtime = new ModelRuntime({ threads: 2, workers: 1 });
after(() => runtime.close());

test('a list of the wrong length is a RowError naming the row and both lengths', async () => {
  const model = runtime.share('flatten224', flattenImageModel(224, 224));
  const good = new Float32Array(224 * 224 * 3);
  const batch = batchOf(16, 3, floatColumn([good, new Float32Array(1000), good]));
  await assert.rejects(
    runtime.run({ kernel: 'image_model', model, batch, width: 224, height: 224, preprocess: 'caffe' }),
    (error: unknown) => {
      assert.ok(error instanceof RowError);
      assert.equal(error.row, 17);
      assert.equal(error.reason, 'expected 150528 values (224x224x3), found 1000');
      return true;
    },
  );
});

test('an undecodable BLOB is a RowError naming the row', async () => {
  const batch = batchOf(2, 2, blobColumn([null, new TextEncoder().encode('not an image')]));
  await assert.rejects(runtime.run({ kernel: 'image_to_tensor', batch, width: 8, height: 8 }), (error: unknown) => {
    assert.ok(error instanceof RowError);
    assert.equal(error.row, 3);
    assert.match(error.reason, /^cannot decode image: Input buffer contains unsupported image format/);
    assert.match(error.message, /^row 4: cannot decode image/);
    return true;
  });
});

test('with several images decoded at once, the first bad row is the one reported', async () => {
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#00ff00' } }).png().toBuffer();
  const junk = new Uint8Array([1, 2, 3]);
  const batch = batchOf(100, 5, blobColumn([png, png, junk, png, junk]));
  await assert.rejects(runtime.run({ kernel: 'image_to_tensor', batch, width: 2, height: 2 }), (error: unknown) => {
    assert.ok(error instanceof RowError);
    assert.equal(error.row, 102);
    return true;
  });
});

test('NULL rows give NULL; an all-NULL batch never runs the model', async () => {
  const model = runtime.share('scale2', scaleModel(2));
  const mixed = await runtime.run({ kernel: 'onnx', model, rowShape: [4], batch: batchOf(0, 3, floatColumn([null, [1, 2, 3, 4], null])) });
  assert.deepEqual([...mixed.valid], [0, 1, 0]);
  assert.equal(rowOf(mixed, 0), null);
  assert.deepEqual([...(rowOf(mixed, 1) ?? [])], [2, 4, 6, 8]);
  const broken = runtime.share('broken', new Uint8Array([1, 2, 3]));
  const none = await runtime.run({ kernel: 'onnx', model: broken, rowShape: [4], batch: batchOf(0, 2, floatColumn([null, null])) });
  assert.deepEqual([...none.valid], [0, 0]);
  assert.deepEqual([...none.offsets], [0, 0, 0]);
});

test('a model that cannot be built is an error naming the model, not a row', async () => {
  const broken = runtime.share('broken-model', new Uint8Array([1, 2, 3]));
  await assert.rejects(
    runtime.run({ kernel: 'onnx', model: broken, rowShape: [4], batch: batchOf(0, 1, floatColumn([[1, 2, 3, 4]])) }),
    (error: unknown) => {
      assert.ok(!(error instanceof RowError));
      assert.match((error as Error).message, /cannot build the session for model 'broken-model'/);
      return true;
    },
  );
});

test('run() leaves the batch intact: the same batch can go to two calls', async () => {
  const model = runtime.model('scale2');
  assert.ok(model);
  const batch = batchOf(0, 1, floatColumn([[1, 2, 3, 4]]));
  const first = await runtime.run({ kernel: 'onnx', model, rowShape: [4], batch });
  const second = await runtime.run({ kernel: 'onnx', model, rowShape: [4], batch });
  assert.deepEqual([...(rowOf(second, 0) ?? [])], [...(rowOf(first, 0) ?? [])]);
  const column = batch.columns[0];
  assert.ok(column?.kind === 'float-list');
  assert.deepEqual([...column.values], [1, 2, 3, 4]);
});

test('a batch whose arrays do not match its row count is refused', async () => {
  const model = runtime.model('scale2');
  assert.ok(model);
  const batch = batchOf(0, 2, floatColumn([[1, 2, 3, 4]]));
  await assert.rejects(runtime.run({ kernel: 'onnx', model, rowShape: [4], batch }), /argument 1 of the batch has 2 offsets and 1 validity entries for 2 rows/);
});

test('views on a larger buffer are copied, leaving the caller its data', async () => {
  const model = runtime.model('scale2');
  assert.ok(model);
  const big = new Float32Array(16).fill(7);
  const column = { kind: 'float-list' as const, values: big.subarray(4, 8), offsets: new Int32Array([0, 4]), valid: new Uint8Array([1]) };
  const result = await runtime.run({ kernel: 'onnx', model, rowShape: [4], batch: batchOf(0, 1, column) });
  assert.deepEqual([...(rowOf(result, 0) ?? [])], [14, 14, 14, 14]);
  assert.equal(big.length, 16);
});

test('a BLOB column in a pooled Node Buffer is copied, not detached with its pool', async () => {
  const png = await sharp({ create: { width: 2, height: 1, channels: 3, background: '#0000ff' } }).png().toBuffer();
  const pooled = Buffer.from(png); // small Buffers share one pooled ArrayBuffer
  const neighbour = Buffer.from('still here');
  const column = { kind: 'blob' as const, values: pooled, offsets: new Int32Array([0, pooled.length]), valid: new Uint8Array([1]) };
  const result = await runtime.run({ kernel: 'image_to_tensor', batch: batchOf(0, 1, column), width: 2, height: 1 });
  assert.deepEqual([...(rowOf(result, 0) ?? [])], [0, 0, 255, 0, 0, 255]);
  assert.equal(neighbour.toString(), 'still here');
  assert.equal(pooled.length, png.length);
});
