// Float-list rows are checked, preprocessed and packed on the main thread (udfs/runtime/packed-rows.ts):
// the one-pass copy must give exactly what preprocessing in place gives, bad rows must be found where they
// are, the packed tensor must hold the good rows one after another, and the caller's batch must stay as it
// was (the same column can feed several calls) unless the column owns its buffer: then the rows are packed
// in place, with exactly the copy's result, and that buffer is the one transferred.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowError, type ArgColumn } from '../udfs/model-function.js';
import { copyFinite, copyPreprocessed, preprocessInPlace } from '../udfs/images/preprocess.js';
import type { SharedModel } from '../udfs/runtime/kernel-task.js';
import { packTask } from '../udfs/runtime/packed-rows.js';
import { batchOf, floatColumn } from './helpers/runtime-fixtures.js';

const PIXELS = 5;
const model: SharedModel = { key: 'unused', bytes: new SharedArrayBuffer(0) };

function pixelsFrom(seed: number): Float32Array {
  return Float32Array.from({ length: PIXELS * 3 }, (_, i) => ((i * 37 + seed * 11) % 256) + 0.25);
}

for (const mode of ['caffe', 'tf', 'none'] as const) {
  test(`copyPreprocessed ${mode} gives exactly preprocessInPlace's values, at any offsets`, () => {
    const source = new Float32Array([7, 7, ...pixelsFrom(1)]);
    const inPlace = source.slice(2);
    preprocessInPlace(inPlace, 0, PIXELS, mode);
    const target = new Float32Array(PIXELS * 3 + 1).fill(-5);
    assert.equal(copyPreprocessed(source, 2, target, 1, PIXELS, mode), -1);
    assert.equal(target[0], -5);
    assert.deepEqual([...target.subarray(1)], [...inPlace]);
  });

  test(`copyPreprocessed ${mode} reports the first value that is not finite, in every channel`, () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of [0, 4, 5, PIXELS * 3 - 1]) {
        const source = pixelsFrom(2);
        source[at] = bad;
        source[PIXELS * 3 - 1] = at === PIXELS * 3 - 1 ? bad : NaN;
        assert.equal(copyPreprocessed(source, 0, new Float32Array(PIXELS * 3), 0, PIXELS, mode), at, `${bad} at ${at}`);
      }
    }
  });
}

test("copyPreprocessed caffe tests a pixel's three values together: opposite infinities fail, float32's largest values pass", () => {
  const max = 3.4028234663852886e38;
  const opposite = Float32Array.from([1, 2, 3, Infinity, -Infinity, 0, 4, 5, 6]);
  assert.equal(copyPreprocessed(opposite, 0, new Float32Array(9), 0, 3, 'caffe'), 3);
  const largest = Float32Array.from([max, max, max, -max, -max, -max, -0, 1e-45, -1e-45]);
  const target = new Float32Array(9);
  assert.equal(copyPreprocessed(largest, 0, target, 0, 3, 'caffe'), -1);
  assert.deepEqual([...target.subarray(0, 3)], [Math.fround(max - 103.939), Math.fround(max - 116.779), Math.fround(max - 123.68)]);
});

test('copyFinite copies any length and stops at the first value that is not finite', () => {
  const target = new Float32Array(4);
  assert.equal(copyFinite(new Float32Array([1, 2, 3, 4]), 0, target, 0, 4), -1);
  assert.deepEqual([...target], [1, 2, 3, 4]);
  assert.equal(copyFinite(new Float32Array([9, 1, Infinity, 3]), 1, target, 0, 3), 1);
});

/** Rows: good, NULL, too short, a NaN, good. */
function mixedColumn(): ArgColumn {
  const withNaN = pixelsFrom(3);
  withNaN[7] = NaN;
  return floatColumn([pixelsFrom(4), null, [1, 2, 3], withNaN, pixelsFrom(5)]);
}

test("under 'null' the good rows are packed one after another and the bad ones are reported, in row order", () => {
  const column = mixedColumn();
  const before = (column as { values: Float32Array }).values.slice();
  const batch = { ...batchOf(100, 5, column), onRowError: 'null' as const };
  const packed = packTask({ kernel: 'image_model', model, batch, width: PIXELS, height: 1, preprocess: 'caffe' });
  assert.ok(packed !== null);
  const { task, failures, transferList } = packed;
  assert.equal(task.kernel, 'packed_rows');
  assert.deepEqual(task.rowShape, [1, PIXELS, 3]);
  assert.equal(task.count, 2);
  assert.deepEqual([...task.valid], [1, 0, 0, 0, 1]);
  const expected = [pixelsFrom(4), pixelsFrom(5)].map((row) => {
    preprocessInPlace(row, 0, PIXELS, 'caffe');
    return [...row];
  });
  assert.deepEqual([...task.input], expected.flat());
  assert.deepEqual(
    failures.map((f) => [f.row, f.reason]),
    [
      [102, `expected ${PIXELS * 3} values (1x${PIXELS}x3), found 3`],
      [103, `value 8 of ${PIXELS * 3} is NaN (or NULL); model inputs must be finite numbers`],
    ],
  );
  // The packed buffers are fresh, for transfer; the caller's column is untouched.
  assert.ok(transferList.includes(task.input.buffer as ArrayBuffer) && transferList.includes(task.valid.buffer as ArrayBuffer));
  assert.deepEqual([...(column as { values: Float32Array }).values], [...before]);
});

test("under 'fail' the first bad row in row order is a RowError with the statement's row number", () => {
  const batch = batchOf(100, 5, mixedColumn());
  assert.throws(
    () => packTask({ kernel: 'image_model', model, batch, width: PIXELS, height: 1, preprocess: 'tf' }),
    (error: unknown) => error instanceof RowError && error.row === 102 && /found 3$/.test(error.reason),
  );
});

test('onnx tasks are packed with their row shape and no preprocessing; BLOB rows are left to the worker', () => {
  const batch = batchOf(0, 2, floatColumn([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]]));
  const packed = packTask({ kernel: 'onnx', model, batch, rowShape: [2, 3] });
  assert.deepEqual([...packed!.task.input], [1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1]);
  assert.deepEqual(packed!.task.rowShape, [2, 3]);
  const blobs = batchOf(0, 1, { kind: 'blob', values: new Uint8Array(3), offsets: new Int32Array([0, 3]), valid: new Uint8Array([1]) });
  assert.equal(packTask({ kernel: 'image_model', model, batch: blobs, width: 1, height: 1, preprocess: 'none' }), null);
});

/** Rows that shift the packed rows by amounts that are not whole pixels: good, 2 values, good, NULL, a NaN, 1 value, good. */
function shiftingRows(): (Float32Array | number[] | null)[] {
  const withNaN = pixelsFrom(8);
  withNaN[13] = NaN;
  return [pixelsFrom(6), [250, 251], pixelsFrom(7), null, withNaN, [252], pixelsFrom(9)];
}

for (const [kernel, mode] of [['image_model', 'caffe'], ['image_model', 'tf'], ['image_model', 'none'], ['onnx', 'none']] as const) {
  test(`an owned column (${kernel}, ${mode}) is packed in place into exactly the copy's tensor, and its buffer is transferred`, () => {
    const task = (column: ArgColumn) => {
      const batch = { ...batchOf(10, 7, column), onRowError: 'null' as const };
      return kernel === 'onnx'
        ? { kernel, model, batch, rowShape: [PIXELS, 3] }
        : { kernel, model, batch, width: PIXELS, height: 1, preprocess: mode };
    };
    const copied = packTask(task(floatColumn(shiftingRows())))!;
    const owned = { ...(floatColumn(shiftingRows()) as Extract<ArgColumn, { kind: 'float-list' }>), owned: true };
    const packed = packTask(task(owned))!;
    assert.equal(packed.task.count, 3);
    assert.deepEqual([...packed.task.input], [...copied.task.input]);
    assert.deepEqual([...packed.task.valid], [...copied.task.valid]);
    assert.deepEqual(packed.failures, copied.failures);
    assert.deepEqual(packed.failures.map((f) => f.row), [11, 14, 15]);
    assert.equal(packed.task.input.buffer, owned.values.buffer);
    assert.ok(packed.transferList.includes(owned.values.buffer as ArrayBuffer));
  });
}
