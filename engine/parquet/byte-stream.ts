import type { FileHandle } from 'node:fs/promises';
import { PageFault } from './page-fault.js';

/** A forward-only stream of bytes, read exactly. */
export interface ByteStream {
  /** Fills `target` with the next target.length bytes; rejects with PageFault if the stream ends first. */
  readInto(target: Uint8Array): Promise<void>;
  /** Skips the next n bytes (decoding them when compressed); rejects with PageFault past the end. */
  skip(n: number): Promise<void>;
  /** Bytes delivered or skipped so far. */
  readonly position: number;
  /** Releases what the stream holds (zlib handles, buffers). Idempotent. */
  close(): void;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;

/** `length` bytes of an open file from `offset`, read in chunks of at most `chunkBytes` (default 1 MiB). */
export function fileRangeStream(file: FileHandle, offset: number, length: number, chunkBytes = DEFAULT_CHUNK_BYTES): ByteStream {
  return new FileRangeStream(file, offset, length, chunkBytes);
}

class FileRangeStream implements ByteStream {
  position = 0;

  constructor(
    private readonly file: FileHandle,
    private readonly offset: number,
    private readonly length: number,
    private readonly chunkBytes: number,
  ) {}

  async readInto(target: Uint8Array): Promise<void> {
    this.checkRange(target.length, 'read');
    // Straight into the caller's buffer: a file read needs no staging copy.
    let filled = 0;
    while (filled < target.length) {
      const want = Math.min(this.chunkBytes, target.length - filled);
      const at = this.offset + this.position + filled;
      const { bytesRead } = await this.file.read(target, filled, want, at);
      if (bytesRead === 0) {
        throw new PageFault(`the file ends at byte ${at}, inside a range that should run to byte ${this.offset + this.length}`);
      }
      filled += bytesRead;
    }
    this.position += filled;
  }

  async skip(n: number): Promise<void> {
    this.checkRange(n, 'skip');
    this.position += n;
  }

  close(): void {}

  private checkRange(n: number, what: string): void {
    if (this.position + n > this.length) {
      throw new PageFault(
        `a ${what} of ${n} bytes at byte ${this.position} of a ${this.length}-byte range (file bytes ${this.offset} to ${this.offset + this.length}) passes its end`,
      );
    }
  }
}
