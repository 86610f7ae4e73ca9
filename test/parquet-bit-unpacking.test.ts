// Bit-packed levels of every width from 1 to 32, against a plain bit-by-bit reference: at the array's
// start and at an offset, with values ending exactly at the array's end (the checked tail) and with bytes
// to spare (the unchecked reads).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unpack } from '../engine/parquet/hybrid-runs.js';
import { pack } from './helpers/bit-packing.js';

test('every width from 1 to 32 unpacks to the values packed, wherever they lie in the array', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let width = 1; width <= 32; width++) {
    for (const count of [8, 64, 4096]) {
      const values = Array.from({ length: count }, (_, i) => (i < 8 ? 2 ** width - 1 - i % 2 : Math.floor(random() * 2 ** width)));
      for (const [at, spare] of [[0, 0], [3, 0], [0, 7], [5, 2]] as const) {
        const out = new Int32Array(count);
        unpack(pack(values, width, at, spare), at, width, count, out);
        assert.deepEqual([...out].map((v) => v >>> 0), values, `width ${width}, ${count} values at byte ${at}, ${spare} spare`);
      }
    }
  }
});
