// Every codec's decompressing stream on real pages written by DuckDB (PARQUET_VERSION V1 and V2: DuckDB
// writes v1 data page headers in both; v2 pages come from the writer fixtures), against the
// library's whole-page result; faults (wrong sizes, truncated or corrupt data) as PageFaults; the file
// range stream under it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { fileRangeStream, type ByteStream } from '../engine/parquet/byte-stream.js';
import { codecUnsupported, decompressingStream, type CompressionCodec } from '../engine/parquet/codecs.js';
import { PageFault } from '../engine/parquet/page-fault.js';
import * as snappyjs from 'snappyjs';
import { lz4Compress, memoryStream, readAll, sampleData, wholePage } from './helpers/byte-streams.js';
import { parquetPages, type PageRef } from './helpers/parquet-pages.js';

const CODECS: readonly CompressionCodec[] = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'ZSTD', 'LZ4_RAW', 'BROTLI'];
const dir = mkdtempSync(join(tmpdir(), 'sqlinfer-codecs-'));
const files = new Map<string, string>();

before(async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  // Image-like floats in lists (one ~480 KB page per column chunk), and a few NULLs for the levels.
  await connection.run(`CREATE TABLE t AS SELECT i AS id, CASE WHEN i % 7 = 3 THEN NULL ELSE
    list_transform(range(3000), x -> floor(random() * 256)::FLOAT) END AS data FROM range(40) r(i)`);
  for (const codec of CODECS) {
    for (const version of ['V1', 'V2']) {
      const path = join(dir, `${codec}-${version}.parquet`);
      await connection.run(`COPY t TO '${path}' (COMPRESSION ${codec}, PARQUET_VERSION ${version})`);
      files.set(`${codec}-${version}`, path);
    }
  }
  connection.closeSync();
  instance.closeSync();
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** The page's compressed value bytes: after a v2 page's levels, which are never compressed. */
function valueRange(page: PageRef): { offset: number; compressed: number; uncompressed: number; codec: CompressionCodec } {
  const levels = page.v2?.levelBytes ?? 0;
  return {
    offset: page.offset + levels,
    compressed: page.compressedLength - levels,
    uncompressed: page.uncompressedLength - levels,
    codec: page.v2 !== undefined && !page.v2.compressed ? 'UNCOMPRESSED' : page.codec,
  };
}

async function bytesAt(path: string, offset: number, length: number): Promise<Uint8Array> {
  const file = await open(path);
  try {
    const out = new Uint8Array(length);
    await file.read(out, 0, length, offset);
    return out;
  } finally {
    await file.close();
  }
}

describe('decompressing streams on DuckDB pages', () => {
  for (const codec of CODECS) {
    for (const version of ['V1', 'V2']) {
      test(`${codec}, data pages ${version}: every page streams to the library's whole-page bytes`, { timeout: 120_000 }, async () => {
        const path = files.get(`${codec}-${version}`)!;
        const pages = await parquetPages(path);
        assert.ok(pages.length >= 2 && pages.every((p) => p.codec === codec));
        const file = await open(path);
        try {
          for (const page of pages) {
            const range = valueRange(page);
            const compressed = await bytesAt(path, range.offset, range.compressed);
            const expected = await wholePage(range.codec, compressed, range.uncompressed);
            for (const skips of [false, true]) {
              const stream = decompressingStream(range.codec, fileRangeStream(file, range.offset, range.compressed, 4099), range.compressed, range.uncompressed);
              const got = await readAll(stream, range.uncompressed, { skips });
              assert.equal(stream.position, range.uncompressed);
              stream.close();
              stream.close();
              const want = skips ? expected.map((b, i) => (got[i] === 0xee ? 0xee : b)) : expected;
              assert.ok(Buffer.from(got).equals(Buffer.from(want)), `${page.column} ${page.type}, skips ${skips}`);
            }
          }
        } finally {
          await file.close();
        }
      });
    }
  }
});

/** The largest page of a codec's v1 file, in memory: its compressed bytes and sizes. */
async function samplePage(codec: CompressionCodec): Promise<{ bytes: Uint8Array; length: number }> {
  const path = files.get(`${codec}-V1`)!;
  const page = (await parquetPages(path)).reduce((a, b) => (b.uncompressedLength > a.uncompressedLength ? b : a));
  return { bytes: await bytesAt(path, page.offset, page.compressedLength), length: page.uncompressedLength };
}

async function readFault(codec: CompressionCodec, compressed: ByteStream, compressedLength: number, length: number): Promise<PageFault> {
  const stream = decompressingStream(codec, compressed, compressedLength, length);
  try {
    await readAll(stream, length);
  } catch (error) {
    assert.ok(error instanceof PageFault, `${codec}: ${String(error)}`);
    return error;
  } finally {
    stream.close();
  }
  assert.fail(`${codec}: no PageFault`);
}

describe('faults', () => {
  for (const codec of CODECS) {
    test(`${codec}: a page header's size one byte off either way is a PageFault naming both sizes`, { timeout: 60_000 }, async () => {
      const { bytes, length } = await samplePage(codec);
      for (const claimed of [length - 1, length + 1]) {
        const fault = await readFault(codec, memoryStream(bytes), bytes.length, claimed);
        assert.match(fault.message, new RegExp(`${claimed}`), fault.message);
      }
    });

    test(`${codec}: truncated compressed bytes are a PageFault, never a hang`, { timeout: 60_000 }, async () => {
      const { bytes, length } = await samplePage(codec);
      for (const keep of [bytes.length - 1, bytes.length >> 1, 3]) {
        // The header says the page is shorter than it is, or the stream ends before the header's size.
        await readFault(codec, memoryStream(bytes.subarray(0, keep)), keep, length);
        await readFault(codec, memoryStream(bytes.subarray(0, keep)), bytes.length, length);
      }
    });
  }

  for (const codec of ['GZIP', 'ZSTD', 'BROTLI'] as const) {
    test(`${codec}: corrupt data is a PageFault, never a hang`, { timeout: 60_000 }, async () => {
      const { bytes, length } = await samplePage(codec);
      const spots = codec === 'GZIP' ? [0, 10, bytes.length >> 1, bytes.length - 5] : [0, 1, 4];
      for (const spot of spots) {
        const corrupt = Uint8Array.from(bytes);
        corrupt[spot] = corrupt[spot]! ^ 0x5a;
        await readFault(codec, memoryStream(corrupt), corrupt.length, length);
      }
      if (codec !== 'BROTLI') {
        // Bytes after the compressed data (node:zlib ignores them after a brotli stream's end).
        const trailing = Uint8Array.from([...bytes, 1, 2, 3, 4, 5, 6, 7, 8]);
        await readFault(codec, memoryStream(trailing), trailing.length, length);
      }
    });
  }

  test('GZIP: a page of two concatenated gzip members reads as one', async () => {
    const a = sampleData('long-matches', 100_000, 1);
    const b = sampleData('random', 50_000, 2);
    const both = Buffer.concat([zlib.gzipSync(a), zlib.gzipSync(b)]);
    const stream = decompressingStream('GZIP', memoryStream(both), both.length, a.length + b.length);
    assert.ok(Buffer.from(await readAll(stream, a.length + b.length)).equals(Buffer.concat([a, b])));
  });

  for (const codec of CODECS) {
    test(`${codec}: closing a stream part-way releases it; the next stream reads normally`, { timeout: 60_000 }, async () => {
      const { bytes, length } = await samplePage(codec);
      const early = decompressingStream(codec, memoryStream(bytes), bytes.length, length);
      await early.readInto(new Uint8Array(1001));
      early.close();
      await assert.rejects(early.readInto(new Uint8Array(1)));
      const expected = await wholePage(codec, bytes, length);
      const stream = decompressingStream(codec, memoryStream(bytes), bytes.length, length);
      assert.ok(Buffer.from(await readAll(stream, length)).equals(Buffer.from(expected)));
    });
  }
});

describe('several streams at once', () => {
  for (const codec of CODECS) {
    test(`${codec}: two pages read alternately, a piece of each in turn, are both right`, { timeout: 60_000 }, async () => {
      const { bytes, length } = await samplePage(codec);
      const expected = await wholePage(codec, bytes, length);
      const streams = [0, 1].map(() => decompressingStream(codec, memoryStream(bytes), bytes.length, length));
      const outs = [new Uint8Array(length), new Uint8Array(length)];
      for (let at = 0; at < length; at += 9973) {
        for (const [i, stream] of streams.entries()) await stream.readInto(outs[i]!.subarray(at, Math.min(length, at + 9973)));
      }
      for (const out of outs) assert.ok(Buffer.from(out).equals(Buffer.from(expected)));
    });
  }
});

describe('streaming inside a page', () => {
  test('the first bytes of an 8 MB page come after reading a small part of its compressed bytes, for every codec', { timeout: 120_000 }, async () => {
    const data = sampleData('image-floats', 8 << 20, 3);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const path = join(dir, 'large-zstd.parquet');
    await connection.run(`COPY (SELECT list_transform(range(${data.length / 4}), x -> floor(random() * 256)::FLOAT) AS data) TO '${path}' (COMPRESSION zstd)`);
    connection.closeSync();
    instance.closeSync();
    const zstdPage = (await parquetPages(path)).reduce((a, b) => (b.uncompressedLength > a.uncompressedLength ? b : a));
    const pages: [CompressionCodec, Uint8Array, number][] = [
      ['SNAPPY', snappyjs.compress(data), data.length],
      ['LZ4_RAW', lz4Compress(data), data.length],
      ['GZIP', zlib.gzipSync(data, { level: 1 }), data.length],
      ['BROTLI', zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }), data.length],
      ['ZSTD', await bytesAt(path, zstdPage.offset, zstdPage.compressedLength), zstdPage.uncompressedLength],
    ];
    for (const [codec, compressed, length] of pages) {
      const source = memoryStream(compressed);
      const stream = decompressingStream(codec, source, compressed.length, length);
      await stream.readInto(new Uint8Array(1000));
      assert.ok(length > 8_000_000 && source.position < Math.min(compressed.length / 4, 1 << 20), `${codec}: ${source.position} of ${compressed.length} compressed bytes read`);
      stream.close();
    }
  });
});

describe('codecUnsupported', () => {
  test('names the codecs not read here, and only those', () => {
    for (const codec of CODECS) assert.equal(codecUnsupported(codec), null);
    assert.equal(codecUnsupported('LZO'), 'LZO compression is not read by sqlinfer');
    assert.match(codecUnsupported('LZ4') ?? '', /^LZ4 compression .* is not read by sqlinfer$/);
  });
});

describe('fileRangeStream', () => {
  test('reads its range exactly, in chunks of at most chunkBytes, and refuses to pass its end', async () => {
    const data = sampleData('random', 10_000, 9);
    const path = join(dir, 'range.bin');
    writeFileSync(path, data);
    const file = await open(path);
    try {
      const stream = fileRangeStream(file, 1000, 5000, 7);
      const head = new Uint8Array(100);
      await stream.readInto(head);
      assert.deepEqual(head, data.subarray(1000, 1100));
      await stream.skip(3900);
      assert.equal(stream.position, 4000);
      const tail = new Uint8Array(1000);
      await stream.readInto(tail);
      assert.deepEqual(tail, data.subarray(5000, 6000));
      await assert.rejects(stream.readInto(new Uint8Array(1)), /passes its end/);
      await assert.rejects(stream.skip(1), PageFault);
      // A range the file no longer holds (the file shrank): the read fails, it does not return zeros.
      await assert.rejects(fileRangeStream(file, 9000, 2000).readInto(new Uint8Array(2000)), /file ends at byte 10000/);
    } finally {
      await file.close();
    }
  });
});
