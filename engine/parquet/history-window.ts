import { PageFault } from './page-fault.js';

/**
 * The output side of an LZ77 block decoder (snappy, LZ4): decoded bytes are written at `write`, handed
 * out from `read`, and back-references copy from the last `history` bytes. A page that fits is decoded
 * in one buffer of its own size; a larger one slides through `history + area` bytes, so memory stays
 * bounded whatever the page's size.
 */
export class HistoryWindow {
  readonly bytes: Uint8Array;
  /** How far back a copy may reach: all of a page that fits, else the kept history. */
  readonly history: number;
  write = 0;
  read = 0;
  /** Decoded bytes that were slid out of the buffer. */
  dropped = 0;

  constructor(
    readonly pageLength: number,
    history: number,
    area: number,
    bytes?: Uint8Array,
  ) {
    this.bytes = bytes ?? new Uint8Array(HistoryWindow.size(pageLength, history, area));
    this.history = pageLength <= history + area ? pageLength : history;
  }

  /** The window's size: the whole page when it fits in `history + area`, else that. */
  static size(pageLength: number, history: number, area: number): number {
    return Math.min(pageLength, history + area);
  }

  /** Bytes decoded so far. */
  get produced(): number {
    return this.dropped + this.write;
  }

  /** Copies decoded, not yet handed out bytes into `target`; their count. */
  take(target: Uint8Array): number {
    const n = Math.min(this.write - this.read, target.length);
    if (n === 1) target[0] = this.bytes[this.read]!;
    else target.set(this.bytes.subarray(this.read, this.read + n));
    this.read += n;
    return n;
  }

  /** Makes room once the buffer is full and handed out, keeping the last `history` bytes. */
  slide(): void {
    const keep = this.history;
    this.bytes.copyWithin(0, this.write - keep, this.write);
    this.dropped += this.write - keep;
    this.write = keep;
    this.read = keep;
  }

  /** A PageFault unless a copy `offset` bytes back is within what is kept (`codec` names the format). */
  checkOffset(offset: number, codec: string): void {
    if (offset === 0) throw new PageFault(`${codec} data is corrupt: a copy with offset 0 at output byte ${this.produced}`);
    if (offset > this.produced) {
      throw new PageFault(`${codec} data is corrupt: a copy at output byte ${this.produced} reaches ${offset} bytes back, before the page's start`);
    }
    if (offset > this.history) {
      throw new PageFault(
        `${codec} data copies from ${offset} bytes back at output byte ${this.produced}; sqlinfer keeps the last ${this.history} bytes of a page this large (snappy's and LZ4's reference encoders reach back at most 64 KiB)`,
      );
    }
  }

  /** A PageFault unless `n` more decoded bytes fit in the page. */
  checkLength(n: number, codec: string): void {
    if (n > this.pageLength - this.produced) {
      throw new PageFault(
        `${codec} data is corrupt: an element of ${n} bytes at output byte ${this.produced} runs past the page's ${this.pageLength} bytes`,
      );
    }
  }
}

/** Copies `n` bytes to `op` from `offset` bytes back in `out`; the ranges may overlap (a repeating pattern). */
export function copyMatch(out: Uint8Array, op: number, offset: number, n: number): void {
  const src = op - offset;
  if (n <= 16) {
    // Short copies dominate; a byte loop beats a native call and handles overlap by itself.
    for (let i = 0; i < n; i++) out[op + i] = out[src + i]!;
  } else if (offset >= n) {
    out.copyWithin(op, src, src + n);
  } else if (offset === 1) {
    out.fill(out[src]!, op, op + n);
  } else {
    // The pattern of `offset` bytes repeats: each pass copies all that is already written, doubling it.
    let done = 0;
    while (done < n) {
      const k = Math.min(n - done, offset + done);
      out.copyWithin(op + done, src, src + k);
      done += k;
    }
  }
}
