// How the model threads are split into worker threads x onnxruntime intra-op threads.

import { availableParallelism } from 'node:os';

export interface ThreadSplit {
  readonly workers: number;
  readonly intraOpThreads: number;
}

/**
 * Intra-op threads per worker when the split is chosen automatically. On this 2-core machine one session
 * with 2 threads ran ResNet-50 batches of 64 slightly faster than two single-thread sessions (see
 * udfs/README.md); a single session scales less well past a few threads, so larger machines get more
 * workers of up to this many threads each.
 */
export const AUTO_INTRA_OP_THREADS = 4;

/**
 * `threads` total (default: the machine's cores). `workers` fixes the number of workers (0 or omitted:
 * chosen as above); each worker gets an equal share of the threads, at least one.
 */
export function splitThreads(threads?: number, workers?: number): ThreadSplit {
  const total = positiveInteger(threads ?? availableParallelism(), 'threads');
  const count = workers === undefined || workers === 0 ? Math.ceil(total / AUTO_INTRA_OP_THREADS) : positiveInteger(workers, 'workers');
  if (count > total) throw new Error(`workers (${count}) cannot exceed threads (${total})`);
  return { workers: count, intraOpThreads: Math.floor(total / count) };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, found ${value}`);
  return value;
}
