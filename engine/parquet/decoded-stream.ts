import type { ByteStream } from './byte-stream.js';
import type { PageDecoder } from './page-decoder.js';
import { PageFault } from './page-fault.js';

const SKIP_SCRATCH_BYTES = 64 * 1024;

/** The ByteStream of a page's decoded bytes: exactly `length` of them, or a PageFault. */
export class DecodedStream implements ByteStream {
  position = 0;
  private closed = false;
  private scratch: Uint8Array | undefined;

  constructor(
    private readonly decoder: PageDecoder,
    private readonly length: number,
    private readonly codec: string,
  ) {}

  async readInto(target: Uint8Array): Promise<void> {
    this.checkRange(target.length, 'read');
    await this.fill(target);
    this.position += target.length;
    await this.checkEnd();
  }

  async skip(n: number): Promise<void> {
    this.checkRange(n, 'skip');
    this.scratch ??= new Uint8Array(Math.min(SKIP_SCRATCH_BYTES, this.length));
    let left = n;
    while (left > 0) {
      const piece = this.scratch.subarray(0, Math.min(left, this.scratch.length));
      await this.fill(piece);
      this.position += piece.length;
      left -= piece.length;
    }
    await this.checkEnd();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.decoder.close();
  }

  private checkRange(n: number, what: string): void {
    if (this.closed) throw new Error('read from a closed page stream');
    if (this.position + n > this.length) {
      throw new PageFault(`a ${what} of ${n} bytes at byte ${this.position} passes the end of the ${this.length}-byte ${this.codec} page`);
    }
  }

  private async fill(target: Uint8Array): Promise<void> {
    let filled = 0;
    while (filled < target.length) {
      const n = await this.decoder.read(target.subarray(filled));
      if (n === 0) {
        throw new PageFault(`the ${this.codec} page decompressed to ${this.position + filled} bytes; its header says ${this.length}`);
      }
      filled += n;
    }
  }

  /** At the last byte, the decoder must be done too: no more output, its checks (checksums, trailing bytes) passed. */
  private async checkEnd(): Promise<void> {
    if (this.position !== this.length) return;
    const extra = await this.decoder.read(new Uint8Array(1));
    if (extra > 0) {
      throw new PageFault(`the ${this.codec} page decompresses to more than the ${this.length} bytes its header says`);
    }
  }
}
