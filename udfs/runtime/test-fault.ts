// TEST ONLY: makes a worker fail on purpose, so tests can check what a statement does when a worker dies.
// Set SQLINFER_TEST_WORKER_FAULT in the environment of the process (workers read it when they start):
//   exit:row=N    the worker thread exits (process.exit in the thread) when it gets the batch holding row N
//   crash:row=N   the worker throws an uncaught exception outside any task, as a native crash would surface
//   throw:row=N   the kernel throws a plain error, as a model that fails on a batch does
// N is the 0-based position of the row in the statement's input. Never set it outside tests.

import type { ArgBatch } from '../model-function.js';

export const TEST_FAULT_VARIABLE = 'SQLINFER_TEST_WORKER_FAULT';

export type FaultMode = 'exit' | 'crash' | 'throw';

export interface TestFault {
  readonly mode: FaultMode;
  readonly row: number;
}

/** The fault the environment asks for, null when none; a malformed value is an error, not silently ignored. */
export function parseTestFault(value: string | undefined): TestFault | null {
  if (value === undefined || value === '') return null;
  const match = /^(exit|crash|throw):row=(\d+)$/.exec(value.trim());
  if (match === null) throw new Error(`${TEST_FAULT_VARIABLE} must be exit|crash|throw:row=N, found '${value}'`);
  return { mode: match[1] as FaultMode, row: Number(match[2]) };
}

/** Fails as `fault` says when `batch` holds its row; returns normally otherwise. */
export function injectFault(fault: TestFault | null, batch: Pick<ArgBatch, 'firstRow' | 'rowCount'>): void {
  if (fault === null || fault.row < batch.firstRow || fault.row >= batch.firstRow + batch.rowCount) return;
  const what = `test fault (${TEST_FAULT_VARIABLE}) at row ${fault.row + 1}`;
  switch (fault.mode) {
    case 'exit':
      process.exit(3);
      break;
    case 'crash':
      setImmediate(() => {
        throw new Error(`${what}: the worker crashed`);
      });
      // Hold the task: the crash, not a reply, must end it.
      throw new HeldTask();
    case 'throw':
      throw new Error(`${what}: the model threw`);
  }
}

/** Thrown by a 'crash' fault so the task never replies; the worker's handler waits forever on it. */
export class HeldTask extends Error {}
