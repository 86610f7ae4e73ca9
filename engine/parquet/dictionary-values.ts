// Dictionary-encoded values (RLE_DICTIONARY, PLAIN_DICTIONARY), streamed from a page: a DuckDB page of
// indices can be hundreds of MB. The index bytes come through a window in a kernel memory, beside a copy
// of the dictionary; the compiled loop (assembly/dictionary-lookup.ts) unpacks a slice of a bit-packed run
// and looks its indices up there, and RLE runs are filled here. Runs are decoded in one synchronous loop
// while their bytes are in the window: image data has many short runs, and an await per run cost more
// than the values themselves.
import type { TensorValues } from '../../udfs/index.js';
import type { ByteStream } from './byte-stream.js';
import { runValue, varint } from './hybrid-runs.js';
import { KernelMemory, type KernelLease } from './kernel-memory.js';
import { PageFault } from './page-fault.js';
import type { ValueDecoder } from './value-decoders.js';

/** Index bytes in hand at once: a slice's bytes (at most 16 KiB) always fit once the window's bytes move to its start. */
const WINDOW_BYTES = 1 << 16;
/** Indices unpacked and looked up at a time: a multiple of 8, as bit-packed runs are. */
const SLICE = 4096;
/** A slice's values, after the window and the 8 bytes the compiled loop reads past an index's first byte. */
const VALUES_AT = WINDOW_BYTES + 8;
/**
 * The dictionary's copy, after room for a slice of 8-byte values: in the same place whatever the value
 * size, so that the memory serves the column chunk's next page with the copy already in it.
 */
const DICTIONARY_AT = VALUES_AT + SLICE * 8;

type ValuesConstructor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => TensorValues;

export class DictionaryValues implements ValueDecoder {
  private readonly lease: KernelLease;
  private readonly window: Uint8Array;
  /** The current slice's values, looked up. */
  private readonly values: TensorValues;
  private start = 0;
  private end = 0;
  private bytesLeft: number;
  private rleLeft = 0;
  private rleValue = 0;
  /** Indices left in the current bit-packed run, after the current slice (a multiple of 8 until its end). */
  private packedLeft = 0;
  /** Where the current slice's bytes start in the window. */
  private sliceBytes = 0;
  /** The current slice's positions: [at, ready) looked up and not yet taken; at `ready`, if below `end`, a bad index. */
  private sliceAt = 0;
  private sliceReady = 0;
  private sliceEnd = 0;

  constructor(
    private readonly source: ByteStream,
    /** Bytes of indices in the page (the bit width byte excluded). */
    byteLength: number,
    private readonly width: number,
    /** The column chunk's dictionary, already of the target's type. */
    private readonly dictionary: TensorValues,
  ) {
    this.bytesLeft = byteLength;
    this.lease = KernelMemory.lease(DICTIONARY_AT + dictionary.byteLength, dictionary);
    const memory = this.lease.memory;
    this.window = new Uint8Array(memory.buffer, 0, WINDOW_BYTES);
    this.values = new (dictionary.constructor as ValuesConstructor)(memory.buffer, VALUES_AT, SLICE);
    if (memory.content !== dictionary) {
      new Uint8Array(memory.buffer, DICTIONARY_AT, dictionary.byteLength).set(new Uint8Array(dictionary.buffer, dictionary.byteOffset, dictionary.byteLength));
      memory.content = dictionary;
    }
  }

  read(target: TensorValues, at: number, n: number): Promise<void> {
    return this.take(n, target, at);
  }

  skip(n: number): Promise<void> {
    return this.take(n, null, 0);
  }

  close(): void {
    this.lease.release();
    this.source.close();
  }

  /** Writes the values of the next `n` indices to `out` from index `at` (no `out`: skips them). */
  private async take(n: number, out: TensorValues | null, at: number): Promise<void> {
    if (this.lease.released) throw new Error('a dictionary page was read after it was closed');
    const values = this.values;
    for (let done = 0; done < n; ) {
      if (this.sliceAt < this.sliceReady) {
        const k = Math.min(n - done, this.sliceReady - this.sliceAt);
        if (out !== null) {
          const from = this.sliceAt;
          const to = at + done;
          if (k <= 16) for (let i = 0; i < k; i++) out[to + i] = values[from + i]!;
          else out.set(values.subarray(from, from + k) as never, to);
        }
        this.sliceAt += k;
        done += k;
      } else if (this.sliceAt < this.sliceEnd) {
        // The compiled loop stopped at a bad index: an error where it is read, passed over where it is skipped.
        if (out !== null) throw badIndex(this.lease.memory.exports.badIndex(), this.dictionary.length);
        this.sliceAt += 1;
        done += 1;
        this.lookUp(this.sliceAt);
      } else if (this.rleLeft > 0) {
        const k = Math.min(n - done, this.rleLeft);
        if (out !== null) {
          if (this.rleValue >= this.dictionary.length) throw badIndex(this.rleValue, this.dictionary.length);
          const value = this.dictionary[this.rleValue]!;
          const to = at + done;
          if (k <= 32) for (let i = 0; i < k; i++) out[to + i] = value;
          else (out as Float32Array).fill(value as number, to, to + k);
        }
        this.rleLeft -= k;
        done += k;
      } else if (this.packedLeft > 0) {
        // Whole groups of 8 are looked up; what is not taken now is taken by the next read.
        const count = Math.min(SLICE, this.packedLeft);
        const bytes = (count / 8) * this.width;
        if (this.available() < bytes) await this.ensure(bytes);
        this.sliceBytes = this.start;
        this.start += bytes;
        this.packedLeft -= count;
        this.sliceAt = 0;
        this.sliceEnd = count;
        this.lookUp(0);
      } else {
        if (this.available() < 9 && this.bytesLeft > 0) await this.ensure(Math.min(9, this.available() + this.bytesLeft));
        this.readHeader();
      }
    }
  }

  /** Looks up the current slice's indices from position `from`, up to its end or a bad index. */
  private lookUp(from: number): void {
    const dictionary = this.dictionary;
    this.sliceReady = this.lease.memory.exports.lookupPacked(
      this.sliceBytes, this.width, from, this.sliceEnd, DICTIONARY_AT, dictionary.length, VALUES_AT, dictionary.BYTES_PER_ELEMENT,
    );
  }

  /** A run's header, from the window: a varint (at most 5 bytes) and an RLE run's value (at most 4). */
  private readHeader(): void {
    const header = varint(this.window, this.start, this.end);
    if (header === null) throw new PageFault('the dictionary indices end before the page says');
    if (header.value % 2 === 0) {
      const size = Math.ceil(this.width / 8);
      if (header.next + size > this.end) throw new PageFault('the dictionary indices end before the page says');
      this.start = header.next;
      this.rleValue = runValue(this.window, this.start, size);
      this.start += size;
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

  /** Makes `n` bytes (at most a slice's) available in the window from `start`. */
  private async ensure(n: number): Promise<void> {
    if (n > this.available() + this.bytesLeft) throw new PageFault('the dictionary indices end before the page says');
    this.window.copyWithin(0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    const read = Math.min(WINDOW_BYTES - this.end, this.bytesLeft);
    await this.source.readInto(this.window.subarray(this.end, this.end + read));
    this.end += read;
    this.bytesLeft -= read;
  }
}

function badIndex(index: number, size: number): PageFault {
  return new PageFault(`a dictionary index is ${index}, but the dictionary has ${size} values`);
}
