// Decodes a batch of image BLOBs to height x width x 3 RGB float rows (0..255).

import type { ResultColumn } from '../../model-function.js';
import type { ImageToTensorTask } from '../kernel-task.js';
import { fixedRowsResult, withFailedRows } from '../result-builder.js';
import { blobColumn, decodeBlobRow, rowErrorPolicy } from './column-access.js';
import { forEachRow } from './for-each-row.js';
import { validRows } from './run-session.js';

/** `concurrency`: images decoded at once (the worker's intra-op threads). */
export async function runImageToTensor(task: ImageToTensorTask, concurrency: number): Promise<ResultColumn> {
  const { batch, width, height } = task;
  const column = blobColumn(batch, 0);
  const { column: result, starts } = fixedRowsResult(column.valid, batch.rowCount, width * height * 3);
  const failures = await forEachRow(validRows(column.valid, batch.rowCount), concurrency, rowErrorPolicy(batch), (i) =>
    decodeBlobRow(column, batch.firstRow, i, width, height, result.values, starts[i] as number),
  );
  return withFailedRows(result, batch.firstRow, failures);
}
