import type { ByteStream } from './byte-stream.js';
import { CompressedInput } from './compressed-input.js';
import { copyMatch, HistoryWindow } from './history-window.js';
import type { PageDecoder } from './page-decoder.js';
import { PageFault } from './page-fault.js';

// Snappy's reference encoder reaches back at most 64 KiB; other encoders (S2's snappy mode) use blocks
// of up to 4 MiB, so that much is kept. A copy from farther back is refused with a clear PageFault.
const HISTORY_BYTES = 4 << 20;
const AREA_BYTES = 4 << 20;
const INPUT_BYTES = 256 * 1024;

const NEED_INPUT = 0;
const OUTPUT_FULL = 1;
const DONE = 2;

/**
 * A resumable decoder of one raw snappy block (a varint length, then literal and copy elements): no
 * library decodes a raw block a piece at a time, and a page can be hundreds of megabytes.
 */
export class SnappyDecoder implements PageDecoder {
  private readonly input: CompressedInput;
  private readonly window: HistoryWindow;
  private started = false;
  private literal = 0;
  private copyLength = 0;
  private copyOffset = 0;
  private done = false;

  constructor(compressed: ByteStream, compressedLength: number, private readonly uncompressedLength: number) {
    this.input = new CompressedInput(compressed, compressedLength, INPUT_BYTES);
    this.window = new HistoryWindow(uncompressedLength, HISTORY_BYTES, AREA_BYTES);
  }

  async read(target: Uint8Array): Promise<number> {
    const window = this.window;
    for (;;) {
      if (window.read < window.write) return window.take(target);
      if (this.done) return 0;
      if (window.write === window.bytes.length) window.slide();
      if (!this.started) {
        if (!(await this.readPreamble())) continue;
      }
      const status = this.run();
      if (status === DONE) this.finish();
      else if (status === NEED_INPUT && !(await this.input.refill())) {
        throw new PageFault(
          `SNAPPY data ends early: ${this.input.length} compressed bytes decode to ${window.produced} of the page's ${this.uncompressedLength} bytes`,
        );
      }
    }
  }

  close(): void {}

  /** Reads the varint length that opens the block; false when more input was needed (and read). */
  private async readPreamble(): Promise<boolean> {
    const input = this.input;
    let value = 0;
    for (let i = 0; i < 5; i++) {
      if (input.pos + i >= input.end) {
        if (!(await input.refill())) throw new PageFault('SNAPPY data ends inside its length prefix');
        return false;
      }
      const b = input.buffer[input.pos + i]!;
      value += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) {
        input.pos += i + 1;
        if (value !== this.uncompressedLength) {
          throw new PageFault(`the SNAPPY data says it holds ${value} bytes; the page header says ${this.uncompressedLength}`);
        }
        this.started = true;
        return true;
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
    for (;;) {
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

  private finish(): void {
    if (!this.input.exhausted) {
      throw new PageFault(
        `SNAPPY data is corrupt: the page's ${this.uncompressedLength} bytes are decoded after ${this.input.consumed} of its ${this.input.length} compressed bytes`,
      );
    }
    this.done = true;
  }
}
