// Prepares a batch to cross into a worker: checks its shape, copies each typed array once onto a fresh
// ArrayBuffer of exactly its size and lists those buffers for transfer. The copy (one memcpy per array,
// small next to running a model on the rows) leaves the caller's batch intact, so the same columns may go
// to several calls, and views on larger buffers (DuckDB vectors, Node's pooled Buffers) never detach them.

import type { ArgBatch, ArgColumn } from '../model-function.js';

type ListColumn = Exclude<ArgColumn, { kind: 'constant' }>;

export interface TransferableBatch {
  readonly batch: ArgBatch;
  readonly transferList: ArrayBuffer[];
}

export function prepareTransfer(batch: ArgBatch): TransferableBatch {
  const transferList: ArrayBuffer[] = [];
  const own = <T extends Float32Array | Int32Array | Uint8Array>(array: T): T => {
    // Shared memory crosses threads by reference: nothing to copy or transfer.
    if (array.buffer instanceof SharedArrayBuffer) return array;
    const copy = copyOf(array);
    transferList.push(copy.buffer as ArrayBuffer);
    return copy;
  };
  const columns = batch.columns.map((column, index): ArgColumn => {
    if (column.kind === 'constant') return column;
    checkShape(column, index, batch.rowCount);
    return column.kind === 'blob'
      ? { kind: 'blob', values: own(column.values), offsets: own(column.offsets), valid: own(column.valid) }
      : { kind: 'float-list', values: own(column.values), offsets: own(column.offsets), valid: own(column.valid) };
  });
  const moved: ArgBatch = { firstRow: batch.firstRow, rowCount: batch.rowCount, columns };
  return { batch: batch.onRowError === undefined ? moved : { ...moved, onRowError: batch.onRowError }, transferList };
}

/** Checks that a column's offsets and validity cover `rowCount` rows and its values reach its last offset. */
export function checkShape(column: ListColumn, index: number, rowCount: number): void {
  if (column.offsets.length !== rowCount + 1 || column.valid.length !== rowCount) {
    throw new Error(
      `argument ${index + 1} of the batch has ${column.offsets.length} offsets and ${column.valid.length} validity ` +
        `entries for ${rowCount} rows (expected ${rowCount + 1} and ${rowCount})`,
    );
  }
  const end = column.offsets[rowCount] as number;
  if (end > column.values.length) {
    throw new Error(`argument ${index + 1} of the batch ends at value ${end} but holds only ${column.values.length}`);
  }
}

/** A copy on a fresh ArrayBuffer of exactly the array's size (Buffer.slice would only make another view). */
function copyOf<T extends Float32Array | Int32Array | Uint8Array>(array: T): T {
  if (array instanceof Float32Array) return new Float32Array(array) as T;
  if (array instanceof Int32Array) return new Int32Array(array) as T;
  return new Uint8Array(array) as T;
}
