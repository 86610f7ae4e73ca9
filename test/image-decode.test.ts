// Image decoding, as image_to_tensor and predict_resnet50 see images: JPEG, PNG with alpha, greyscale,
// EXIF orientation, WebP; RGB floats 0..255 laid out height, width, channel.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeImageInto } from '../udfs/images/decode-image.js';
import { ModelRuntime } from '../udfs/runtime/model-runtime.js';
import { batchOf, blobColumn, rowOf } from './helpers/runtime-fixtures.js';

/** A 4 x 2 image: top row red, green, blue, white; bottom row black, grey, yellow, cyan. */
const PIXELS = [
  [255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255],
  [0, 0, 0], [128, 128, 128], [255, 255, 0], [0, 255, 255],
];

function raw(channels: 3 | 4, alpha = 77): Buffer {
  return Buffer.from(PIXELS.flatMap((p) => (channels === 4 ? [...p, alpha] : p)));
}

async function decode(bytes: Uint8Array, width: number, height: number): Promise<number[]> {
  const out = new Float32Array(width * height * 3);
  await decodeImageInto(bytes, width, height, out, 0);
  return [...out];
}

test('PNG decodes exactly, as height x width x RGB', async () => {
  const png = await sharp(raw(3), { raw: { width: 4, height: 2, channels: 3 } }).png().toBuffer();
  assert.deepEqual(await decode(png, 4, 2), PIXELS.flat());
});

test('PNG with alpha keeps the colour channels and drops the alpha', async () => {
  const png = await sharp(raw(4), { raw: { width: 4, height: 2, channels: 4 } }).png().toBuffer();
  assert.deepEqual(await decode(png, 4, 2), PIXELS.flat());
});

test('greyscale is expanded to three equal channels', async () => {
  const grey = Buffer.from([0, 50, 100, 150, 200, 250]);
  const png = await sharp(grey, { raw: { width: 3, height: 2, channels: 1 } }).png().toBuffer();
  const values = await decode(png, 3, 2);
  assert.deepEqual(values, [...grey].flatMap((g) => [g, g, g]));
});

test('greyscale with alpha is expanded to three channels, alpha dropped', async () => {
  const greyAlpha = Buffer.from([0, 255, 50, 0, 100, 128, 150, 255, 200, 0, 250, 9]);
  const png = await sharp(greyAlpha, { raw: { width: 3, height: 2, channels: 2 } }).png().toBuffer();
  assert.deepEqual(await decode(png, 3, 2), [0, 50, 100, 150, 200, 250].flatMap((g) => [g, g, g]));
});

test('transparent pixels keep their colour through a resize (alpha is dropped first, not premultiplied)', async () => {
  const png = await sharp({ create: { width: 40, height: 30, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0 } } })
    .png()
    .toBuffer();
  assert.deepEqual(await decode(png, 4, 2), Array.from({ length: 8 }, () => [10, 20, 30]).flat());
});

test('lossless WebP decodes exactly', async () => {
  const webp = await sharp(raw(3), { raw: { width: 4, height: 2, channels: 3 } }).webp({ lossless: true }).toBuffer();
  assert.deepEqual(await decode(webp, 4, 2), PIXELS.flat());
});

/** 64 x 32: left half red, right half blue. */
async function halvesJpeg(orientation?: number): Promise<Buffer> {
  const pixels = Buffer.alloc(64 * 32 * 3);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 64; x++) pixels.set(x < 32 ? [255, 0, 0] : [0, 0, 255], (y * 64 + x) * 3);
  }
  const image = sharp(pixels, { raw: { width: 64, height: 32, channels: 3 } });
  return (orientation === undefined ? image : image.withMetadata({ orientation })).jpeg({ quality: 95 }).toBuffer();
}

function pixelAt(values: number[], width: number, x: number, y: number): number[] {
  const i = (y * width + x) * 3;
  return values.slice(i, i + 3).map(Math.round);
}

function near(actual: number[], expected: number[]): boolean {
  return actual.every((v, i) => Math.abs(v - (expected[i] as number)) <= 12);
}

test('JPEG decodes and resizes to the requested width and height', async () => {
  const values = await decode(await halvesJpeg(), 16, 8);
  assert.equal(values.length, 16 * 8 * 3);
  assert.ok(near(pixelAt(values, 16, 2, 4), [255, 0, 0]), 'left is red');
  assert.ok(near(pixelAt(values, 16, 13, 4), [0, 0, 255]), 'right is blue');
});

test('the EXIF orientation is applied before resizing', async () => {
  // Orientation 6: the stored image is displayed turned 90 degrees clockwise, so its left half is on top.
  const values = await decode(await halvesJpeg(6), 32, 64);
  assert.ok(near(pixelAt(values, 32, 16, 8), [255, 0, 0]), 'top is red');
  assert.ok(near(pixelAt(values, 32, 16, 56), [0, 0, 255]), 'bottom is blue');
});

test('image_to_tensor decodes a batch in a worker, NULL rows stay NULL', async (t) => {
  const runtime = new ModelRuntime({ threads: 1, workers: 1 });
  t.after(() => runtime.close());
  const png = await sharp(raw(3), { raw: { width: 4, height: 2, channels: 3 } }).png().toBuffer();
  const result = await runtime.run({ kernel: 'image_to_tensor', batch: batchOf(0, 3, blobColumn([png, null, png])), width: 4, height: 2 });
  assert.deepEqual([...(rowOf(result, 0) ?? [])], PIXELS.flat());
  assert.equal(rowOf(result, 1), null);
  assert.deepEqual([...(rowOf(result, 2) ?? [])], PIXELS.flat());
});
