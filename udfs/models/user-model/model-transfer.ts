// Moving user-model batches and results between threads: a batch's arrays are copied once onto fresh
// buffers that are transferred (the caller's batch stays intact, as with the built-in kernels), except the
// values of a column that owns its buffer, which is transferred as it is; a result's buffers are listed
// for transfer back.

import type { ModelArgBatch, ModelArgColumn, ModelResult } from '../../model-function.js';
import { copyValues } from './element-types.js';

export function prepareModelTransfer(batch: ModelArgBatch): { batch: ModelArgBatch; transferList: ArrayBuffer[] } {
  const transferList: ArrayBuffer[] = [];
  const own = <T extends ArrayBufferView>(array: T, owned = false): T => {
    if (array.buffer instanceof SharedArrayBuffer) return array;
    if (owned) {
      transferList.push(array.buffer as ArrayBuffer);
      return array;
    }
    const copy = copyValues(array as never) as unknown as T;
    transferList.push(copy.buffer as ArrayBuffer);
    return copy;
  };
  const columns = batch.columns.map((column, index): ModelArgColumn => {
    if (column.kind === 'constant') return column;
    if (column.offsets.length !== batch.rowCount + 1 || column.valid.length !== batch.rowCount) {
      throw new Error(`argument ${index + 1} of the batch does not have ${batch.rowCount} rows`);
    }
    const offsets = own(column.offsets);
    const valid = own(column.valid);
    switch (column.kind) {
      case 'float-list':
        return { kind: 'float-list', values: own(column.values, column.owned), offsets, valid };
      case 'blob':
        return { kind: 'blob', values: own(column.values), offsets, valid };
      case 'tensor-list':
        return { kind: 'tensor-list', element: column.element, values: own(column.values, column.owned), offsets, valid };
    }
  });
  return { batch: { ...batch, columns }, transferList };
}

/** The distinct buffers a result's arrays live on, to transfer rather than copy. */
export function resultBuffers(result: ModelResult): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (array: ArrayBufferView) => {
    if (!(array.buffer instanceof SharedArrayBuffer)) buffers.add(array.buffer as ArrayBuffer);
  };
  if (result.kind === 'struct') {
    add(result.valid);
    for (const field of result.fields) for (const a of [field.column.values, field.column.offsets, field.column.valid]) add(a);
  } else {
    for (const a of [result.values, result.offsets, result.valid]) add(a);
  }
  return [...buffers];
}
