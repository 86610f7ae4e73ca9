// Rows the main thread has checked, preprocessed and packed (../packed-rows.ts): the model runs on the
// transferred buffer as it is.

import type { ResultColumn } from '../../model-function.js';
import type { PackedRowsTask } from '../kernel-task.js';
import type { SessionCache } from '../session-cache.js';
import { allNullResult, runSession } from './run-session.js';

export async function runPackedRows(task: PackedRowsTask, sessions: SessionCache): Promise<ResultColumn> {
  // A batch of NULL and bad rows never builds the session.
  if (task.count === 0) return allNullResult(task.rowCount);
  return runSession(await sessions.get(task.model), task.input, task.rowShape, task.valid, task.rowCount, task.count);
}
