// Builds a ResultColumn whose non-NULL rows all have the same length, in one flat Float32Array.

import type { ResultColumn } from '../model-function.js';

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
