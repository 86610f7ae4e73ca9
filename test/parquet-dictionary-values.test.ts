// Dictionary-encoded values as the compiled lookup decodes them, against a plain reference: index widths
// 1 to 32 in bit-packed runs of several slices and in RLE runs, taken in pieces of odd sizes with skips,
// for every value size (1, 4 and 8 bytes); bad indices; pages of one chunk, and of another dictionary, in
// memories used before.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TensorValues } from '../udfs/index.js';
import { DictionaryValues } from '../engine/parquet/dictionary-values.js';
import { PageFault } from '../engine/parquet/page-fault.js';
import { KernelMemory } from '../engine/parquet/kernel-memory.js';
import { SnappyElements } from '../engine/parquet/snappy-elements.js';
import { pack } from './helpers/bit-packing.js';
import { memoryStream } from './helpers/byte-streams.js';

type Run = { readonly rle: number; readonly count: number } | { readonly packed: readonly number[] };

function varint(value: number): number[] {
  const out: number[] = [];
  for (; value >= 0x80; value = Math.floor(value / 128)) out.push((value % 128) | 0x80);
  out.push(value);
  return out;
}

/** The RLE / bit-packed hybrid bytes of `runs` (a packed run's length a multiple of 8). */
function encode(runs: readonly Run[], width: number): Uint8Array {
  const out: number[] = [];
  for (const run of runs) {
    if ('rle' in run) {
      out.push(...varint(run.count * 2));
      for (let i = 0; i < Math.ceil(width / 8); i++) out.push(Math.floor(run.rle / 2 ** (8 * i)) % 256);
      continue;
    }
    out.push(...varint((run.packed.length / 8) * 2 + 1), ...pack(run.packed, width, 0, 0));
  }
  return Uint8Array.from(out);
}

function indicesOf(runs: readonly Run[]): number[] {
  return runs.flatMap((run) => ('rle' in run ? Array<number>(run.count).fill(run.rle) : run.packed));
}

/** Reads `total` values from `decoder` in pieces of odd sizes, skipping every fifth piece; returns the values and what was skipped. */
async function readPieces(decoder: DictionaryValues, total: number, make: (n: number) => TensorValues): Promise<{ got: TensorValues; skipped: boolean[] }> {
  const got = make(total);
  const skipped = Array<boolean>(total).fill(false);
  const pieces = [1, 7, 4095, 3, 8, 5000, 16, 17, 33, 1];
  for (let at = 0, k = 0; at < total; k++) {
    const n = Math.min(pieces[k % pieces.length]!, total - at);
    if (k % 5 === 4) {
      await decoder.skip(n);
      skipped.fill(true, at, at + n);
    } else await decoder.read(got, at, n);
    at += n;
  }
  return { got, skipped };
}

const SIZES: readonly [string, (n: number) => TensorValues, (i: number) => number | bigint][] = [
  ['FLOAT', (n) => new Float32Array(n), (i) => i * 0.5 - 3],
  ['INTEGER', (n) => new Int32Array(n), (i) => -i * 7],
  ['DOUBLE', (n) => new Float64Array(n), (i) => i / 3],
  ['BIGINT', (n) => new BigInt64Array(n), (i) => BigInt(i) * 1_000_000_007n],
  ['UTINYINT', (n) => new Uint8Array(n), (i) => i % 251],
];

function dictionaryOf(make: (n: number) => TensorValues, value: (i: number) => number | bigint, size: number): TensorValues {
  const dictionary = make(size);
  for (let i = 0; i < size; i++) dictionary[i] = value(i) as never;
  return dictionary;
}

describe('dictionary values', () => {
  test('every index width from 1 to 32, bit-packed over several slices and RLE, every value size, read in pieces with skips', async () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let width = 1; width <= 32; width++) {
      const size = Math.min(2 ** width, 3000);
      const packed = (n: number) => Array.from({ length: n }, (_, i) => (i % 97 === 0 ? size - 1 : Math.floor(random() * size)));
      const runs: Run[] = [{ packed: packed(8) }, { rle: size - 1, count: 40 }, { packed: packed(9000) }, { rle: 0, count: 3 }, { packed: packed(16) }, { rle: Math.floor(size / 2), count: 1 }];
      const indices = indicesOf(runs);
      const bytes = encode(runs, width);
      for (const [type, make, value] of SIZES) {
        const dictionary = dictionaryOf(make, value, size);
        const decoder = new DictionaryValues(memoryStream(bytes), bytes.length, width, dictionary);
        const { got, skipped } = await readPieces(decoder, indices.length, make);
        decoder.close();
        for (let i = 0; i < indices.length; i++) {
          const want = skipped[i] ? make(1)[0] : dictionary[indices[i]!];
          if (got[i] !== want) assert.fail(`width ${width}, ${type}: value ${i} is ${got[i]}, expected ${want}`);
        }
      }
    }
  });

  test('a NaN in the dictionary keeps its bits', async () => {
    const dictionary = new Float32Array(new Uint32Array([0x7fc00001, 0xffc12345, 0x3f800000]).buffer);
    const runs: Run[] = [{ packed: [0, 1, 2, 1, 0, 2, 2, 1] }, { rle: 1, count: 20 }];
    const decoder = new DictionaryValues(memoryStream(encode(runs, 2)), encode(runs, 2).length, 2, dictionary);
    const got = new Float32Array(28);
    await decoder.read(got, 0, 28);
    decoder.close();
    const bits = new Uint32Array(dictionary.buffer);
    assert.deepEqual([...new Uint32Array(got.buffer)], indicesOf(runs).map((i) => bits[i]));
  });

  test('an index beyond the dictionary is a PageFault where it is read, and passed over where it is skipped', async () => {
    const packed = Array.from({ length: 64 }, (_, i) => i % 5);
    packed[10] = 7;
    packed[40] = 6;
    const runs: Run[] = [{ packed }, { rle: 9, count: 4 }];
    const bytes = encode(runs, 3);
    const dictionary = Float32Array.from([10, 11, 12, 13, 14]);
    const reading = new DictionaryValues(memoryStream(bytes), bytes.length, 3, dictionary);
    const got = new Float32Array(64);
    await reading.read(got, 0, 10);
    await assert.rejects(reading.read(got, 10, 1), (e: unknown) => e instanceof PageFault && /index is 7, but the dictionary has 5 values/.test(e.message));
    reading.close();
    // Skipping both bad ones, the values around them are right; the RLE run's bad index fails when read too.
    const skipping = new DictionaryValues(memoryStream(bytes), bytes.length, 3, dictionary);
    await skipping.read(got, 0, 10);
    await skipping.skip(1);
    await skipping.read(got, 11, 29);
    await skipping.skip(1);
    await skipping.read(got, 41, 23);
    const expected = packed.map((i) => (i < 5 ? 10 + i : 0));
    assert.deepEqual([...got.subarray(0, 10)], expected.slice(0, 10));
    assert.deepEqual([...got.subarray(11, 40)], expected.slice(11, 40));
    assert.deepEqual([...got.subarray(41)], expected.slice(41));
    await assert.rejects(skipping.read(new Float32Array(1), 0, 1), /index is 9, but the dictionary has 5 values/);
    skipping.close();
  });

  test('indices that end before the page says, or an empty run, are PageFaults; reading after close is an error', async () => {
    const bytes = encode([{ packed: [1, 2, 3, 0, 1, 2, 3, 0] }], 2);
    const dictionary = Float32Array.from([1, 2, 3, 4]);
    const short = new DictionaryValues(memoryStream(bytes.subarray(0, bytes.length - 1)), bytes.length - 1, 2, dictionary);
    await assert.rejects(short.read(new Float32Array(8), 0, 8), /end before the page says/);
    short.close();
    const past = new DictionaryValues(memoryStream(bytes), bytes.length, 2, dictionary);
    await past.read(new Float32Array(8), 0, 8);
    await assert.rejects(past.read(new Float32Array(1), 0, 1), /end before the page says/);
    past.close();
    const empty = Uint8Array.of(0, 1);
    const emptyRun = new DictionaryValues(memoryStream(empty), empty.length, 2, dictionary);
    await assert.rejects(emptyRun.read(new Float32Array(1), 0, 1), /empty run/);
    emptyRun.close();
    await assert.rejects(emptyRun.read(new Float32Array(1), 0, 1), /after it was closed/);
  });

  test("a chunk's pages reuse the dictionary's copy; another dictionary, or another decoder's use of the memory, replaces it", async () => {
    const runs: Run[] = [{ packed: Array.from({ length: 4096 * 2 }, (_, i) => (i * 31) % 200) }];
    const bytes = encode(runs, 8);
    const indices = indicesOf(runs);
    const first = Float32Array.from({ length: 200 }, (_, i) => i + 0.25);
    const second = Float32Array.from({ length: 200 }, (_, i) => -i);
    const page = async (dictionary: Float32Array) => {
      const decoder = new DictionaryValues(memoryStream(bytes), bytes.length, 8, dictionary);
      const got = new Float32Array(indices.length);
      await decoder.read(got, 0, indices.length);
      decoder.close();
      assert.deepEqual([...got], indices.map((i) => dictionary[i]));
    };
    await page(first);
    await page(first);
    await page(second);
    await page(first);
    // A snappy decoder takes the memory given back last and writes over the dictionary's copy.
    const snappy = SnappyElements.acquire(1000, 98_000);
    snappy.window.fill(0xff);
    snappy.release();
    await page(first);
    await page(second);
  });

  test('a closed decoder\'s memory serves the next one, except a memory larger than 32 MiB', () => {
    const small = KernelMemory.lease(1 << 20);
    small.release();
    const again = KernelMemory.lease(1 << 20);
    assert.equal(again.memory, small.memory);
    again.release();
    const large = KernelMemory.lease(40 << 20);
    large.release();
    const next = KernelMemory.lease(40 << 20);
    assert.notEqual(next.memory, large.memory);
    next.release();
  });
});
