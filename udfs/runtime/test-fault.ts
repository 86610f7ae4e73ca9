// TEST ONLY: makes a worker fail on purpose, so tests can check what a statement does when a worker dies.
// Set SQLINFER_TEST_WORKER_FAULT in the environment of the process (workers read it when they start):
//   exit:row=N    the worker thread exits (process.exit in the thread) when it gets the batch holding row N
//   crash:row=N   the worker throws an uncaught exception outside any task, as a native crash would surface
//   throw:row=N   the kernel throws a plain error, as a model that fails on a batch does
//   exit:load     workers with an even thread id exit on their model load (the broadcast), so one of two
//                 dies while the other waits at the load barrier; their replacements (odd ids) load fine
// N is the 0-based position of the row in the statement's input. Never set it outside tests.

import type { ArgBatch } from '../model-function.js';

export const TEST_FAULT_VARIABLE = 'SQLINFER_TEST_WORKER_FAULT';

export type FaultMode = 'exit' | 'crash' | 'throw';

export interface TestFault {
  readonly mode: FaultMode;
  /** The row whose batch fails, or 'load' for the model load. */
  readonly at: number | 'load';
}

/** The fault the environment asks for, null when none; a malformed value is an error, not silently ignored. */
export function parseTestFault(value: string | undefined): TestFault | null {
  if (value === undefined || value === '') return null;
  const match = /^(exit|crash|throw):row=(\d+)$/.exec(value.trim());
  if (value.trim() === 'exit:load') return { mode: 'exit', at: 'load' };
  if (match === null) throw new Error(`${TEST_FAULT_VARIABLE} must be exit|crash|throw:row=N or exit:load, found '${value}'`);
  return { mode: match[1] as FaultMode, at: Number(match[2]) };
}

/** Fails as `fault` says when `batch` holds its row; returns normally otherwise. */
export function injectFault(fault: TestFault | null, batch: Pick<ArgBatch, 'firstRow' | 'rowCount'>): void {
  if (fault === null || fault.at === 'load' || fault.at < batch.firstRow || fault.at >= batch.firstRow + batch.rowCount) return;
  const what = `test fault (${TEST_FAULT_VARIABLE}) at row ${fault.at + 1}`;
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

/** Exits this worker on its model load when `fault` is exit:load and its thread id is even. */
export function injectLoadFault(fault: TestFault | null, threadId: number): void {
  if (fault?.at === 'load' && threadId % 2 === 0) process.exit(3);
}

/** Thrown by a 'crash' fault so the task never replies; the worker's handler waits forever on it. */
export class HeldTask extends Error {}
