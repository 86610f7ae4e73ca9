import { BlockDecoder, type BlockDecoderSizes } from './block-decoder.js';
import type { ByteStream } from './byte-stream.js';
import { CompressedInput } from './compressed-input.js';
import { copyMatch, HistoryWindow } from './history-window.js';
import { PageFault } from './page-fault.js';
import { SnappyElements } from './snappy-elements.js';

// Snappy's reference encoder (DuckDB's, Arrow's, snappy-java's) reaches back at most 64 KiB; the format
// allows any distance, so other encoders may reach farther: 4 MiB is kept, and a copy from farther back
// is refused with a PageFault that says so.
const HISTORY_BYTES = 4 << 20;
const AREA_BYTES = 4 << 20;
const INPUT_BYTES = 256 * 1024;

const NEED_INPUT = 0;
const OUTPUT_FULL = 1;
const DONE = 2;

/** A resumable decoder of one raw snappy block: a varint length, then literal and copy elements. */
export class SnappyDecoder extends BlockDecoder {
  private started = false;
  private literal = 0;
  private copyLength = 0;
  private copyOffset = 0;
  private readonly elements: SnappyElements;

  constructor(compressed: ByteStream, compressedLength: number, uncompressedLength: number, sizes: Partial<BlockDecoderSizes> = {}) {
    const all = { input: INPUT_BYTES, history: HISTORY_BYTES, area: AREA_BYTES, ...sizes };
    const elements = SnappyElements.acquire(CompressedInput.bufferSize(compressedLength, all.input), HistoryWindow.size(uncompressedLength, all.history, all.area));
    super(compressed, compressedLength, uncompressedLength, all, elements);
    this.elements = elements;
  }

  protected async advance(): Promise<boolean> {
    if (!this.started) {
      await this.readPreamble();
      return false;
    }
    const status = this.run();
    if (status === DONE) {
      this.finish();
      return true;
    }
    if (status === NEED_INPUT && !(await this.input.refill())) {
      throw new PageFault(
        `SNAPPY data ends early: ${this.input.length} compressed bytes decode to ${this.window.produced} of the page's ${this.uncompressedLength} bytes`,
      );
    }
    return false;
  }

  /** Reads the varint length that opens the block, or more input when it is not all in hand. */
  private async readPreamble(): Promise<void> {
    const input = this.input;
    let value = 0;
    for (let i = 0; i < 5; i++) {
      if (input.pos + i >= input.end) {
        if (!(await input.refill())) throw new PageFault('SNAPPY data ends inside its length prefix');
        return;
      }
      const b = input.buffer[input.pos + i]!;
      value += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) {
        input.pos += i + 1;
        if (value !== this.uncompressedLength) {
          throw new PageFault(`the SNAPPY data says it holds ${value} bytes; the page header says ${this.uncompressedLength}`);
        }
        this.started = true;
        return;
      }
    }
    throw new PageFault('SNAPPY data is corrupt: its length prefix is longer than 5 bytes');
  }

  /** Decodes into the window until the input runs out, the window is full or the block ends. */
  private run(): number {
    const input = this.input;
    const window = this.window;
    const src = input.buffer;
    const out = window.bytes;
    const outEnd = out.length;
    let ip = input.pos;
    const end = input.end;
    let op = window.write;
    let status = NEED_INPUT;
    // Output may be written up to here: the window's end, or the page's end when that comes first.
    const opLimit = Math.min(outEnd, this.uncompressedLength - window.dropped);
    const reach = window.history;
    // Where the fast path last stopped: the element there is parsed below, one at a time.
    let stopped = -1;
    for (;;) {
      // The common case in one go, compiled: whole short elements whose bytes are all in hand (no
      // resumable state). Float pages are mostly 4-byte copies, so the cost per element is the cost of the page.
      if (this.literal === 0 && this.copyLength === 0) {
        // Inside these bounds every short element's input is in hand and its output fits with 7 bytes to
        // spare, which the compiled loop's word copies need.
        const ipEnd = end - 72;
        const opEnd = opLimit - 72;
        if (ip < ipEnd && op <= opEnd) {
          op = this.elements.decode(ip, ipEnd, op, opEnd, reach);
          ip = this.elements.inputPosition;
        }
        stopped = ip;
      }
      if (this.literal > 0) {
        const n = Math.min(this.literal, end - ip, outEnd - op);
        if (n <= 16) for (let i = 0; i < n; i++) out[op + i] = src[ip + i]!;
        else out.set(src.subarray(ip, ip + n), op);
        ip += n;
        op += n;
        this.literal -= n;
        if (this.literal > 0) {
          status = op === outEnd ? OUTPUT_FULL : NEED_INPUT;
          break;
        }
      }
      if (this.copyLength > 0) {
        const n = Math.min(this.copyLength, outEnd - op);
        copyMatch(out, op, this.copyOffset, n);
        op += n;
        this.copyLength -= n;
        if (this.copyLength > 0) {
          status = OUTPUT_FULL;
          break;
        }
      }
      if (op === outEnd) {
        status = window.produced - window.write + op === this.uncompressedLength ? DONE : OUTPUT_FULL;
        break;
      }
      if (ip >= end) break;
      // Back to the fast path after an element it left to this one (a long literal, a 4-byte offset).
      if (ip !== stopped) continue;
      const tag = src[ip]!;
      const kind = tag & 3;
      if (kind === 0) {
        let length = (tag >>> 2) + 1;
        if (length > 60) {
          const bytes = length - 60;
          if (end - ip <= bytes) break;
          length = src[ip + 1]!;
          if (bytes > 1) length |= src[ip + 2]! << 8;
          if (bytes > 2) length |= src[ip + 3]! << 16;
          if (bytes > 3) length = (length | (src[ip + 4]! << 24)) >>> 0;
          length += 1;
          ip += bytes;
        }
        ip += 1;
        window.write = op;
        window.checkLength(length, 'SNAPPY');
        this.literal = length;
      } else {
        let length: number;
        let offset: number;
        if (kind === 1) {
          if (end - ip < 2) break;
          length = ((tag >>> 2) & 7) + 4;
          offset = ((tag >>> 5) << 8) | src[ip + 1]!;
          ip += 2;
        } else if (kind === 2) {
          if (end - ip < 3) break;
          length = (tag >>> 2) + 1;
          offset = src[ip + 1]! | (src[ip + 2]! << 8);
          ip += 3;
        } else {
          if (end - ip < 5) break;
          length = (tag >>> 2) + 1;
          offset = (src[ip + 1]! | (src[ip + 2]! << 8) | (src[ip + 3]! << 16) | (src[ip + 4]! << 24)) >>> 0;
          ip += 5;
        }
        window.write = op;
        window.checkOffset(offset, 'SNAPPY');
        window.checkLength(length, 'SNAPPY');
        this.copyLength = length;
        this.copyOffset = offset;
      }
    }
    input.pos = ip;
    window.write = op;
    if (status !== DONE && this.literal === 0 && this.copyLength === 0 && window.produced === this.uncompressedLength) status = DONE;
    return status;
  }

  override close(): void {
    this.elements.release();
  }

  private finish(): void {
    if (!this.input.exhausted) {
      throw new PageFault(
        `SNAPPY data is corrupt: the page's ${this.uncompressedLength} bytes are decoded after ${this.input.consumed} of its ${this.input.length} compressed bytes`,
      );
    }
  }
}
