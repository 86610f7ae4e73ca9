// Helpers shared by the model functions: applying the session's thread settings to the runtime, and reading
// constant arguments (given to prepare() and carried again by each batch).

import type { ArgBatch, ConstantValue, ModelSettings, PrepareContext } from '../model-function.js';
import type { ModelRuntime } from '../runtime/model-runtime.js';
import { MODEL_WORKERS } from '../settings-spec.js';

/** Sizes the pool as the statement's settings ask (a no-op when they have not changed). */
export async function configureRuntime(runtime: ModelRuntime, settings: ModelSettings): Promise<void> {
  const workers = settings.get(MODEL_WORKERS);
  await runtime.configure({ threads: settings.threads, workers: workers === undefined || workers === '' ? 0 : Number(workers) });
}

/** A short account of the pool for EXPLAIN, e.g. `2 workers x 1 thread, batch 64`. */
export function poolDescription(runtime: ModelRuntime, batch: number): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(runtime.workers, 'worker')} x ${plural(runtime.intraOpThreads, 'thread')}, batch ${batch}`;
}

/** The constant argument at `index` from prepare()'s context (undefined if not given there). */
export function preparedConstant(context: PrepareContext, index: number): ConstantValue | undefined {
  return context.constants?.[index];
}

/** The constant argument at `index` of a batch, or undefined when the batch has no such argument. */
export function batchConstant(batch: ArgBatch, index: number): ConstantValue | undefined {
  const column = batch.columns[index];
  if (column === undefined) return undefined;
  if (column.kind !== 'constant') throw new Error(`argument ${index + 1} must be a constant, found a ${column.kind} column`);
  return column.value;
}
