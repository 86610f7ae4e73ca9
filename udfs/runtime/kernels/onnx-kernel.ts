// Any ONNX model with one float input [n, ...rowShape] and one float output: each row is a float list of
// exactly prod(rowShape) values.

import type { ResultColumn } from '../../model-function.js';
import type { OnnxTask } from '../kernel-task.js';
import type { SessionCache } from '../session-cache.js';
import { copyFloatRow, floatListColumn } from './column-access.js';
import { allNullResult, runSession, validRows } from './run-session.js';

export async function runOnnx(task: OnnxTask, sessions: SessionCache): Promise<ResultColumn> {
  const { batch, rowShape } = task;
  const column = floatListColumn(batch, 0);
  const rowLength = rowShape.reduce((a, b) => a * b, 1);
  const rows = validRows(column.valid, batch.rowCount);
  if (rows.length === 0) return allNullResult(batch.rowCount);
  // Build (or fetch) the session while the rows are being prepared.
  const session = sessions.get(task.model);
  const input = new Float32Array(rows.length * rowLength);
  for (let k = 0; k < rows.length; k++) {
    copyFloatRow(column, batch.firstRow, rows[k] as number, rowLength, rowShape.join('x'), input, k * rowLength);
  }
  return runSession(await session, input, rowShape, column.valid, batch.rowCount, rows.length);
}
