import type { ByteStream } from './byte-stream.js';

const MIN_BUFFER_BYTES = 8;

/**
 * The compressed bytes of one page, taken from their stream in bounded pieces: either fresh chunks
 * (for decoders that keep them, like zlib) or refills of one reused buffer (for the block decoders).
 */
export class CompressedInput {
  /** The reused buffer's bytes; `pos` to `end` are read but not yet used. */
  readonly buffer: Uint8Array;
  pos = 0;
  end = 0;
  private unread: number;

  constructor(
    private readonly stream: ByteStream,
    readonly length: number,
    bufferBytes: number,
    buffer?: Uint8Array,
  ) {
    this.unread = length;
    this.buffer = buffer ?? new Uint8Array(CompressedInput.bufferSize(length, bufferBytes));
  }

  /** The reused buffer's size for a page of `length` compressed bytes when `bufferBytes` are asked for. */
  static bufferSize(length: number, bufferBytes: number): number {
    // A block decoder's longest element header (5 bytes) must fit, whatever size is asked for.
    return Math.min(Math.max(bufferBytes, MIN_BUFFER_BYTES), length);
  }

  /** Compressed bytes not yet taken from the stream. */
  get remaining(): number {
    return this.unread;
  }

  /** Compressed bytes used so far (taken and consumed). */
  get consumed(): number {
    return this.length - this.unread - (this.end - this.pos);
  }

  /** True when every compressed byte has been taken and used. */
  get exhausted(): boolean {
    return this.unread === 0 && this.pos === this.end;
  }

  /** A fresh chunk of the next (at most) `bytes` compressed bytes, or undefined when none are left. */
  async chunk(bytes: number): Promise<Uint8Array | undefined> {
    if (this.unread === 0) return undefined;
    const chunk = new Uint8Array(Math.min(bytes, this.unread));
    await this.stream.readInto(chunk);
    this.unread -= chunk.length;
    return chunk;
  }

  /** Moves the unused bytes to the buffer's start and reads more after them; false when no byte could be added. */
  async refill(): Promise<boolean> {
    const kept = this.end - this.pos;
    const add = Math.min(this.buffer.length - kept, this.unread);
    if (add === 0) return false;
    if (this.pos > 0) this.buffer.copyWithin(0, this.pos, this.end);
    this.pos = 0;
    this.end = kept;
    await this.stream.readInto(this.buffer.subarray(kept, kept + add));
    this.unread -= add;
    this.end += add;
    return true;
  }
}
