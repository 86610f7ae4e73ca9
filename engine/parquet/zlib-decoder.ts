import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, type BrotliDecompress, type Gunzip } from 'node:zlib';
import type { ByteStream } from './byte-stream.js';
import { CompressedInput } from './compressed-input.js';
import type { PageDecoder } from './page-decoder.js';
import { PageFault } from './page-fault.js';

const INPUT_CHUNK_BYTES = 64 * 1024;
const OUTPUT_CHUNK_BYTES = 64 * 1024;

/**
 * GZIP and BROTLI pages through node:zlib's streaming decompressors. Gunzip reads concatenated gzip
 * members as one stream (the format allows several; the writers checked write one) and checks each
 * member's CRC and length at its end.
 */
export class ZlibDecoder implements PageDecoder {
  private readonly zlib: Gunzip | BrotliDecompress;
  private readonly output: AsyncIterator<Buffer>;
  private readonly fed: Promise<void>;
  private chunk: Buffer | undefined;
  private chunkPos = 0;
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
      if (this.chunk !== undefined && this.chunkPos < this.chunk.length) {
        const n = Math.min(target.length, this.chunk.length - this.chunkPos);
        target.set(this.chunk.subarray(this.chunkPos, this.chunkPos + n));
        this.chunkPos += n;
        return n;
      }
      if (this.done) return 0;
      let next: IteratorResult<Buffer>;
      try {
        next = await this.output.next();
        if (next.done) await this.fed;
      } catch (error) {
        throw this.fault(error);
      }
      if (next.done) this.done = true;
      else {
        this.chunk = next.value;
        this.chunkPos = 0;
      }
    }
  }

  close(): void {
    this.zlib.destroy();
  }

  private fault(error: unknown): unknown {
    if (error instanceof PageFault) return error;
    const code = (error as { code?: unknown }).code;
    if (code === 'Z_BUF_ERROR' || code === 'ERR_BROTLI_DECOMPRESSION_FAILED' && /end/i.test(String((error as Error).message))) {
      return new PageFault(`${this.codec} data ends early (${(error as Error).message})`);
    }
    if (typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR_BROTLI') || code.startsWith('ERR__ERROR_FORMAT'))) {
      return new PageFault(`${this.codec} data is corrupt (${(error as Error).message})`);
    }
    return error;
  }
}
