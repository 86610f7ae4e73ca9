// The resumable snappy and LZ4 block decoders against the libraries' whole-block results, byte for byte:
// on random, repetitive and float data, long and overlapping matches, many sizes, compressed input taken
// a few bytes at a time and output read in odd pieces, in windows small enough to slide many times.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as snappyjs from 'snappyjs';
import { DecodedStream } from '../engine/parquet/decoded-stream.js';
import type { BlockDecoderSizes } from '../engine/parquet/block-decoder.js';
import { Lz4Decoder } from '../engine/parquet/lz4-decoder.js';
import { PageFault } from '../engine/parquet/page-fault.js';
import { SnappyDecoder } from '../engine/parquet/snappy-decoder.js';
import { SnappyElements } from '../engine/parquet/snappy-elements.js';
import { lz4Compress, memoryStream, readAll, SAMPLE_KINDS, sampleData, wholePage } from './helpers/byte-streams.js';

const SIZES = [0, 1, 2, 3, 4, 5, 15, 16, 17, 60, 61, 255, 256, 4096, 65535, 65536, 65537, 200_003];
// Default buffers; input taken 8 and 13 bytes at a time; and windows that slide every few dozen bytes.
const LAYOUTS: readonly Partial<BlockDecoderSizes>[] = [{}, { input: 8 }, { input: 13, history: 65536, area: 37 }, { input: 4096, history: 65536, area: 1000 }];

type Decoder = typeof SnappyDecoder | typeof Lz4Decoder;

async function decode(Decoder: Decoder, codec: string, block: Uint8Array, length: number, sizes: Partial<BlockDecoderSizes>, skips = false) {
  const stream = new DecodedStream(new Decoder(memoryStream(block), block.length, length, sizes), length, codec);
  try {
    return await readAll(stream, length, { skips });
  } finally {
    stream.close();
  }
}

function masked(data: Uint8Array, skipped: Uint8Array): Uint8Array {
  return data.map((b, i) => (skipped[i] === 0xee ? 0xee : b));
}

for (const [codec, Decoder, compress] of [
  ['SNAPPY', SnappyDecoder, (d: Uint8Array) => snappyjs.compress(d)],
  ['LZ4_RAW', Lz4Decoder, lz4Compress],
] as const) {
  describe(`${codec} block decoder`, () => {
    for (const kind of SAMPLE_KINDS) {
      test(`${kind} data of many sizes equals the library's whole-block result in every buffer layout`, async () => {
        for (const size of SIZES) {
          const data = sampleData(kind, size, size + 1);
          const block = compress(data);
          const expected = await wholePage(codec, block, size);
          assert.ok(Buffer.from(expected).equals(Buffer.from(data)), `the library round-trips ${size} bytes`);
          for (const sizes of LAYOUTS) {
            const got = await decode(Decoder, codec, block, size, sizes);
            assert.ok(Buffer.from(got).equals(Buffer.from(expected)), `${kind}, ${size} bytes, ${JSON.stringify(sizes)}`);
          }
        }
      });
    }

    test('skipping decodes the skipped bytes: what follows is still right', async () => {
      const data = sampleData('long-matches', 300_000);
      const got = await decode(Decoder, codec, compress(data), data.length, { input: 13, history: 65536, area: 501 }, true);
      assert.ok(Buffer.from(got).equals(Buffer.from(masked(data, got))));
      assert.ok(got.some((b) => b === 0xee) && got.some((b) => b !== 0xee));
    });

    test('a page of 3 MB of zeros: very long matches, whose lengths span many input refills', async () => {
      const data = new Uint8Array(3_000_000);
      const block = compress(data);
      const got = await decode(Decoder, codec, block, data.length, { input: 8, history: 65536, area: 70_001 });
      assert.ok(Buffer.from(got).equals(Buffer.from(data)));
    });

    test('a wrong page size, truncated or extra input, is a PageFault, never a hang or a silent result', async () => {
      const data = sampleData('long-matches', 100_000);
      const block = compress(data);
      const cases: [string, Uint8Array, number][] = [
        ['one byte less in the header', block, data.length - 1],
        ['one byte more in the header', block, data.length + 1],
        ['truncated by one byte', block.subarray(0, block.length - 1), data.length],
        ['truncated to half', block.subarray(0, block.length >> 1), data.length],
        ['a trailing byte', Uint8Array.from([...block, 0]), data.length],
      ];
      for (const [what, bytes, length] of cases) {
        for (const sizes of [{}, { input: 8 }]) {
          await assert.rejects(decode(Decoder, codec, bytes, length, sizes), (e: unknown) => {
            assert.ok(e instanceof PageFault, `${what}: ${String(e)}`);
            assert.match(e.message, /\d/, 'the message says what was expected and found');
            return true;
          });
        }
      }
    });
  });
}

/** A snappy block made element by element: [literal bytes] or [offset, length, kind (1, 2 or 3)]. */
function snappyBlock(length: number, elements: readonly (Uint8Array | readonly [number, number, 1 | 2 | 3])[]): Uint8Array {
  const out: number[] = [];
  for (let v = length; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      out.push(v);
      break;
    }
    out.push((v & 0x7f) | 0x80);
  }
  for (const e of elements) {
    if (e instanceof Uint8Array) {
      const n = e.length - 1;
      if (n < 60) out.push(n << 2);
      else {
        const bytes = n < 1 << 8 ? 1 : n < 1 << 16 ? 2 : n < 1 << 24 ? 3 : 4;
        out.push((59 + bytes) << 2);
        for (let i = 0; i < bytes; i++) out.push((n >>> (8 * i)) & 0xff);
      }
      for (const b of e) out.push(b);
    } else {
      const [offset, len, kind] = e;
      if (kind === 1) out.push(((offset >> 8) << 5) | ((len - 4) << 2) | 1, offset & 0xff);
      else if (kind === 2) out.push(((len - 1) << 2) | 2, offset & 0xff, offset >> 8);
      else out.push(((len - 1) << 2) | 3, offset & 0xff, (offset >> 8) & 0xff, (offset >> 16) & 0xff, offset >>> 24);
    }
  }
  return Uint8Array.from(out);
}

describe('SNAPPY elements no common encoder writes', () => {
  test('literal lengths of 1 to 3 extra bytes, 4-byte offsets, copies reaching 1 MiB back and overlapping copies', async () => {
    const short = sampleData('random', 200, 4);
    const head = sampleData('random', 70_000, 5);
    const far = sampleData('random', 1 << 20, 6);
    const length = short.length + head.length + far.length + 64 + 64 + 40 + 3 + 64;
    const block = snappyBlock(length, [
      short, // a literal with 1 extra length byte
      head, // 3 extra bytes (69999 needs more than 2)
      far,
      [1 << 20, 64, 3], // a 4-byte offset reaching back 1 MiB, into `far`'s start
      [length - 64 - 40 - 3 - 64, 64, 3], // back to the page's first byte
      [3, 40, 2], // overlapping: a 3-byte pattern repeated
      Uint8Array.of(1, 2, 3),
      [1, 64, 2], // a run of one byte
    ]);
    const expected = await wholePage('SNAPPY', block, length);
    for (const sizes of [{}, { input: 8, history: 4 << 20, area: 777 }]) {
      const got = await decode(SnappyDecoder, 'SNAPPY', block, length, sizes);
      assert.ok(Buffer.from(got).equals(Buffer.from(expected)), JSON.stringify(sizes));
    }
  });

  test('copies taken a word at a time: overlapping ones from 4 to 7 bytes back (4-byte words), from 8 to 15 (8-byte words), and their odd tails', async () => {
    const head = sampleData('random', 100, 8);
    const tail = sampleData('random', 200, 9);
    const copies: (readonly [number, number, 1 | 2])[] = [
      [4, 4, 1], [5, 11, 1], [4, 11, 1], [7, 9, 1], [6, 64, 2], [4, 64, 2], [8, 5, 1], [4, 6, 1], [99, 7, 1], [100, 63, 2], [3, 10, 1],
      [8, 64, 2], [9, 13, 2], [15, 64, 2], [12, 11, 1], [8, 9, 1], [11, 17, 2], [16, 7, 1], [14, 33, 2],
    ];
    const length = head.length + copies.reduce((n, [, len]) => n + len, 0) + tail.length;
    // The trailing literal keeps more than 72 input bytes after each copy: the decoder's fast path takes them.
    const block = snappyBlock(length, [head, ...copies, tail]);
    const expected = await wholePage('SNAPPY', block, length);
    for (const sizes of [{}, { input: 8, history: 65536, area: 37 }]) {
      const got = await decode(SnappyDecoder, 'SNAPPY', block, length, sizes);
      assert.ok(Buffer.from(got).equals(Buffer.from(expected)), JSON.stringify(sizes));
    }
  });

  test('literals of every short length and copies of every kind and length, in the fast path', async () => {
    // Each element is followed by more than 72 input bytes, so the fast path takes it; its word copies write
    // up to 7 bytes past an element's end, which the next element must overwrite.
    const elements: (Uint8Array | readonly [number, number, 1 | 2])[] = [sampleData('random', 100, 11)];
    for (let length = 1; length <= 60; length++) {
      elements.push(sampleData('random', length, length), [4 + (length % 9), 4 + (length % 8), 1], [1 + (length % 6), 1 + length, 2]);
    }
    elements.push(sampleData('random', 200, 12));
    const length = elements.reduce((n, e) => n + (e instanceof Uint8Array ? e.length : e[1]), 0);
    const block = snappyBlock(length, elements);
    const expected = await wholePage('SNAPPY', block, length);
    for (const sizes of [{}, { input: 8, history: 65536, area: 37 }, { input: 4096, history: 65536, area: 300 }]) {
      const got = await decode(SnappyDecoder, 'SNAPPY', block, length, sizes);
      assert.ok(Buffer.from(got).equals(Buffer.from(expected)), JSON.stringify(sizes));
    }
  });

  test('in the fast path too, a copy before the page start or with offset 0 is a PageFault', async () => {
    for (const element of [[150, 8, 2], [101, 4, 1], [0, 4, 1], [0, 20, 2]] as const) {
      const block = snappyBlock(400 + element[1], [sampleData('random', 100, 13), element, sampleData('random', 300, 14)]);
      await assert.rejects(decode(SnappyDecoder, 'SNAPPY', block, 400 + element[1], {}), PageFault, JSON.stringify(element));
    }
  });

  test('pages decoded at the same time, interleaved, each in a memory of its own; closed pages\' memories serve the next', async () => {
    // Decoders of closed pages hand their WebAssembly memory to later ones, with the old page's bytes in it.
    const pages = ['image-floats', 'random', 'long-matches', 'period-3'].map((kind, k) => {
      const data = sampleData(kind, 300_000 + k * 7919, 20 + k);
      return { data, block: snappyjs.compress(data) };
    });
    for (let round = 0; round < 3; round++) {
      const open = pages.map(({ data, block }) => ({ data, stream: new DecodedStream(new SnappyDecoder(memoryStream(block), block.length, data.length, { input: 4096, history: 65536, area: 50_000 }), data.length, 'SNAPPY'), got: new Uint8Array(data.length), at: 0 }));
      for (let piece = 1; open.some((p) => p.at < p.data.length); piece = (piece * 7) % 9973) {
        for (const p of open) {
          const n = Math.min(piece + 1, p.data.length - p.at);
          if (n === 0) continue;
          await p.stream.readInto(p.got.subarray(p.at, p.at + n));
          p.at += n;
        }
      }
      for (const [k, p] of open.entries()) {
        p.stream.close();
        assert.ok(Buffer.from(p.got).equals(Buffer.from(p.data)), `round ${round}, page ${k}`);
      }
    }
  });

  test('a closed page\'s memory goes to the next page once, however often it is closed, and cannot decode after', () => {
    const first = SnappyElements.acquire(1000, 70_000);
    first.release();
    first.release();
    const second = SnappyElements.acquire(1000, 70_000);
    const third = SnappyElements.acquire(1000, 70_000);
    assert.equal(second.window.buffer, first.window.buffer, 'the released memory is reused');
    assert.notEqual(third.window.buffer, second.window.buffer, 'and handed out once');
    assert.throws(() => first.decode(0, 1, 0, 1, 1), /after its decoder was closed/);
    second.release();
    third.release();
  });

  test('a copy from farther back than the kept history is a PageFault that says so', async () => {
    const far = sampleData('random', 100_000, 7);
    const block = snappyBlock(far.length + 10, [far, [90_000, 10, 3]]);
    await assert.rejects(decode(SnappyDecoder, 'SNAPPY', block, far.length + 10, { history: 65536, area: 1000 }), (e: unknown) => {
      assert.ok(e instanceof PageFault);
      assert.match(e.message, /copies from 90000 bytes back .* keeps the last 65536 bytes/);
      return true;
    });
  });

  test('a copy before the page start, or with offset 0, is a PageFault', async () => {
    for (const element of [[5, 4, 1], [0, 4, 1]] as const) {
      const block = snappyBlock(8, [Uint8Array.of(1, 2, 3, 4), element]);
      await assert.rejects(decode(SnappyDecoder, 'SNAPPY', block, 8, {}), PageFault);
    }
  });
});

describe('LZ4_RAW blocks', () => {
  test('an offset of 0 and a block ending in a match are PageFaults', async () => {
    // token: 4 literals, match of 4; literals; offset 0
    await assert.rejects(decode(Lz4Decoder, 'LZ4_RAW', Uint8Array.of(0x40, 1, 2, 3, 4, 0, 0), 8, {}), /offset 0/);
    // 4 literals then a match of 4 from offset 4, and no final literals
    await assert.rejects(decode(Lz4Decoder, 'LZ4_RAW', Uint8Array.of(0x40, 1, 2, 3, 4, 4, 0), 8, {}), /ends with a match/);
  });
});
