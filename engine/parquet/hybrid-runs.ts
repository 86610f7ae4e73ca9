// Parquet's RLE / bit-packed hybrid encoding (levels and dictionary indices), decoded as runs of equal
// values so that a 150,000-element row of one definition level costs one step, not 150,000.
import type { TensorValues } from '../../udfs/index.js';
import type { ByteStream } from './byte-stream.js';
import { PageFault } from './page-fault.js';

/** Bits per value of levels up to `max`, and of dictionary indices below `max + 1`. */
export function bitWidth(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max);
}

/** Unpacks `count` (a multiple of 8) values of `width` bits, least significant bit first, from `bytes` at `at`. */
export function unpack(bytes: Uint8Array, at: number, width: number, count: number, out: Int32Array): void {
  if (width === 8) {
    for (let i = 0; i < count; i++) out[i] = bytes[at + i]!;
    return;
  }
  if (width <= 25) {
    // A value and its bit offset (< 8) fit one 32-bit read, unchecked while all four bytes are in the
    // array; only the last few values of the array need the check.
    const mask = (1 << width) - 1;
    const last = bytes.length - 4;
    let i = 0;
    let bit = 0;
    if (width <= 9) {
      // Two bytes hold a value of up to 9 bits at any bit offset (indices of dictionaries up to 512).
      for (; i < count && at + (bit >>> 3) <= last; i++, bit += width) {
        const p = at + (bit >>> 3);
        out[i] = ((bytes[p]! | (bytes[p + 1]! << 8)) >>> (bit & 7)) & mask;
      }
    } else {
      for (; i < count && at + (bit >>> 3) <= last; i++, bit += width) {
        const p = at + (bit >>> 3);
        const word = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
        out[i] = (word >>> (bit & 7)) & mask;
      }
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

function varint(bytes: Uint8Array, at: number, end: number): { value: number; next: number } | null {
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
      let v = 0;
      for (let i = 0; i < size; i++) v |= this.bytes[this.at + i]! << (8 * i);
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

/**
 * Dictionary indices streamed from a page (a DuckDB page of indices can be hundreds of MB): the bytes
 * come through a small window, and bit-packed runs are unpacked a slice at a time. Runs are decoded in
 * one synchronous loop while their bytes are in the window: image data has many short runs, and an
 * await per run cost more than the values themselves.
 */
export class IndexStream {
  private window = new Uint8Array(1 << 16);
  private start = 0;
  private end = 0;
  private bytesLeft: number;
  private rleLeft = 0;
  private rleValue = 0;
  /** Values left in the current bit-packed run (a multiple of 8 until its end). */
  private packedLeft = 0;
  private readonly packed = new Int32Array(4096);
  /** Unpacked indices not yet handed out: packed[unpackedAt, unpackedEnd). */
  private unpackedAt = 0;
  private unpackedEnd = 0;

  constructor(
    private readonly source: ByteStream,
    /** Bytes of indices in the page (the bit width byte excluded). */
    byteLength: number,
    private readonly width: number,
  ) {
    this.bytesLeft = byteLength;
  }

  /** Writes the dictionary's values for the next `n` indices to `out` from index `at` (no `dictionary`: skips them). */
  async read(n: number, dictionary: TensorValues | null, out: TensorValues | null = null, at = 0): Promise<void> {
    const size = dictionary?.length ?? 0;
    for (let done = 0; done < n; ) {
      if (this.unpackedAt < this.unpackedEnd) {
        const k = Math.min(n - done, this.unpackedEnd - this.unpackedAt);
        if (dictionary !== null && out !== null) {
          const packed = this.packed;
          const from = this.unpackedAt;
          const to = at + done;
          for (let i = 0; i < k; i++) {
            const index = packed[from + i]!;
            if (index >= size) throw badIndex(index, size);
            out[to + i] = dictionary[index]!;
          }
        }
        this.unpackedAt += k;
        done += k;
      } else if (this.rleLeft > 0) {
        const k = Math.min(n - done, this.rleLeft);
        if (dictionary !== null && out !== null) {
          if (this.rleValue >= size) throw badIndex(this.rleValue, size);
          const value = dictionary[this.rleValue]!;
          const to = at + done;
          if (k <= 32) for (let i = 0; i < k; i++) out[to + i] = value;
          else (out as Float32Array).fill(value as number, to, to + k);
        }
        this.rleLeft -= k;
        done += k;
      } else if (this.packedLeft > 0) {
        // Whole groups of 8 are unpacked; what is not taken now is taken by the next read.
        const count = Math.min(this.packed.length, this.packedLeft);
        const bytes = (count / 8) * this.width;
        if (this.available() < bytes) await this.ensure(bytes);
        unpack(this.window, this.start, this.width, count, this.packed);
        this.start += bytes;
        this.packedLeft -= count;
        this.unpackedAt = 0;
        this.unpackedEnd = count;
      } else {
        if (this.available() < 9 && this.bytesLeft > 0) await this.ensure(Math.min(9, this.available() + this.bytesLeft));
        this.readHeader();
      }
    }
  }

  /** A run's header, from the window: a varint (at most 5 bytes) and an RLE run's value (at most 4). */
  private readHeader(): void {
    const header = varint(this.window, this.start, this.end);
    if (header === null) throw new PageFault('the dictionary indices end before the page says');
    if (header.value % 2 === 0) {
      const size = Math.ceil(this.width / 8);
      if (header.next + size > this.end) throw new PageFault('the dictionary indices end before the page says');
      this.start = header.next;
      let v = 0;
      for (let i = 0; i < size; i++) v |= this.window[this.start + i]! << (8 * i);
      this.start += size;
      this.rleValue = v;
      this.rleLeft = header.value / 2;
      if (this.rleLeft === 0) throw new PageFault('the dictionary indices hold an empty run');
    } else {
      this.start = header.next;
      this.packedLeft = ((header.value - 1) / 2) * 8;
      if (this.packedLeft === 0) throw new PageFault('the dictionary indices hold an empty run');
    }
  }

  private available(): number {
    return this.end - this.start;
  }

  /** Makes `n` bytes available in the window from `start`. */
  private async ensure(n: number): Promise<void> {
    if (this.available() >= n) return;
    if (n > this.available() + this.bytesLeft) throw new PageFault('the dictionary indices end before the page says');
    if (n > this.window.length) {
      const bigger = new Uint8Array(Math.max(n, this.window.length * 2));
      bigger.set(this.window.subarray(this.start, this.end));
      this.window = bigger;
    } else this.window.copyWithin(0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    const read = Math.min(this.window.length - this.end, this.bytesLeft);
    await this.source.readInto(this.window.subarray(this.end, this.end + read));
    this.end += read;
    this.bytesLeft -= read;
  }
}

function badIndex(index: number, size: number): PageFault {
  return new PageFault(`a dictionary index is ${index}, but the dictionary has ${size} values`);
}
