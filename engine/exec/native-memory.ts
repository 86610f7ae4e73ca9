// DuckDB's result chunks hold their vectors in native memory that is freed only when V8 collects the JS
// object wrapping the chunk (@duckdb/node-api has no explicit destroy). V8 does not know that memory is
// there: its heap stays small, so it rarely collects, and a model stage streaming a large input piled up
// hundreds of MB of dead chunks (measured here: RSS grew linearly with the input, past 900 MB for 490 MB
// of float lists, and stayed flat near 400 MB with regular collections). So the stages count the bytes
// they read and ask for a full collection every RECLAIM_BYTES: a few milliseconds each, against a model
// run over that much data.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Input bytes read between two collections. */
export const RECLAIM_BYTES = 64 * 1024 * 1024;

let collect: (() => void) | null | undefined;

/** V8's gc(), exposed at run time (the same as --expose-gc) in a fresh context, so no global is changed. */
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** A full collection now: after a model stage, so the next statement does not read beside its dead chunks. */
export function reclaimNativeMemory(): void {
  collector()?.();
}

export class NativeChunkReclaimer {
  private pending = 0;

  constructor(private readonly every: number = RECLAIM_BYTES) {}

  /** Counts `bytes` read from DuckDB chunks; collects once `every` bytes have accumulated. */
  read(bytes: number): void {
    this.pending += bytes;
    if (this.pending < this.every) return;
    this.pending = 0;
    collector()?.();
  }
}
