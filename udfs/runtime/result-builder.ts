// Builds a ResultColumn whose non-NULL rows all have the same length, in one flat Float32Array.

import type { ResultColumn, RowFailure } from '../model-function.js';

export interface FixedRowsResult {
  readonly column: ResultColumn;
  /** Where each non-NULL row's values start in `column.values`, in row order (-1 for NULL rows). */
  readonly starts: Int32Array;
}

export function fixedRowsResult(valid: Uint8Array, rowCount: number, rowLength: number): FixedRowsResult {
  const offsets = new Int32Array(rowCount + 1);
  const starts = new Int32Array(rowCount);
  const resultValid = new Uint8Array(rowCount);
  let end = 0;
  for (let i = 0; i < rowCount; i++) {
    offsets[i] = end;
    if (valid[i] === 1) {
      resultValid[i] = 1;
      starts[i] = end;
      end += rowLength;
    } else {
      starts[i] = -1;
    }
  }
  offsets[rowCount] = end;
  return { column: { kind: 'float-list', values: new Float32Array(end), offsets, valid: resultValid }, starts };
}

/** The column with the failed rows turned NULL (their values dropped) and listed in `rowErrors`. */
export function withFailedRows(column: ResultColumn, firstRow: number, failures: readonly RowFailure[]): ResultColumn {
  if (failures.length === 0) return column;
  const failed = new Set(failures.map((f) => f.row - firstRow));
  const rowCount = column.valid.length;
  const offsets = new Int32Array(rowCount + 1);
  const valid = new Uint8Array(rowCount);
  let end = 0;
  for (let i = 0; i < rowCount; i++) {
    offsets[i] = end;
    if (column.valid[i] === 1 && !failed.has(i)) {
      valid[i] = 1;
      end += (column.offsets[i + 1] as number) - (column.offsets[i] as number);
    }
  }
  offsets[rowCount] = end;
  const values = new Float32Array(end);
  for (let i = 0; i < rowCount; i++) {
    if (valid[i] === 1) values.set(column.values.subarray(column.offsets[i] as number, column.offsets[i + 1] as number), offsets[i] as number);
  }
  return { kind: 'float-list', values, offsets, valid, rowErrors: failures };
}
