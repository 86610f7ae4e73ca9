// How the model threads are split into worker threads x onnxruntime intra-op threads.

import { availableParallelism } from 'node:os';

export interface ThreadSplit {
  readonly workers: number;
  readonly intraOpThreads: number;
}

/**
 * Intra-op threads per worker at most when the split is chosen automatically: a single session scales less
 * well past a few threads, so larger machines get more workers of up to this many threads each.
 */
export const AUTO_INTRA_OP_THREADS = 4;

/**
 * Workers at least when the split is chosen automatically and the threads share out evenly. A session's
 * threads wait for each other at every operator, so when the main thread (reading the next batch's pages)
 * takes a core from one of them, all of a single session's threads wait; with two sessions the other goes
 * on. ResNet-50 from Parquet pages on 2 cores: 2 workers x 1 thread ran at 0.93 of the bare session against
 * 0.91 for 1 x 2, paired runs of 512 images (the bare sessions alone run alike: 1 x 2 is 1% faster).
 */
const AUTO_MIN_WORKERS = 2;

/**
 * `threads` total (default: the machine's cores). `workers` fixes the number of workers (0 or omitted:
 * chosen as above); each worker gets an equal share of the threads, at least one.
 */
export function splitThreads(threads?: number, workers?: number): ThreadSplit {
  const total = positiveInteger(threads ?? availableParallelism(), 'threads');
  const least = Math.ceil(total / AUTO_INTRA_OP_THREADS);
  const chosen = least < AUTO_MIN_WORKERS && total % AUTO_MIN_WORKERS === 0 ? AUTO_MIN_WORKERS : least;
  const count = workers === undefined || workers === 0 ? chosen : positiveInteger(workers, 'workers');
  if (count > total) throw new Error(`workers (${count}) cannot exceed threads (${total})`);
  return { workers: count, intraOpThreads: Math.floor(total / count) };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, found ${value}`);
  return value;
}
