// Parquet's RLE / bit-packed hybrid encoding of levels, decoded as runs of equal values so that a
// 150,000-element row of one definition level costs one step, not 150,000. Dictionary indices, in the same
// encoding, are decoded by dictionary-values.ts.
import { PageFault } from './page-fault.js';

/** Bits per value of levels up to `max`, and of dictionary indices below `max + 1`. */
export function bitWidth(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max);
}

/** Unpacks `count` (a multiple of 8) values of `width` bits, least significant bit first, from `bytes` at `at`. */
export function unpack(bytes: Uint8Array, at: number, width: number, count: number, out: Int32Array): void {
  if (width <= 25) {
    // A value and its bit offset (< 8) fit one 32-bit read, unchecked while all four bytes are in the
    // array; only the last few values of the array need the check.
    const mask = (1 << width) - 1;
    const last = bytes.length - 4;
    let i = 0;
    let bit = 0;
    for (; i < count && at + (bit >>> 3) <= last; i++, bit += width) {
      const p = at + (bit >>> 3);
      const word = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
      out[i] = (word >>> (bit & 7)) & mask;
    }
    for (; i < count; i++, bit += width) {
      const p = at + (bit >>> 3);
      const word = (bytes[p] ?? 0) | ((bytes[p + 1] ?? 0) << 8) | ((bytes[p + 2] ?? 0) << 16) | ((bytes[p + 3] ?? 0) << 24);
      out[i] = (word >>> (bit & 7)) & mask;
    }
    return;
  }
  for (let i = 0, bit = 0; i < count; i++, bit += width) {
    const p = at + (bit >>> 3);
    let word = 0;
    for (let b = 4; b >= 0; b--) word = word * 256 + (bytes[p + b] ?? 0);
    out[i] = Math.floor(word / 2 ** (bit & 7)) % 2 ** width;
  }
}

/** An RLE run's value: `size` bytes (the width rounded up to bytes), little-endian, from `at`. */
export function runValue(bytes: Uint8Array, at: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) value += bytes[at + i]! * 2 ** (8 * i);
  return value;
}

/** The unsigned LEB128 varint at `at`, or null when it does not end before `end` (or within 5 bytes). */
export function varint(bytes: Uint8Array, at: number, end: number): { value: number; next: number } | null {
  let value = 0;
  let shift = 0;
  for (let p = at; p < end && shift < 35; p++) {
    const byte = bytes[p]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: p + 1 };
    shift += 7;
  }
  return null;
}

/**
 * Levels held in memory (a page's level section is small even for huge pages: long runs RLE-encode),
 * read run by run: `value` repeats `left` more times.
 */
export class LevelRuns {
  value = 0;
  left = 0;
  private at = 0;
  private packed: Int32Array | null = null;
  private packedAt = 0;
  private packedEnd = 0;
  private remaining: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly width: number,
    /** Levels in the section (the page's value count): bit-packed runs are padded past it. */
    private readonly count: number,
    private readonly what: string,
  ) {
    this.remaining = count;
    if (width === 0) {
      this.left = count;
      this.remaining = 0;
    }
  }

  /** Levels not yet taken, the current run included. */
  get levelsLeft(): number {
    return this.left + this.remaining;
  }

  /** Takes `n` levels (at most `left`) of the current run, moving to the next run when it is used up. */
  take(n: number): void {
    this.left -= n;
    if (this.left === 0 && this.remaining > 0) this.nextRun();
  }

  /** The same levels from their start. */
  copy(): LevelRuns {
    return new LevelRuns(this.bytes, this.width, this.count, this.what).start();
  }

  /** Positions on the first run; call once before reading. */
  start(): this {
    if (this.left === 0 && this.remaining > 0) this.nextRun();
    return this;
  }

  private nextRun(): void {
    if (this.packed !== null && this.packedAt < this.packedEnd) {
      this.takePackedRun();
      return;
    }
    const header = varint(this.bytes, this.at, this.bytes.length);
    if (header === null) throw new PageFault(`the ${this.what} end ${this.remaining} levels early`);
    this.at = header.next;
    if (header.value % 2 === 0) {
      const n = Math.min(header.value / 2, this.remaining);
      const size = Math.ceil(this.width / 8);
      if (this.at + size > this.bytes.length) throw new PageFault(`the ${this.what} are truncated`);
      const v = runValue(this.bytes, this.at, size);
      this.at += size;
      if (n === 0) throw new PageFault(`the ${this.what} hold an empty run`);
      this.value = v;
      this.left = n;
      this.remaining -= n;
      return;
    }
    const groups = (header.value - 1) / 2;
    const values = groups * 8;
    const size = groups * this.width;
    if (this.at + size > this.bytes.length) throw new PageFault(`the ${this.what} are truncated`);
    if (this.packed === null || this.packed.length < values) this.packed = new Int32Array(Math.max(values, 64));
    unpack(this.bytes, this.at, this.width, values, this.packed);
    this.at += size;
    this.packedAt = 0;
    this.packedEnd = Math.min(values, this.remaining);
    if (this.packedEnd === 0) throw new PageFault(`the ${this.what} hold an empty run`);
    this.takePackedRun();
  }

  private takePackedRun(): void {
    const packed = this.packed!;
    const v = packed[this.packedAt]!;
    let end = this.packedAt + 1;
    while (end < this.packedEnd && packed[end] === v) end++;
    this.value = v;
    this.left = end - this.packedAt;
    this.remaining -= this.left;
    this.packedAt = end;
  }
}
