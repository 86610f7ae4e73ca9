// How the model threads are split into worker threads x onnxruntime intra-op threads.

import { availableParallelism } from 'node:os';

export interface ThreadSplit {
  readonly workers: number;
  readonly intraOpThreads: number;
}

/**
 * `threads` total (default: the machine's cores). `workers` fixes the number of workers (0 or omitted:
 * DEFAULT_WORKERS_PER_THREAD chooses); each worker gets an equal share of the threads, at least one.
 */
export function splitThreads(threads?: number, workers?: number): ThreadSplit {
  const total = positiveInteger(threads ?? availableParallelism(), 'threads');
  if (workers === undefined || workers === 0) return autoSplit(total);
  const count = positiveInteger(workers, 'workers');
  if (count > total) throw new Error(`workers (${count}) cannot exceed threads (${total})`);
  return { workers: count, intraOpThreads: Math.floor(total / count) };
}

/** One worker per core: measured fastest for ResNet-50 on batches of 64 here (see udfs/README.md). */
function autoSplit(total: number): ThreadSplit {
  return { workers: total, intraOpThreads: 1 };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, found ${value}`);
  return value;
}
