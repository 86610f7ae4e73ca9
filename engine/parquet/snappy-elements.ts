// The snappy decoder's compiled element loop (assembly/snappy-elements.ts) and the memory it works in: a
// decoder's compressed input buffer and its history window live in one WebAssembly memory of their own,
// so the loop reads and writes them in place.
import { readFileSync } from 'node:fs';

interface ElementExports {
  decodeElements(ip: number, ipEnd: number, op: number, opEnd: number, windowStart: number, reach: number): number;
  inputPosition(): number;
}

/** The part of the WebAssembly API used here: @types/node 20 does not declare it (TypeScript's DOM lib does). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const WASM_PAGE_BYTES = 65536;
let compiled: object | undefined;

function elementModule(): object {
  compiled ??= new wasm.Module(readFileSync(new URL('./snappy-elements.wasm', import.meta.url)));
  return compiled;
}

/** Instances of closed decoders, kept for the next pages: a new memory and instance cost about 0.1 ms, 5% of decoding a 1 MB page. */
const idle: ElementMemory[] = [];
const IDLE_KEPT = 4;

export class SnappyElements {
  /** The compressed input buffer, at the memory's start. */
  readonly input: Uint8Array;
  /** The history window, after the input's capacity. */
  readonly window: Uint8Array;
  private released = false;

  private constructor(
    private readonly memory: ElementMemory,
    inputBytes: number,
    windowBytes: number,
  ) {
    this.input = new Uint8Array(memory.buffer, 0, inputBytes);
    this.window = new Uint8Array(memory.buffer, memory.windowStart, windowBytes);
  }

  /** Buffers of these sizes, in the idle memory last given back that is large enough, or a new one; `release` when the page is decoded. */
  static acquire(inputBytes: number, windowBytes: number): SnappyElements {
    const k = idle.findLastIndex((m) => m.inputCapacity >= inputBytes && m.windowCapacity >= windowBytes);
    const memory = k >= 0 ? idle.splice(k, 1)[0]! : new ElementMemory(inputBytes, windowBytes);
    return new SnappyElements(memory, inputBytes, windowBytes);
  }

  /** Gives the memory back for another page (the last few given back are kept); decoding after it is an error. */
  release(): void {
    // Once only: a second release could hand the memory to a page while another page decodes in it.
    if (this.released) return;
    this.released = true;
    idle.push(this.memory);
    if (idle.length > IDLE_KEPT) idle.shift();
  }

  /**
   * Decodes whole short elements from input position `ip` into window position `op` while `ip < ipEnd`
   * and `op <= opEnd` (64 input and 68 window bytes must lie beyond those), copying from at most `reach`
   * bytes back; returns the window position reached, and `inputPosition` the input's.
   */
  decode(ip: number, ipEnd: number, op: number, opEnd: number, reach: number): number {
    if (this.released) throw new Error('a snappy page was decoded after its decoder was closed');
    const start = this.memory.windowStart;
    return this.memory.exports.decodeElements(ip, ipEnd, start + op, start + opEnd, start, reach) - start;
  }

  get inputPosition(): number {
    return this.memory.exports.inputPosition();
  }
}

/** One instance of the module with a memory of its own: the input's capacity, then the window's. */
class ElementMemory {
  readonly buffer: ArrayBuffer;
  readonly windowStart: number;
  readonly exports: ElementExports;

  constructor(
    readonly inputCapacity: number,
    readonly windowCapacity: number,
  ) {
    this.windowStart = Math.ceil(inputCapacity / 8) * 8;
    const memory = new wasm.Memory({ initial: Math.ceil((this.windowStart + windowCapacity) / WASM_PAGE_BYTES) });
    this.exports = new wasm.Instance(elementModule(), { env: { memory } }).exports as ElementExports;
    this.buffer = memory.buffer;
  }
}
