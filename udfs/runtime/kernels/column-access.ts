// Reading the argument columns of a batch inside a kernel, with row-numbered errors.

import { decodeImageInto } from '../../images/decode-image.js';
import type { ArgBatch, ArgColumn, RowErrorPolicy } from '../../model-function.js';
import { KernelRowError } from '../kernel-error.js';
import { messageOf } from '../session-cache.js';

type BlobColumn = Extract<ArgColumn, { kind: 'blob' }>;

/** The batch's row-error policy ('fail' unless the engine asked for 'null'). */
export function rowErrorPolicy(batch: ArgBatch): RowErrorPolicy {
  return batch.onRowError ?? 'fail';
}

export function columnAt(batch: ArgBatch, index: number): ArgColumn {
  const column = batch.columns[index];
  if (column === undefined) throw new Error(`the batch has no argument ${index + 1}`);
  return column;
}

export function blobColumn(batch: ArgBatch, index: number): BlobColumn {
  const column = columnAt(batch, index);
  if (column.kind !== 'blob') throw new Error(`argument ${index + 1} must be a BLOB column, found ${column.kind}`);
  return column;
}

/** Decodes BLOB row `i` into `out` at `offset`; a bad image becomes a KernelRowError for that row. */
export async function decodeBlobRow(
  column: BlobColumn,
  firstRow: number,
  i: number,
  width: number,
  height: number,
  out: Float32Array,
  offset: number,
): Promise<void> {
  const bytes = column.values.subarray(column.offsets[i] as number, column.offsets[i + 1] as number);
  try {
    await decodeImageInto(bytes, width, height, out, offset);
  } catch (error) {
    throw new KernelRowError(firstRow + i, `cannot decode image: ${messageOf(error)}`);
  }
}
