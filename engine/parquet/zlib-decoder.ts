import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, type BrotliDecompress, type Gunzip } from 'node:zlib';
import type { ByteStream } from './byte-stream.js';
import { ChunkCursor } from './chunk-cursor.js';
import { CompressedInput } from './compressed-input.js';
import type { PageDecoder } from './page-decoder.js';
import { PageFault } from './page-fault.js';

const INPUT_CHUNK_BYTES = 64 * 1024;
const OUTPUT_CHUNK_BYTES = 64 * 1024;

/**
 * GZIP and BROTLI pages through node:zlib's streaming decompressors. Gunzip reads concatenated gzip
 * members as one stream (the format allows several; the writers checked write one) and checks each
 * member's CRC and length at its end. Bytes after the end of a brotli stream are ignored by
 * node:zlib (bytes after a gzip member are read as another member, and fail).
 */
export class ZlibDecoder implements PageDecoder {
  private readonly zlib: Gunzip | BrotliDecompress;
  private readonly output: AsyncIterator<Buffer>;
  private readonly fed: Promise<void>;
  private readonly chunk = new ChunkCursor();
  private done = false;

  constructor(
    private readonly codec: 'GZIP' | 'BROTLI',
    compressed: ByteStream,
    compressedLength: number,
  ) {
    const input = new CompressedInput(compressed, compressedLength, 0);
    this.zlib = codec === 'GZIP' ? createGunzip({ chunkSize: OUTPUT_CHUNK_BYTES }) : createBrotliDecompress({ chunkSize: OUTPUT_CHUNK_BYTES });
    const chunks = async function* (): AsyncGenerator<Uint8Array> {
      for (let c = await input.chunk(INPUT_CHUNK_BYTES); c !== undefined; c = await input.chunk(INPUT_CHUNK_BYTES)) yield c;
    };
    // pipeline() carries backpressure both ways and, on a fault on either side, destroys both.
    this.fed = pipeline(Readable.from(chunks(), { objectMode: false }), this.zlib);
    this.fed.catch(() => undefined);
    this.output = this.zlib[Symbol.asyncIterator]();
  }

  async read(target: Uint8Array): Promise<number> {
    for (;;) {
      if (!this.chunk.empty) return this.chunk.take(target);
      if (this.done) return 0;
      let next: IteratorResult<Buffer>;
      try {
        next = await this.output.next();
        if (next.done) await this.fed;
      } catch (error) {
        throw this.fault(error);
      }
      if (next.done) this.done = true;
      else this.chunk.hold(next.value);
    }
  }

  close(): void {
    this.zlib.destroy();
  }

  /** node:zlib's errors as PageFaults: Z_BUF_ERROR is input that ends early, the other Z_* and brotli codes corrupt data. */
  private fault(error: unknown): unknown {
    if (error instanceof PageFault) return error;
    const code = (error as { code?: unknown }).code;
    const message = (error as Error).message;
    if (code === 'Z_BUF_ERROR') return new PageFault(`${this.codec} data ends early (${message})`);
    if (typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR__ERROR_') || code.startsWith('ERR_BROTLI'))) {
      return new PageFault(`${this.codec} data is corrupt (${message})`);
    }
    return error;
  }
}
