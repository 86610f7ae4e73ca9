// Runs an async step for each row with at most `limit` in flight (sharp decodes on libuv's thread pool, so
// a worker with several intra-op threads can decode several images at once), then applies the batch's
// row-error policy once every started step has settled, so the outcome is deterministic: 'fail' throws
// the error of the first failing row; 'null' returns the failed rows (a KernelRowError each) in row order.
// An error that is not about one row (a KernelRowError) fails the batch under either policy.

import type { RowErrorPolicy, RowFailure } from '../../model-function.js';
import { KernelRowError } from '../kernel-error.js';

export async function forEachRow(
  rows: readonly number[],
  limit: number,
  policy: RowErrorPolicy,
  step: (row: number, k: number) => Promise<void> | void,
): Promise<RowFailure[]> {
  const failures: { k: number; error: unknown }[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < rows.length) {
      const k = next++;
      try {
        await step(rows[k] as number, k);
      } catch (error) {
        failures.push({ k, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, rows.length)) }, lane));
  failures.sort((a, b) => a.k - b.k);
  const batchError = failures.find((f) => !(f.error instanceof KernelRowError));
  if (batchError !== undefined) throw batchError.error;
  if (failures.length > 0 && policy === 'fail') throw failures[0]!.error;
  return failures.map(({ error }) => ({ row: (error as KernelRowError).row, reason: (error as KernelRowError).reason }));
}

/** The positions (k, into `rows`) of the rows that did not fail, and the batch's validity without the failed rows. */
export function survivors(rows: readonly number[], valid: Uint8Array, firstRow: number, failures: readonly RowFailure[]): { kept: number[]; valid: Uint8Array } {
  const failed = new Set(failures.map((f) => f.row - firstRow));
  const kept: number[] = [];
  const remaining = new Uint8Array(valid);
  rows.forEach((row, k) => {
    if (failed.has(row)) remaining[row] = 0;
    else kept.push(k);
  });
  return { kept, valid: remaining };
}
