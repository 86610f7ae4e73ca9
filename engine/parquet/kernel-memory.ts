// The page decoders' compiled loops (assembly/: snappy's elements, dictionary lookups), built into one
// WebAssembly module, and the memories they work in. Each decoder leases a memory of its own and keeps its
// buffers in it, so the compiled loops read and write them in place.
import { readFileSync } from 'node:fs';

export interface KernelExports {
  decodeElements(ip: number, ipEnd: number, op: number, opEnd: number, windowStart: number, reach: number): number;
  inputPosition(): number;
  lookupPacked(ip: number, width: number, from: number, to: number, dictionary: number, size: number, op: number, valueBytes: number): number;
  badIndex(): number;
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

function kernelModule(): object {
  compiled ??= new wasm.Module(readFileSync(new URL('./page-kernels.wasm', import.meta.url)));
  return compiled;
}

/** Memories of closed decoders, kept for the next pages: a new memory and instance cost about 0.1 ms, 5% of decoding a 1 MB page. */
const idle: KernelMemory[] = [];
const IDLE_KEPT = 4;
/** Larger memories (a large dictionary's) are not kept: four of them would hold a lot for a rare case. */
const IDLE_MAX_BYTES = 32 << 20;

/** One instance of the module with a memory of its own, which never grows (views of it stay valid). */
export class KernelMemory {
  readonly buffer: ArrayBuffer;
  readonly exports: KernelExports;
  /** What the last decoder left in the memory for a later one to reuse (a dictionary's values), or undefined. */
  content: object | undefined;

  private constructor(readonly bytes: number) {
    const memory = new wasm.Memory({ initial: Math.ceil(bytes / WASM_PAGE_BYTES) });
    this.exports = new wasm.Instance(kernelModule(), { env: { memory } }).exports as KernelExports;
    this.buffer = memory.buffer;
  }

  /**
   * A memory of at least `bytes`: an idle one still holding `content` if one fits, else the idle one last
   * given back that fits, else a new one. Its `content` is `content` or undefined.
   */
  static lease(bytes: number, content?: object): KernelLease {
    let k = content === undefined ? -1 : idle.findLastIndex((m) => m.bytes >= bytes && m.content === content);
    if (k < 0) k = idle.findLastIndex((m) => m.bytes >= bytes);
    const memory = k >= 0 ? idle.splice(k, 1)[0]! : new KernelMemory(bytes);
    if (memory.content !== content) memory.content = undefined;
    return new KernelLease(memory);
  }
}

/** A decoder's use of a memory, from `KernelMemory.lease` to `release`. */
export class KernelLease {
  private released_ = false;

  constructor(readonly memory: KernelMemory) {}

  get released(): boolean {
    return this.released_;
  }

  /** Gives the memory back for another decoder (the last few given back are kept). */
  release(): void {
    // Once only: a second release could hand the memory to a decoder while another works in it.
    if (this.released_) return;
    this.released_ = true;
    if (this.memory.bytes > IDLE_MAX_BYTES) return;
    idle.push(this.memory);
    if (idle.length > IDLE_KEPT) idle.shift();
  }
}
