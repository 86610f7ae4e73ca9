// The worker thread: runs kernels by name for the pool. Compiled to dist/udfs/runtime/worker.js and loaded
// by piscina; workerData carries this worker's intra-op thread count.

import { threadId, workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { ModelResult } from '../model-function.js';
import { onnxRunner } from '../models/onnx-model/onnx-runner.js';
import { TfjsModelCache } from '../models/tfjs-model/tfjs-model-cache.js';
import { resultBuffers } from '../models/user-model/model-transfer.js';
import { runTensorModel } from '../models/user-model/tensor-model-kernel.js';
import { KernelRowError } from './kernel-error.js';
import { taskRows, type KernelReply, type LoadTask, type WorkerStats, type WorkerTask } from './kernel-task.js';
import { runImageModel } from './kernels/image-model-kernel.js';
import { runImageToTensor } from './kernels/image-to-tensor-kernel.js';
import { runPackedRows } from './kernels/packed-rows-kernel.js';
import { messageOf, SessionCache } from './session-cache.js';
import { HeldTask, injectFault, injectLoadFault, parseTestFault, TEST_FAULT_VARIABLE } from './test-fault.js';

export interface WorkerData {
  readonly intraOpThreads: number;
}

const { intraOpThreads } = workerData as WorkerData;
const sessions = new SessionCache(intraOpThreads);
const tfjsModels = new TfjsModelCache(intraOpThreads);
const testFault = parseTestFault(process.env[TEST_FAULT_VARIABLE]);

export default async function handle(task: WorkerTask): Promise<unknown> {
  const startedAt = performance.timeOrigin + performance.now();
  const stats = (): WorkerStats => ({
    threadId,
    sessionBuilds: task.kernel === 'image_to_tensor' ? 0 : sessions.buildCount(task.model.key),
    startedAt,
    finishedAt: performance.timeOrigin + performance.now(),
  });
  try {
    if (task.kernel === 'load') injectLoadFault(testFault, threadId);
    else injectFault(testFault, taskRows(task));
    const column = await runKernel(task);
    if (column === null) return { ok: true, column, stats: stats() } satisfies KernelReply;
    // Hand the result's buffers back without copying them, and the input's when asked: the main thread
    // fills it with a later batch instead of a new buffer.
    const buffers = resultBuffers(column);
    const input = task.kernel === 'packed_rows' && task.returnInput === true ? returnable(task.input.buffer, buffers) : null;
    const reply: KernelReply = { ok: true, column, stats: stats(), ...(input !== null ? { input } : {}) };
    return move({
      [transferableSymbol]: input !== null ? [...buffers, input] : buffers,
      [valueSymbol]: reply,
    } as unknown as ArrayBuffer);
  } catch (error) {
    if (error instanceof HeldTask) return new Promise<never>(() => undefined);
    const row = error instanceof KernelRowError ? error.row : null;
    const reason = error instanceof KernelRowError ? error.reason : messageOf(error);
    const reply: KernelReply = { ok: false, row, reason, stats: stats() };
    return reply;
  }
}

/** The input's buffer when it can go back: this thread's own, not empty, and not already a result's. */
function returnable(buffer: ArrayBufferLike, results: readonly ArrayBuffer[]): ArrayBuffer | null {
  if (buffer instanceof SharedArrayBuffer || buffer.byteLength === 0 || results.includes(buffer as ArrayBuffer)) return null;
  return buffer as ArrayBuffer;
}

function runKernel(task: WorkerTask): Promise<ModelResult | null> {
  switch (task.kernel) {
    case 'load':
      return load(task);
    case 'image_to_tensor':
      return runImageToTensor(task, intraOpThreads);
    case 'image_model':
      return runImageModel(task, sessions, intraOpThreads);
    case 'packed_rows':
      return runPackedRows(task, sessions);
    case 'tensor_model':
      return runTensorModel(task, task.format === 'tfjs' ? tfjsModels.runner(task.model) : onnxRunner(sessions, task.model));
  }
}

/** Builds the session, then holds this worker until every party has too, so each load lands on its own worker. */
async function load(task: LoadTask): Promise<null> {
  const counter = new Int32Array(task.barrier);
  try {
    await (task.model.format === 'tfjs' ? tfjsModels.get(task.model) : sessions.get(task.model, task.file));
  } finally {
    // A failed build arrives too (and then reports its error), so the other workers never wait for it.
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  }
  const deadline = Date.now() + task.timeoutMs;
  for (;;) {
    const arrived = Atomics.load(counter, 0);
    const remaining = deadline - Date.now();
    if (arrived >= task.parties || remaining <= 0) return null;
    await (Atomics as unknown as AtomicsWaitAsync).waitAsync(counter, 0, arrived, remaining).value;
  }
}

/** Atomics.waitAsync (Node 16+), missing from the ES2023 lib typings. */
interface AtomicsWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
    timeoutMs: number,
  ): { readonly async: boolean; readonly value: Promise<'ok' | 'timed-out'> | 'not-equal' | 'timed-out' };
}
