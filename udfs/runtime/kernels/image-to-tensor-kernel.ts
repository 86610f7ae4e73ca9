// Decodes a batch of image BLOBs to height x width x 3 RGB float rows (0..255).

import type { ResultColumn } from '../../model-function.js';
import type { ImageToTensorTask } from '../kernel-task.js';
import { fixedRowsResult } from '../result-builder.js';
import { blobColumn, decodeBlobRow } from './column-access.js';

export async function runImageToTensor(task: ImageToTensorTask): Promise<ResultColumn> {
  const { batch, width, height } = task;
  const column = blobColumn(batch, 0);
  const { column: result, starts } = fixedRowsResult(column.valid, batch.rowCount, width * height * 3);
  for (let i = 0; i < batch.rowCount; i++) {
    const start = starts[i] as number;
    if (start >= 0) await decodeBlobRow(column, batch.firstRow, i, width, height, result.values, start);
  }
  return result;
}
