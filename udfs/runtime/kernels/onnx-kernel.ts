// Any ONNX model with one float input [n, ...rowShape] and one float output: each row is a float list of
// exactly prod(rowShape) finite values. Under the 'null' row-error policy, bad rows give NULL and the
// model runs on the others.

import type { ResultColumn } from '../../model-function.js';
import type { OnnxTask } from '../kernel-task.js';
import type { SessionCache } from '../session-cache.js';
import { copyFloatRow, floatListColumn, rowErrorPolicy } from './column-access.js';
import { forEachRow, survivors } from './for-each-row.js';
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
  const failures = await forEachRow(rows, 1, rowErrorPolicy(batch), (i, k) =>
    copyFloatRow(column, batch.firstRow, i, rowLength, rowShape.join('x'), input, k * rowLength),
  );
  if (failures.length === 0) return runSession(await session, input, rowShape, column.valid, batch.rowCount, rows.length);
  // Close the gaps the failed rows left, so the model runs on the good rows only.
  const { kept, valid } = survivors(rows, column.valid, batch.firstRow, failures);
  kept.forEach((k, j) => input.copyWithin(j * rowLength, k * rowLength, (k + 1) * rowLength));
  const result = await runSession(await session, input.subarray(0, kept.length * rowLength), rowShape, valid, batch.rowCount, kept.length);
  return { ...result, rowErrors: failures };
}
