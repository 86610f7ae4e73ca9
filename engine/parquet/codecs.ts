import type { ByteStream } from './byte-stream.js';
import { DecodedStream } from './decoded-stream.js';
import { Lz4Decoder } from './lz4-decoder.js';
import type { PageDecoder } from './page-decoder.js';
import { PageFault } from './page-fault.js';
import { SnappyDecoder } from './snappy-decoder.js';
import { ZlibDecoder } from './zlib-decoder.js';
import { ZstdDecoder } from './zstd-decoder.js';

/** Parquet's compression codecs, as hyparquet names them. */
export type CompressionCodec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'LZO' | 'BROTLI' | 'LZ4' | 'ZSTD' | 'LZ4_RAW';

const READ: ReadonlySet<string> = new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'ZSTD', 'LZ4_RAW']);

/** Null when the codec is read here, else the reason it is not (e.g. "LZO compression is not read by sqlinfer"). */
export function codecUnsupported(codec: string): string | null {
  if (READ.has(codec)) return null;
  if (codec === 'LZ4') return 'LZ4 compression (the Hadoop-framed codec Parquet deprecated for LZ4_RAW) is not read by sqlinfer';
  return `${codec} compression is not read by sqlinfer`;
}

/** The page's decompressed bytes as they are decoded: never the whole page at once. `compressed` yields exactly compressedLength bytes. Producing more or fewer than uncompressedLength bytes is a PageFault. */
export function decompressingStream(codec: CompressionCodec, compressed: ByteStream, compressedLength: number, uncompressedLength: number): ByteStream {
  // Stored bytes go straight from the file into the caller's buffer.
  if (codec === 'UNCOMPRESSED') return storedStream(compressed, compressedLength, uncompressedLength);
  return new DecodedStream(pageDecoder(codec, compressed, compressedLength, uncompressedLength), uncompressedLength, codec);
}

function pageDecoder(codec: CompressionCodec, compressed: ByteStream, compressedLength: number, uncompressedLength: number): PageDecoder {
  switch (codec) {
    case 'SNAPPY':
      return new SnappyDecoder(compressed, compressedLength, uncompressedLength);
    case 'LZ4_RAW':
      return new Lz4Decoder(compressed, compressedLength, uncompressedLength);
    case 'GZIP':
    case 'BROTLI':
      return new ZlibDecoder(codec, compressed, compressedLength);
    case 'ZSTD':
      return new ZstdDecoder(compressed, compressedLength);
    default:
      throw new Error(codecUnsupported(codec) ?? `no decoder for ${codec}`);
  }
}

/** An UNCOMPRESSED page: the stored bytes as they are, which must be as many as both sizes say. */
function storedStream(stored: ByteStream, compressedLength: number, uncompressedLength: number): ByteStream {
  let closed = false;
  const ready = () => {
    if (closed) throw new PageFault('the stream was closed');
    if (compressedLength !== uncompressedLength) {
      throw new PageFault(`an UNCOMPRESSED page's header gives two sizes: ${compressedLength} bytes stored, ${uncompressedLength} bytes of data`);
    }
  };
  return {
    get position() {
      return stored.position;
    },
    async readInto(target) {
      ready();
      await stored.readInto(target);
    },
    async skip(n) {
      ready();
      await stored.skip(n);
    },
    close() {
      closed = true;
      stored.close();
    },
  };
}
