// Prepares a batch to cross into a worker: checks its shape, and lists the ArrayBuffers to transfer.
// A typed array that spans its whole ArrayBuffer is transferred (detached here); one that is a window on a
// larger buffer (e.g. Node's pooled Buffers) is copied first, so the caller's other data stays intact.

import type { ArgBatch, ArgColumn } from '../model-function.js';

type ListColumn = Exclude<ArgColumn, { kind: 'constant' }>;

export interface TransferableBatch {
  readonly batch: ArgBatch;
  readonly transferList: ArrayBuffer[];
}

export function prepareTransfer(batch: ArgBatch): TransferableBatch {
  const transferList: ArrayBuffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  const own = <T extends Float32Array | Int32Array | Uint8Array>(array: T): T => {
    const buffer = array.buffer;
    if (buffer instanceof SharedArrayBuffer) return array;
    const whole = array.byteOffset === 0 && array.byteLength === buffer.byteLength;
    if (whole && !seen.has(buffer)) {
      seen.add(buffer);
      transferList.push(buffer);
      return array;
    }
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
  return { batch: { firstRow: batch.firstRow, rowCount: batch.rowCount, columns }, transferList };
}

function checkShape(column: ListColumn, index: number, rowCount: number): void {
  if (column.offsets.length !== rowCount + 1 || column.valid.length !== rowCount) {
    throw new Error(
      `argument ${index + 1} of the batch has ${column.offsets.length} offsets and ${column.valid.length} validity ` +
        `entries for ${rowCount} rows (expected ${rowCount + 1} and ${rowCount}); a batch given to run() ` +
        `twice has had its buffers transferred away`,
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
