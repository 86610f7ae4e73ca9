// Bad rows in the worker kernels, under both row-error policies: 'fail' rejects with a RowError naming the
// row and the reason; 'null' gives NULL for the bad row and still processes every other row of the batch.
// NULL is always NULL. Unusual but valid images (animated GIF, CMYK, 16-bit, EXIF-rotated) decode fine.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { RowError, type ArgColumn, type RowErrorPolicy } from '../udfs/model-function.js';
import { ModelRuntime } from '../udfs/runtime/model-runtime.js';
import { animatedGif, cmykJpeg, exifRotatedJpeg, onePixelPng, png16, pngBomb, truncatedJpeg } from './helpers/bad-images.js';
import { batchOf, blobColumn, floatColumn, flattenImageModel, rowOf, scaleModel } from './helpers/runtime-fixtures.js';

const SIDE = 8;
const LENGTH = SIDE * SIDE * 3;
const runtime = new ModelRuntime({ threads: 2, workers: 1 });
const model = runtime.share('flatten8', flattenImageModel(SIDE, SIDE));
after(() => runtime.close());

const imageModel = (column: ArgColumn, policy: RowErrorPolicy, firstRow = 10) =>
  runtime.run({
    kernel: 'image_model',
    model,
    batch: { ...batchOf(firstRow, 3, column), onRowError: policy },
    width: SIDE,
    height: SIDE,
    preprocess: 'none',
  });

const good = Float32Array.from({ length: LENGTH }, (_, i) => i % 256);

/** Row 1 of [good, bad, good] fails with `reason` under 'fail', and is NULL under 'null' with both good rows intact. */
async function checkBadRow(column: ArgColumn, reason: RegExp): Promise<void> {
  await assert.rejects(imageModel(column, 'fail'), (error: unknown) => {
    assert.ok(error instanceof RowError, String(error));
    assert.equal(error.row, 11);
    assert.match(error.reason, reason);
    return true;
  });
  const result = await imageModel(column, 'null');
  assert.deepEqual([...result.valid], [1, 0, 1]);
  assert.equal(result.rowErrors?.length, 1);
  assert.equal(result.rowErrors![0]!.row, 11);
  assert.match(result.rowErrors![0]!.reason, reason);
  return undefined;
}

const floatRows = (bad: Float32Array | number[]) => floatColumn([good, bad, good]);

test('float lists: empty, wrong length, NaN, Infinity and -Infinity are bad rows', async () => {
  await checkBadRow(floatRows([]), /^expected 192 values \(8x8x3\), found an empty list$/);
  await checkBadRow(floatRows(new Float32Array(1000)), /^expected 192 values \(8x8x3\), found 1000$/);
  for (const [value, text] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']] as const) {
    const bad = new Float32Array(good);
    bad[5] = value;
    await checkBadRow(floatRows(bad), new RegExp(`^value 6 of 192 is ${text}.*must be finite`));
  }
});

test("under 'null' the good rows of a batch with bad rows come out exactly as without them", async () => {
  const result = await imageModel(floatColumn([good, [1, 2], good]), 'null');
  assert.deepEqual([...rowOf(result, 0)!], [...good]);
  assert.equal(rowOf(result, 1), null);
  assert.deepEqual([...rowOf(result, 2)!], [...good]);
});

test('NULL rows are NULL under both policies and are no errors', async () => {
  for (const policy of ['fail', 'null'] as const) {
    const result = await imageModel(floatColumn([good, null, null]), policy);
    assert.deepEqual([...result.valid], [1, 0, 0]);
    assert.equal(result.rowErrors, undefined);
  }
});

test('every row bad under null: all NULL, each listed', async () => {
  const result = await imageModel(floatColumn([[1], [], [NaN]]), 'null');
  assert.deepEqual([...result.valid], [0, 0, 0]);
  assert.deepEqual(result.rowErrors!.map((f) => f.row), [10, 11, 12]);
});

const png = () => sharp({ create: { width: 16, height: 16, channels: 3, background: '#336699' } }).png().toBuffer();
const blobRows = async (bad: Uint8Array) => blobColumn([await png(), bad, await png()]);

test('BLOBs: truncated JPEG, zero bytes, plain text, 1x1 are bad rows with their reason', async () => {
  await checkBadRow(await blobRows(await truncatedJpeg()), /^cannot decode image: .*(premature end|truncated or corrupt)/);
  await checkBadRow(await blobRows(new Uint8Array(0)), /^cannot decode image: the BLOB is empty \(0 bytes\)$/);
  await checkBadRow(await blobRows(new TextEncoder().encode('hello, not an image')), /^cannot decode image: Input buffer contains unsupported image format$/);
  await checkBadRow(await blobRows(await onePixelPng()), /^cannot decode image: the image is 1x1: a single pixel is a placeholder, not a picture/);
});

test('a decompression bomb (a 74-byte PNG declaring 50000x50000) is refused from its header, fast and small', async () => {
  const bomb = pngBomb();
  assert.ok(bomb.length < 100);
  const started = performance.now();
  await checkBadRow(await blobRows(bomb), /^cannot decode image: the image is 50000x50000 \(2500 megapixels\), over the limit of 100 megapixels$/);
  assert.ok(performance.now() - started < 5000);
  // Decoding it would take 7.5 GB; the worker never came near.
  assert.ok(process.memoryUsage().rss < 1.5e9);
});

const decodeOne = async (bytes: Uint8Array, width = SIDE, height = SIDE) => {
  const result = await runtime.run({ kernel: 'image_to_tensor', batch: batchOf(0, 1, blobColumn([bytes])), width, height });
  return [...rowOf(result, 0)!];
};
const pixel = (values: number[], width: number, x: number, y: number) => values.slice((y * width + x) * 3, (y * width + x) * 3 + 3);
const near = (actual: number[], expected: number[], tolerance: number) =>
  assert.ok(actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance), `${actual} is not near ${expected}`);

test('an animated GIF decodes to its first frame', async () => {
  near(pixel(await decodeOne(await animatedGif()), SIDE, 3, 3), [255, 0, 0], 2);
});

test('a CMYK JPEG decodes to sRGB', async () => {
  const [r, g, b] = pixel(await decodeOne(await cmykJpeg()), SIDE, 3, 3);
  assert.ok(r! > 180 && g! < 60 && b! < 60, `CMYK red decoded as ${[r, g, b]}`);
});

test('a 16-bit PNG decodes to 0..255', async () => {
  near(pixel(await decodeOne(await png16()), SIDE, 3, 3), [255, 128, 0], 1);
});

test('an EXIF-rotated JPEG is decoded upright', async () => {
  // Upright it is 8 wide and 16 high, red on top, blue below; unrotated the bottom-left would be red.
  const values = await decodeOne(await exifRotatedJpeg(), 8, 16);
  near(pixel(values, 8, 1, 1), [255, 0, 0], 40);
  near(pixel(values, 8, 1, 14), [0, 0, 255], 40);
});

test("image_to_tensor under 'null': the bad rows NULL, the others decoded", async () => {
  const batch = { ...batchOf(0, 4, blobColumn([await png(), new Uint8Array(0), null, await png()])), onRowError: 'null' as const };
  const result = await runtime.run({ kernel: 'image_to_tensor', batch, width: 4, height: 4 });
  assert.deepEqual([...result.valid], [1, 0, 0, 1]);
  assert.deepEqual(result.rowErrors, [{ row: 1, reason: 'cannot decode image: the BLOB is empty (0 bytes)' }]);
  assert.equal(result.values.length, 2 * 4 * 4 * 3);
  assert.deepEqual([...rowOf(result, 3)!], [...rowOf(result, 0)!]);
});

test("the onnx kernel under 'null': bad rows NULL, the model runs on the others", async () => {
  const scale = runtime.share('scale2', scaleModel(2));
  const batch = { ...batchOf(5, 4, floatColumn([[1, 2, 3, 4], [1, 2], [NaN, 0, 0, 0], [5, 6, 7, 8]])), onRowError: 'null' as const };
  const result = await runtime.run({ kernel: 'onnx', model: scale, batch, rowShape: [4] });
  assert.deepEqual([...result.valid], [1, 0, 0, 1]);
  assert.deepEqual([...rowOf(result, 0)!], [2, 4, 6, 8]);
  assert.deepEqual([...rowOf(result, 3)!], [10, 12, 14, 16]);
  assert.deepEqual(result.rowErrors!.map((f) => f.row), [6, 7]);
  await assert.rejects(runtime.run({ kernel: 'onnx', model: scale, batch: { ...batch, onRowError: 'fail' }, rowShape: [4] }), /row 7: expected 4 values/);
});
