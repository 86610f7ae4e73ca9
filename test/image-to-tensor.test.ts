// image_to_tensor as a model function: default 224 x 224, sizes from constant arguments, bad sizes refused.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { imageSize } from '../udfs/functions/image-to-tensor.js';
import { createUdfs } from '../udfs/index.js';
import type { ModelSettings } from '../udfs/model-function.js';
import { batchOf, blobColumn, rowOf } from './helpers/runtime-fixtures.js';

const udfs = createUdfs({ threads: 1 });
after(() => udfs.close());

const settings: ModelSettings = { threads: 1, batchSize: 64, get: () => undefined };

test('sizes: none is 224 x 224, a width alone is square, out of range is refused', () => {
  assert.deepEqual(imageSize(undefined, undefined), { width: 224, height: 224 });
  assert.deepEqual(imageSize(32, undefined), { width: 32, height: 32 });
  assert.deepEqual(imageSize(32, 16), { width: 32, height: 16 });
  assert.throws(() => imageSize(0, 5), /width must be an integer from 1 to 8192, found 0/);
  assert.throws(() => imageSize(5, 'x'), /height must be an integer from 1 to 8192, found "x"/);
});

test('decodes to the default size, or to the size its constant arguments give', async () => {
  const fn = udfs.registry.get('IMAGE_TO_TENSOR');
  assert.ok(fn);
  const png = await sharp({ create: { width: 40, height: 30, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.5 } } }).png().toBuffer();
  const call = await fn.prepare({ settings });
  assert.match(call.description, /224x224 RGB on 1 worker x 1 thread, batch 64/);
  const full = await call.run(batchOf(0, 2, blobColumn([png, null])));
  assert.equal(rowOf(full, 0)?.length, 224 * 224 * 3);
  assert.equal(rowOf(full, 1), null);
  const sized = await fn.prepare({ settings, constants: [undefined, 4, 2] });
  assert.match(sized.description, /4x2 RGB/);
  const small = await sized.run(batchOf(0, 1, blobColumn([png]), { kind: 'constant', value: 4 }, { kind: 'constant', value: 2 }));
  assert.deepEqual([...(rowOf(small, 0) ?? [])], Array.from({ length: 8 }, () => [10, 20, 30]).flat());
  await assert.rejects(fn.prepare({ settings, constants: [undefined, 100000] }), /width must be an integer from 1 to 8192/);
});
