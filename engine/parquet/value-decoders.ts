// A data page's values, decoded straight into the batch's typed array: PLAIN and BYTE_STREAM_SPLIT here,
// dictionary indices in dictionary-values.ts. Each reads forward only, as the page's bytes are decompressed.
import type { ElementType, TensorValues } from '../../udfs/index.js';
import type { ByteStream } from './byte-stream.js';
import { convertInto, sameBytes, sourceBytes, sourceView } from './element-conversion.js';
import type { LeafValues } from './list-leaf.js';

export interface ValueDecoder {
  /** Writes the next `n` values to `target` from index `at`. */
  read(target: TensorValues, at: number, n: number): Promise<void>;
  skip(n: number): Promise<void>;
  close(): void;
}

/** Values converted a slice at a time go through this many bytes of scratch. */
const SCRATCH_BYTES = 1 << 18;

export class PlainValues implements ValueDecoder {
  private scratch: Uint8Array | null = null;

  constructor(
    private readonly stream: ByteStream,
    private readonly source: LeafValues,
    private readonly target: ElementType,
  ) {}

  async read(target: TensorValues, at: number, n: number): Promise<void> {
    const size = sourceBytes(this.source);
    if (sameBytes(this.source, this.target)) {
      await this.stream.readInto(new Uint8Array(target.buffer, target.byteOffset + at * size, n * size));
      return;
    }
    this.scratch ??= new Uint8Array(SCRATCH_BYTES);
    const slice = SCRATCH_BYTES / size;
    for (let done = 0; done < n; ) {
      const k = Math.min(slice, n - done);
      await this.stream.readInto(this.scratch.subarray(0, k * size));
      convertInto(target, at + done, sourceView(this.source, this.scratch.buffer, 0, k));
      done += k;
    }
  }

  skip(n: number): Promise<void> {
    return this.stream.skip(n * sourceBytes(this.source));
  }

  close(): void {
    this.stream.close();
  }
}

/**
 * BYTE_STREAM_SPLIT: byte k of every value, then byte k+1 ... . Each of the `size` byte planes is read
 * by a stream of its own, positioned at its plane, so the page still streams.
 */
export class ByteStreamSplitValues implements ValueDecoder {
  private planes: Uint8Array | null = null;
  private interleaved: Uint8Array | null = null;

  private constructor(
    private readonly streams: readonly ByteStream[],
    private readonly source: LeafValues,
  ) {}

  /** `streams`: one per byte of a value, each over the page's values; `count` values are in the page. */
  static async open(streams: readonly ByteStream[], count: number, source: LeafValues): Promise<ByteStreamSplitValues> {
    try {
      for (let k = 0; k < streams.length; k++) await streams[k]!.skip(k * count);
    } catch (error) {
      for (const s of streams) s.close();
      throw error;
    }
    return new ByteStreamSplitValues(streams, source);
  }

  async read(target: TensorValues, at: number, n: number): Promise<void> {
    const size = this.streams.length;
    const slice = SCRATCH_BYTES / size;
    this.planes ??= new Uint8Array(SCRATCH_BYTES);
    this.interleaved ??= new Uint8Array(SCRATCH_BYTES);
    const planes = this.planes;
    const out = this.interleaved;
    for (let done = 0; done < n; ) {
      const k = Math.min(slice, n - done);
      for (let b = 0; b < size; b++) await this.streams[b]!.readInto(planes.subarray(b * k, (b + 1) * k));
      for (let b = 0; b < size; b++) {
        const plane = b * k;
        for (let i = 0; i < k; i++) out[i * size + b] = planes[plane + i]!;
      }
      convertInto(target, at + done, sourceView(this.source, out.buffer, 0, k));
      done += k;
    }
  }

  async skip(n: number): Promise<void> {
    for (const stream of this.streams) await stream.skip(n);
  }

  close(): void {
    for (const stream of this.streams) stream.close();
  }
}
