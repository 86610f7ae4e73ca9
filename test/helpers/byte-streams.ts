// ByteStreams and data for the page decompression tests: bytes in memory as a compressed stream, readers
// that take a stream's output in awkward pieces, and deterministic data shaped like what codecs meet.
import zlib from 'node:zlib';
import { snappyUncompress } from 'hyparquet';
import lz4 from 'lz4-napi';
import { ZSTDDecoder } from 'zstddec';
import type { ByteStream } from '../../engine/parquet/byte-stream.js';
import type { CompressionCodec } from '../../engine/parquet/codecs.js';
import { PageFault } from '../../engine/parquet/page-fault.js';

/** `bytes` as a ByteStream; `reads` records the size of each read asked of it. */
export function memoryStream(bytes: Uint8Array, reads: number[] = []): ByteStream {
  let position = 0;
  return {
    get position() {
      return position;
    },
    async readInto(target) {
      reads.push(target.length);
      if (position + target.length > bytes.length) throw new PageFault(`memory stream: read of ${target.length} at ${position} of ${bytes.length}`);
      target.set(bytes.subarray(position, position + target.length));
      position += target.length;
    },
    async skip(n) {
      if (position + n > bytes.length) throw new PageFault(`memory stream: skip of ${n} at ${position} of ${bytes.length}`);
      position += n;
    },
    close() {},
  };
}

const PIECES = [1, 7, 13, 4096, 2, 65537, 3, 100_003];

/** All `length` bytes of `stream`, read in pieces of odd sizes (1, 7, 13, 4096, ...), with a skip now and then. */
export async function readAll(stream: ByteStream, length: number, { skips = false } = {}): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let i = 0;
  while (stream.position < length) {
    const at = stream.position;
    const n = Math.min(PIECES[i++ % PIECES.length]!, length - at);
    if (skips && i % 5 === 0) {
      await stream.skip(n);
      out.fill(0xee, at, at + n);
    } else await stream.readInto(out.subarray(at, at + n));
  }
  return out;
}

/** Bytes from a fixed seed (mulberry32), so a failure is reproducible. */
export function seededBytes(length: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}

/** Data shaped like what the codecs meet, by name; each of `length` bytes. */
export function sampleData(kind: string, length: number, seed = 1): Uint8Array {
  const random = seededBytes(length, seed);
  const out = new Uint8Array(length);
  switch (kind) {
    case 'random':
      return random;
    case 'zeros':
      return out;
    case 'period-3':
      for (let i = 0; i < length; i++) out[i] = i % 3;
      return out;
    case 'long-matches': {
      // A random 5000-byte block repeated with a few bytes changed in each repeat.
      for (let i = 0; i < length; i++) out[i] = random[i % 5000]!;
      for (let i = 4999; i < length; i += 4001) out[i] = random[(i * 7) % length]!;
      return out;
    }
    case 'image-floats': {
      // Float32 values 0..255, as an image tensor stores them.
      const view = new DataView(out.buffer);
      for (let i = 0; i + 4 <= length; i += 4) view.setFloat32(i, random[i]!, true);
      return out;
    }
    default:
      throw new Error(`no sample data ${kind}`);
  }
}

export const SAMPLE_KINDS = ['random', 'zeros', 'period-3', 'long-matches', 'image-floats'] as const;

let zstd: ZSTDDecoder | undefined;

/** The whole page decompressed at once by a library: what the streams must reproduce byte for byte. */
export async function wholePage(codec: CompressionCodec, compressed: Uint8Array, uncompressedLength: number): Promise<Uint8Array> {
  switch (codec) {
    case 'UNCOMPRESSED':
      return compressed;
    case 'SNAPPY': {
      const out = new Uint8Array(uncompressedLength);
      snappyUncompress(compressed, out);
      return out;
    }
    case 'GZIP':
      return zlib.gunzipSync(compressed);
    case 'BROTLI':
      return zlib.brotliDecompressSync(compressed);
    case 'ZSTD':
      if (zstd === undefined) {
        zstd = new ZSTDDecoder();
        await zstd.init();
      }
      return zstd.decode(compressed, uncompressedLength);
    case 'LZ4_RAW':
      return lz4Uncompress(compressed, uncompressedLength);
    default:
      throw new Error(`no whole-page decompression for ${codec}`);
  }
}

/** A raw LZ4 block (lz4-napi, i.e. lz4_flex, prefixes the size; Parquet's LZ4_RAW does not). */
export function lz4Compress(data: Uint8Array): Uint8Array {
  return lz4.compressSync(Buffer.from(data)).subarray(4);
}

export function lz4Uncompress(block: Uint8Array, length: number): Uint8Array {
  const prefixed = Buffer.alloc(4 + block.length);
  prefixed.writeUInt32LE(length, 0);
  prefixed.set(block, 4);
  return lz4.uncompressSync(prefixed);
}
