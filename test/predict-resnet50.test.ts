// predict_resnet50 end to end on the pool, with ResNet-50's random weights (no download): 1000
// probabilities per image, deterministic across calls and worker counts, the same for an image BLOB
// and for image_to_tensor's list of the same image.

import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createUdfs } from '../udfs/index.js';
import { RowError, type ArgColumn, type ModelSettings, type PreparedCall, type ResultColumn } from '../udfs/model-function.js';
import { writeSampleImages } from '../udfs/images/sample-images.js';
import { batchOf, blobColumn, floatColumn, rowOf } from './helpers/runtime-fixtures.js';

const udfs = createUdfs({ threads: 2, workers: 2 });
let dir = '';
let images: Uint8Array[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sqlinfer-predict-'));
  const written = await writeSampleImages({ out: dir, images: 2, seed: 7 });
  images = await Promise.all(written.map((w) => readFile(join(dir, w.file))));
});

after(async () => {
  try {
    await udfs.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function settings(workers: number): ModelSettings {
  const values: Record<string, string> = { resnet50_weights: 'random', model_workers: String(workers) };
  return { threads: 2, batchSize: 64, get: (name) => values[name] };
}

function prepare(name: string, workers: number, constants?: (string | number | undefined)[]): Promise<PreparedCall> {
  const fn = udfs.registry.get(name);
  assert.ok(fn, `${name} is registered`);
  return fn.prepare({ settings: settings(workers), ...(constants ? { constants } : {}) });
}

function imageBatch(): ReturnType<typeof batchOf> {
  return batchOf(0, 3, blobColumn([images[0] ?? null, null, images[1] ?? null]));
}

function rows(result: ResultColumn): (Float32Array | null)[] {
  return [0, 1, 2].map((i) => rowOf(result, i));
}

function assertSame(a: (Float32Array | null)[], b: (Float32Array | null)[], tolerance: number): void {
  assert.equal(a.length, b.length);
  a.forEach((row, i) => {
    const other = b[i];
    if (row === null || other === null || other === undefined) return assert.equal(row, other ?? null);
    assert.equal(row.length, other.length);
    for (let j = 0; j < row.length; j++) {
      assert.ok(Math.abs((row[j] as number) - (other[j] as number)) <= tolerance, `row ${i} class ${j}: ${row[j]} vs ${other[j]}`);
    }
  });
}

let twoWorkers: (Float32Array | null)[] = [];

test('1000 probabilities per image, summing to 1, NULL for NULL', async () => {
  const call = await prepare('predict_resnet50', 2);
  assert.match(call.description, /random \(seed \d+\)/);
  assert.match(call.description, /2 workers x 1 thread, batch 64/);
  assert.equal(call.resultType, 'FLOAT[]');
  twoWorkers = rows(await call.run(imageBatch()));
  assert.equal(twoWorkers[1], null);
  for (const row of [twoWorkers[0], twoWorkers[2]]) {
    assert.ok(row);
    assert.equal(row.length, 1000);
    const sum = row.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-4, `sum ${sum}`);
  }
  assert.notDeepEqual(twoWorkers[0], twoWorkers[2], 'different images, different probabilities');
});

test('the same images give the same probabilities on every call and on either worker', async () => {
  const call = await prepare('predict_resnet50', 2);
  const again = await Promise.all([call.run(imageBatch()), call.run(imageBatch()), call.run(imageBatch())]);
  for (const result of again) assertSame(rows(result), twoWorkers, 0);
});

test('one worker gives the same probabilities as two', async () => {
  const call = await prepare('predict_resnet50', 1);
  assert.match(call.description, /1 worker x 2 threads/);
  assertSame(rows(await call.run(imageBatch())), twoWorkers, 1e-5);
  await prepare('predict_resnet50', 2);
});

test("an image BLOB and image_to_tensor's list of it give the same probabilities", async () => {
  const tensors = await (await prepare('image_to_tensor', 2)).run(imageBatch());
  const lists: ArgColumn = { kind: 'float-list', values: tensors.values, offsets: tensors.offsets, valid: tensors.valid };
  const call = await prepare('predict_resnet50', 2);
  assertSame(rows(await call.run(batchOf(0, 3, lists))), twoWorkers, 1e-6);
});

test('a list of the wrong length names the row', async () => {
  const call = await prepare('predict_resnet50', 2);
  const batch = batchOf(16, 2, floatColumn([null, new Float32Array(1000)]));
  await assert.rejects(call.run(batch), (error: unknown) => {
    assert.ok(error instanceof RowError);
    assert.equal(error.message, 'row 18: expected 150528 values (224x224x3), found 1000');
    return true;
  });
});

test('a bad preprocess mode is refused at prepare', async () => {
  await assert.rejects(prepare('predict_resnet50', 2, [undefined, 'bgr']), /preprocess must be 'caffe', 'tf' or 'none', found "bgr"/);
  const tf = await prepare('predict_resnet50', 2, [undefined, 'TF']);
  assert.match(tf.description, /preprocess tf/);
});
