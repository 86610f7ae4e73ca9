import { ZSTDDecoder } from 'zstddec/stream';
import type { ByteStream } from './byte-stream.js';
import { ChunkCursor } from './chunk-cursor.js';
import { CompressedInput } from './compressed-input.js';
import type { PageDecoder } from './page-decoder.js';
import { PageFault } from './page-fault.js';

// Small input pieces keep the work of closing a page early small (see close()).
const INPUT_CHUNK_BYTES = 128 * 1024;
// The library's generator does not report zstd's errors: on corrupt data it yields empty output again
// and again without consuming input. So many empty outputs in a row on one input piece is a fault.
const STALLED_OUTPUTS = 64;

let shared: Promise<ZSTDDecoder> | undefined;

/** The zstd decoder (libzstd built to WebAssembly, inside the npm package), instantiated once per thread. */
function zstd(): Promise<ZSTDDecoder> {
  shared ??= (async () => {
    const decoder = new ZSTDDecoder();
    await decoder.init();
    return decoder;
  })();
  return shared;
}

/**
 * ZSTD pages through libzstd's streaming decompression (ZSTD_decompressStream), which keeps one window
 * (the frame's, e.g. 2 MiB for DuckDB's large pages) and hands out at most 128 KiB at a time.
 */
export class ZstdDecoder implements PageDecoder {
  private readonly input: CompressedInput;
  private output: Iterator<Uint8Array> | undefined;
  /** The next input piece, read ahead: the library pulls input synchronously. */
  private pending: Uint8Array | undefined;
  private pulled = 0;
  private emptyInARow = 0;
  private readonly chunk = new ChunkCursor();
  private done = false;
  private produced = 0;

  constructor(compressed: ByteStream, compressedLength: number) {
    this.input = new CompressedInput(compressed, compressedLength, 0);
  }

  async read(target: Uint8Array): Promise<number> {
    for (;;) {
      if (!this.chunk.empty) {
        const n = this.chunk.take(target);
        this.produced += n;
        return n;
      }
      if (this.done) return 0;
      if (this.pending === undefined) this.pending = await this.input.chunk(INPUT_CHUNK_BYTES);
      this.output ??= (await zstd()).decodeStreaming(this.pieces());
      let next: IteratorResult<Uint8Array> | 'stalled';
      try {
        next = this.step(this.output);
      } catch (error) {
        this.done = true;
        throw new PageFault(`ZSTD data ends early: it decodes to ${this.produced} bytes, then the frame is incomplete (${(error as Error).message})`);
      }
      if (next === 'stalled') {
        this.done = true;
        throw new PageFault(
          `ZSTD data is corrupt: decoding stops after ${this.produced} bytes, ${this.input.length - this.input.remaining} of ${this.input.length} compressed bytes read`,
        );
      }
      if (next.done) this.done = true;
      else this.chunk.hold(next.value);
    }
  }

  close(): void {
    const output = this.output;
    if (output === undefined || this.done) return;
    this.done = true;
    // Ending the generator early would leave its zstd context and buffers allocated in the WebAssembly
    // heap: instead it gets no more input, finishes the piece in hand and frees them, then reports the
    // incomplete frame, expected here. Only a stalled (corrupt) piece is left as it is.
    this.pending = undefined;
    try {
      for (let next = this.step(output); next !== 'stalled' && !next.done; next = this.step(output));
    } catch {
      // the incomplete frame
    }
  }

  /** The library's next output, or 'stalled' once it keeps yielding nothing from the same input piece. */
  private step(output: Iterator<Uint8Array>): IteratorResult<Uint8Array> | 'stalled' {
    const pulledBefore = this.pulled;
    const next = output.next();
    const empty = !next.done && next.value.length === 0 && this.pulled === pulledBefore;
    this.emptyInARow = empty ? this.emptyInARow + 1 : 0;
    return this.emptyInARow >= STALLED_OUTPUTS ? 'stalled' : next;
  }

  private *pieces(): Generator<Uint8Array> {
    while (this.pending !== undefined) {
      const piece = this.pending;
      this.pending = undefined;
      this.pulled++;
      yield piece;
    }
  }
}
