// An image classifier (ResNet-50 and the like): each row is either a float list of height*width*3 RGB
// values (0..255, HWC) or an image BLOB decoded to that size; rows are preprocessed and run as one batch.

import type { ResultColumn } from '../../model-function.js';
import { preprocessInPlace } from '../../images/preprocess.js';
import type { ImageModelTask } from '../kernel-task.js';
import type { SessionCache } from '../session-cache.js';
import { columnAt, copyFloatRow, decodeBlobRow } from './column-access.js';
import { forEachRow } from './for-each-row.js';
import { allNullResult, runSession, validRows } from './run-session.js';

/** `concurrency`: images decoded at once when rows are BLOBs (the worker's intra-op threads). */
export async function runImageModel(task: ImageModelTask, sessions: SessionCache, concurrency: number): Promise<ResultColumn> {
  const { batch, width, height, preprocess } = task;
  const column = columnAt(batch, 0);
  if (column.kind === 'constant') throw new Error('argument 1 must be a FLOAT[] or BLOB column, found a constant');
  const pixels = width * height;
  const rowLength = pixels * 3;
  const rows = validRows(column.valid, batch.rowCount);
  if (rows.length === 0) return allNullResult(batch.rowCount);
  // Build (or fetch) the session while the rows are being prepared.
  const session = sessions.get(task.model);
  const input = new Float32Array(rows.length * rowLength);
  await forEachRow(rows, column.kind === 'blob' ? concurrency : 1, async (i, k) => {
    const offset = k * rowLength;
    if (column.kind === 'blob') {
      await decodeBlobRow(column, batch.firstRow, i, width, height, input, offset);
    } else {
      copyFloatRow(column, batch.firstRow, i, rowLength, `${height}x${width}x3`, input, offset);
    }
    preprocessInPlace(input, offset, pixels, preprocess);
  });
  return runSession(await session, input, [height, width, 3], column.valid, batch.rowCount, rows.length);
}
