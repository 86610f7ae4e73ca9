// The snappy decoder's compiled element loop (assembly/snappy-elements.ts) and its buffers: a decoder's
// compressed input buffer and its history window live in a kernel memory of their own, so the loop reads
// and writes them in place.
import { KernelMemory, type KernelLease } from './kernel-memory.js';

export class SnappyElements {
  /** The compressed input buffer, at the memory's start. */
  readonly input: Uint8Array;
  /** The history window, after the input's capacity. */
  readonly window: Uint8Array;
  private readonly windowStart: number;

  private constructor(
    private readonly lease: KernelLease,
    inputBytes: number,
    windowBytes: number,
  ) {
    const buffer = lease.memory.buffer;
    this.windowStart = Math.ceil(inputBytes / 8) * 8;
    this.input = new Uint8Array(buffer, 0, inputBytes);
    this.window = new Uint8Array(buffer, this.windowStart, windowBytes);
  }

  /** Buffers of these sizes, in an idle memory large enough or a new one; `release` when the page is decoded. */
  static acquire(inputBytes: number, windowBytes: number): SnappyElements {
    return new SnappyElements(KernelMemory.lease(Math.ceil(inputBytes / 8) * 8 + windowBytes), inputBytes, windowBytes);
  }

  /** Gives the memory back for another page; decoding after it is an error. */
  release(): void {
    this.lease.release();
  }

  /**
   * Decodes whole short elements from input position `ip` into window position `op` while `ip < ipEnd`
   * and `op <= opEnd` (72 input and 72 window bytes must lie beyond those), copying from at most `reach`
   * bytes back; returns the window position reached, and `inputPosition` the input's.
   */
  decode(ip: number, ipEnd: number, op: number, opEnd: number, reach: number): number {
    if (this.lease.released) throw new Error('a snappy page was decoded after its decoder was closed');
    const start = this.windowStart;
    return this.lease.memory.exports.decodeElements(ip, ipEnd, start + op, start + opEnd, start, reach) - start;
  }

  get inputPosition(): number {
    return this.lease.memory.exports.inputPosition();
  }
}
