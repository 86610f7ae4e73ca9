import { BlockDecoder, type BlockDecoderSizes } from './block-decoder.js';
import type { ByteStream } from './byte-stream.js';
import { copyMatch } from './history-window.js';
import { PageFault } from './page-fault.js';

// An LZ4 offset is 16 bits: 64 KiB of history is all a block can reach.
const HISTORY_BYTES = 64 * 1024;
const AREA_BYTES = 1 << 20;
const INPUT_BYTES = 256 * 1024;

// Where the decoder stands inside a sequence (token, literals, offset, match); any of them may span refills.
const TOKEN = 0;
const LITERAL_LENGTH = 1;
const LITERALS = 2;
const OFFSET = 3;
const MATCH_LENGTH = 4;
const MATCH = 5;
const END = 6;

/**
 * A resumable decoder of one raw LZ4 block (LZ4_RAW pages): sequences of a token, literals, a 16-bit
 * offset and a match, the last one literals only.
 */
export class Lz4Decoder extends BlockDecoder {
  private state = TOKEN;
  private literal = 0;
  private matchLength = 0;
  private offset = 0;

  constructor(compressed: ByteStream, compressedLength: number, uncompressedLength: number, sizes: Partial<BlockDecoderSizes> = {}) {
    super(compressed, compressedLength, uncompressedLength, { input: INPUT_BYTES, history: HISTORY_BYTES, area: AREA_BYTES, ...sizes });
  }

  protected async advance(): Promise<boolean> {
    const before = this.window.write;
    this.run();
    if (this.state === END) return true;
    if (this.window.write === before && !(await this.input.refill())) this.endOfInput();
    return false;
  }

  /** Decodes into the window until the input runs out, the window is full or the block ends. */
  private run(): void {
    const input = this.input;
    const window = this.window;
    const src = input.buffer;
    const out = window.bytes;
    const outEnd = out.length;
    const end = input.end;
    let ip = input.pos;
    let op = window.write;
    let state = this.state;
    // Output may be written up to here: the window's end, or the page's end when that comes first.
    const opLimit = Math.min(outEnd, this.uncompressedLength - window.dropped);
    const reach = window.history;
    for (;;) {
      // The common case in one go: a whole short sequence whose bytes are all in hand (no resumable state).
      while (state === TOKEN && end - ip > 17) {
        const token = src[ip]!;
        const literal = token >>> 4;
        const match = (token & 15) + 4;
        if (literal === 15 || match === 19 || op + literal + match > opLimit) break;
        const offset = src[ip + 1 + literal]! | (src[ip + 2 + literal]! << 8);
        if (offset === 0 || offset > op + literal || offset > reach) break;
        ip++;
        for (let i = 0; i < literal; i++) out[op + i] = src[ip + i]!;
        ip += literal + 2;
        op += literal;
        copyMatch(out, op, offset, match);
        op += match;
      }
      if (state === TOKEN) {
        if (ip >= end) break;
        const token = src[ip++]!;
        this.literal = token >>> 4;
        this.matchLength = (token & 15) + 4;
        state = this.literal === 15 ? LITERAL_LENGTH : LITERALS;
      }
      if (state === LITERAL_LENGTH) {
        let b = 255;
        while (ip < end && (b = src[ip++]!) === 255) this.literal += 255;
        if (b === 255) break;
        this.literal += b;
        state = LITERALS;
      }
      if (state === LITERALS) {
        if (this.literal > 0) {
          window.write = op;
          if (this.literal > this.uncompressedLength - window.produced) this.tooLong(this.literal);
          const n = Math.min(this.literal, end - ip, outEnd - op);
          if (n <= 16) for (let i = 0; i < n; i++) out[op + i] = src[ip + i]!;
          else out.set(src.subarray(ip, ip + n), op);
          ip += n;
          op += n;
          this.literal -= n;
          if (this.literal > 0) break;
        }
        state = OFFSET;
      }
      if (state === OFFSET) {
        if (end - ip < 2) {
          // The block ends after the literals of its last sequence.
          if (ip === end && input.remaining === 0) state = END;
          break;
        }
        this.offset = src[ip]! | (src[ip + 1]! << 8);
        ip += 2;
        window.write = op;
        window.checkOffset(this.offset, 'LZ4_RAW');
        state = this.matchLength === 19 ? MATCH_LENGTH : MATCH;
      }
      if (state === MATCH_LENGTH) {
        let b = 255;
        while (ip < end && (b = src[ip++]!) === 255) this.matchLength += 255;
        if (b === 255) break;
        this.matchLength += b;
        state = MATCH;
      }
      if (state === MATCH) {
        window.write = op;
        if (this.matchLength > this.uncompressedLength - window.produced) this.tooLong(this.matchLength);
        const n = Math.min(this.matchLength, outEnd - op);
        copyMatch(out, op, this.offset, n);
        op += n;
        this.matchLength -= n;
        if (this.matchLength > 0) break;
        state = TOKEN;
      }
      if (op === outEnd) break;
    }
    input.pos = ip;
    window.write = op;
    this.state = state;
  }

  private tooLong(n: number): never {
    throw new PageFault(
      `LZ4_RAW data is corrupt: ${n} bytes at output byte ${this.window.produced} run past the page's ${this.uncompressedLength} bytes`,
    );
  }

  private endOfInput(): never {
    throw new PageFault(
      this.state === TOKEN && this.window.produced > 0
        ? `LZ4_RAW data is corrupt: the block ends with a match, not with literals, after ${this.window.produced} bytes`
        : `LZ4_RAW data ends early: ${this.input.length} compressed bytes decode to ${this.window.produced} of the page's ${this.uncompressedLength} bytes`,
    );
  }
}
