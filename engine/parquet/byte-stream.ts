// Forward-only byte streams: a range of a file, and (codecs.ts) the decompressed bytes of a page.
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
  /** Releases what the stream holds. Idempotent. */
  close(): void;
}

/**
 * `length` bytes of an open file from `offset`. Small reads are served from a buffer of `chunkBytes`
 * (one system call for many short rows); large ones go straight into the target.
 */
export function fileRangeStream(file: FileHandle, offset: number, length: number, chunkBytes = 1 << 20): ByteStream {
  let position = 0;
  let buffer: Uint8Array | null = null;
  let bufferAt = 0;
  let bufferEnd = 0;
  let closed = false;
  const check = (n: number, what: string) => {
    if (closed) throw new PageFault('the stream was closed');
    if (position + n > length) {
      throw new PageFault(`a ${what} of ${n} bytes at byte ${position} of a ${length}-byte range (file bytes ${offset} to ${offset + length}) passes its end`);
    }
  };
  const readFile = async (target: Uint8Array, from: number) => {
    for (let at = 0; at < target.length; ) {
      const { bytesRead } = await file.read(target, at, target.length - at, offset + from + at);
      if (bytesRead === 0) throw new PageFault(`the file ends at byte ${offset + from + at}, inside a range that should run to byte ${offset + length}`);
      at += bytesRead;
    }
  };
  return {
    get position() {
      return position;
    },
    async readInto(target) {
      check(target.length, 'read');
      let at = Math.min(target.length, bufferEnd - bufferAt);
      if (at > 0) {
        target.set(buffer!.subarray(bufferAt, bufferAt + at));
        bufferAt += at;
        position += at;
      }
      const rest = target.length - at;
      if (rest === 0) return;
      if (rest >= chunkBytes) {
        await readFile(target.subarray(at), position);
        position += rest;
        return;
      }
      buffer ??= new Uint8Array(Math.min(chunkBytes, length));
      bufferEnd = Math.min(buffer.length, length - position);
      await readFile(buffer.subarray(0, bufferEnd), position);
      target.set(buffer.subarray(0, rest), at);
      bufferAt = rest;
      position += rest;
    },
    async skip(n) {
      check(n, 'skip');
      const buffered = Math.min(n, bufferEnd - bufferAt);
      bufferAt += buffered;
      if (buffered < n) bufferAt = bufferEnd = 0;
      position += n;
    },
    close() {
      closed = true;
      buffer = null;
    },
  };
}
