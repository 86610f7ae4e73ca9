import type { ByteStream } from './byte-stream.js';

export type CompressionCodec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'LZO' | 'BROTLI' | 'LZ4' | 'ZSTD' | 'LZ4_RAW';

export function codecUnsupported(codec: string): string | null {
  return codec === 'UNCOMPRESSED' ? null : `${codec} compression is not read by sqlinfer`;
}

export function decompressingStream(codec: CompressionCodec, compressed: ByteStream, _compressedLength: number, _uncompressedLength: number): ByteStream {
  if (codec !== 'UNCOMPRESSED') throw new Error(`codec ${codec}`);
  return compressed;
}
