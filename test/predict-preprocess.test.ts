// The preprocess modes, numerically: Keras' caffe (RGB -> BGR, minus the ImageNet means), tf (-1..1) and
// none, both as a function and as what the model receives from the image_model kernel.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { preprocessInPlace } from '../udfs/images/preprocess.js';
import { ModelRuntime } from '../udfs/runtime/model-runtime.js';
import { batchOf, floatColumn, flattenImageModel, rowOf } from './helpers/runtime-fixtures.js';

/** Two pixels of HWC RGB. */
const RGB = [10, 20, 30, 200, 100, 0];

function expected(mode: 'caffe' | 'tf' | 'none'): number[] {
  const out: number[] = [];
  for (let p = 0; p < RGB.length; p += 3) {
    const [r, g, b] = RGB.slice(p, p + 3) as [number, number, number];
    if (mode === 'caffe') out.push(b - 103.939, g - 116.779, r - 123.68);
    else if (mode === 'tf') out.push(r / 127.5 - 1, g / 127.5 - 1, b / 127.5 - 1);
    else out.push(r, g, b);
  }
  return out;
}

function assertClose(actual: ArrayLike<number>, wanted: number[]): void {
  assert.equal(actual.length, wanted.length);
  for (let i = 0; i < wanted.length; i++) {
    assert.ok(Math.abs((actual[i] as number) - (wanted[i] as number)) < 1e-4, `value ${i}: ${actual[i]} vs ${wanted[i]}`);
  }
}

for (const mode of ['caffe', 'tf', 'none'] as const) {
  test(`preprocess ${mode} in place`, () => {
    const data = new Float32Array([99, ...RGB, 99]);
    preprocessInPlace(data, 1, 2, mode);
    assertClose(data.subarray(1, 7), expected(mode));
    assert.equal(data[0], 99);
    assert.equal(data[7], 99);
  });
}

test('the image_model kernel hands the model preprocessed BGR input', async (t) => {
  const runtime = new ModelRuntime({ threads: 1, workers: 1 });
  t.after(() => runtime.close());
  const model = runtime.share('flatten-2x1', flattenImageModel(2, 1));
  for (const mode of ['caffe', 'tf', 'none'] as const) {
    const batch = batchOf(0, 2, floatColumn([RGB, null]));
    const result = await runtime.run({ kernel: 'image_model', model, batch, width: 2, height: 1, preprocess: mode });
    assertClose(rowOf(result, 0) ?? [], expected(mode));
    assert.equal(rowOf(result, 1), null);
  }
});
