// Runs the front-end fuzz in a worker thread, so that a parser stuck in a loop can be stopped (a
// synchronous loop in the test's own thread could not be) and the input that hung is known: the worker
// posts each input before checking it.
import { parentPort, workerData } from 'node:worker_threads';
import { checkInput, fuzzInputs } from './fuzz-sql.js';

export interface FuzzWorkerData {
  readonly seeds: readonly string[];
  readonly count: number;
  readonly seed: number;
}

export type FuzzMessage =
  | { readonly kind: 'input'; readonly sql: string }
  | { readonly kind: 'failure'; readonly sql: string; readonly problem: string }
  | { readonly kind: 'done'; readonly checked: number; readonly slowestMs: number; readonly slowest: string };

const { seeds, count, seed } = workerData as FuzzWorkerData;
const post = (message: FuzzMessage) => parentPort!.postMessage(message);
let checked = 0;
let slowestMs = 0;
let slowest = '';
for (const sql of fuzzInputs(seeds, count, seed)) {
  post({ kind: 'input', sql });
  const started = performance.now();
  const problem = checkInput(sql);
  const ms = performance.now() - started;
  if (ms > slowestMs) [slowestMs, slowest] = [ms, sql];
  if (problem !== null) post({ kind: 'failure', sql, problem });
  checked++;
}
post({ kind: 'done', checked, slowestMs, slowest });
