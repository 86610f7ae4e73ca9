// An image classifier (ResNet-50 and the like) over image BLOBs: each row is decoded to height*width*3 RGB
// values (0..255, HWC), preprocessed, and the rows run as one batch. (Float-list rows are packed on the
// main thread and arrive as a PackedRowsTask.) Under the 'null' row-error policy, rows that cannot be
// decoded are left out of the model's input and give NULL, so one bad row does not cost its batch's good rows.

import type { ResultColumn } from '../../model-function.js';
import { preprocessInPlace } from '../../images/preprocess.js';
import type { ImageModelTask } from '../kernel-task.js';
import type { SessionCache } from '../session-cache.js';
import { blobColumn, decodeBlobRow, rowErrorPolicy } from './column-access.js';
import { forEachRow, survivors } from './for-each-row.js';
import { allNullResult, runSession, validRows } from './run-session.js';

/** `concurrency`: images decoded at once (the worker's intra-op threads). */
export async function runImageModel(task: ImageModelTask, sessions: SessionCache, concurrency: number): Promise<ResultColumn> {
  const { batch, width, height, preprocess } = task;
  const column = blobColumn(batch, 0);
  const pixels = width * height;
  const rowLength = pixels * 3;
  const rows = validRows(column.valid, batch.rowCount);
  if (rows.length === 0) return allNullResult(batch.rowCount);
  // Build (or fetch) the session while the rows are being decoded.
  const session = sessions.get(task.model);
  const input = new Float32Array(rows.length * rowLength);
  const failures = await forEachRow(rows, concurrency, rowErrorPolicy(batch), async (i, k) => {
    const offset = k * rowLength;
    await decodeBlobRow(column, batch.firstRow, i, width, height, input, offset);
    preprocessInPlace(input, offset, pixels, preprocess);
  });
  if (failures.length === 0) return runSession(await session, input, [height, width, 3], column.valid, batch.rowCount, rows.length);
  // Close the gaps the failed rows left, so the model runs on the good rows only.
  const { kept, valid } = survivors(rows, column.valid, batch.firstRow, failures);
  kept.forEach((k, j) => input.copyWithin(j * rowLength, k * rowLength, (k + 1) * rowLength));
  const packed = input.subarray(0, kept.length * rowLength);
  const result = await runSession(await session, packed, [height, width, 3], valid, batch.rowCount, kept.length);
  return { ...result, rowErrors: failures };
}
