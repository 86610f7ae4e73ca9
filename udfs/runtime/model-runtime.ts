// The model runtime: a pool of worker threads (piscina) that run kernels on batches, and the broadcast of
// model bytes to them. A model's ONNX bytes are copied once into a SharedArrayBuffer; every task that needs
// the model carries that buffer by reference, and each worker builds its session from it once.

import './ort-environment.js';
import { Piscina } from 'piscina';
// sharp must stay loaded in the main thread while workers use it: otherwise libvips is unloaded when the
// last worker using it exits, and the next pool's workers fail to load it (sharp's worker-threads notes).
import 'sharp';
import { RowError, type ModelResult, type ResultColumn } from '../model-function.js';
import { prepareModelTransfer } from '../models/user-model/model-transfer.js';
import { prepareTransfer } from './batch-transfer.js';
import { modelFile, type ModelFile } from './model-file.js';
import { messageOf } from './session-cache.js';
import { taskRows, type ImageModelTask, type ImageToTensorTask, type KernelReply, type KernelTask, type LoadTask, type PackedRowsTask, type SharedModel, type TensorModelTask, type WorkerStats, type WorkerTask } from './kernel-task.js';
import { packTask } from './packed-rows.js';
import { splitThreads, type ThreadSplit } from './thread-split.js';
import type { WorkerData } from './worker.js';

export interface ModelRuntimeOptions {
  /** Total threads for model work, workers x intra-op threads (default: the machine's cores). */
  readonly threads?: number;
  /** Worker threads (default or 0: chosen from threads, see thread-split.ts). */
  readonly workers?: number;
}

/** A task that runs over a batch (everything but the broadcast's load; packed rows are made by run()). */
export type BatchTask = Exclude<KernelTask, LoadTask | TensorModelTask | PackedRowsTask>;

export interface RunResult {
  readonly column: ResultColumn;
  readonly stats: WorkerStats;
}

/** How long a load waits for the other workers to pick up theirs before giving up on the guarantee. */
const LOAD_BARRIER_TIMEOUT_MS = 120_000;

const WORKER_FILE = new URL('./worker.js', import.meta.url).href;

export class ModelRuntime {
  private split: ThreadSplit;
  private pool: Piscina | null = null;
  private readonly models = new Map<string, SharedModel>();
  /** The files the workers build ONNX sessions from, by model key; closed once released and no load uses them. */
  private readonly files = new Map<string, { readonly file: ModelFile; loads: number; released: boolean }>();
  private closed = false;
  /** Tasks on the pool; close() waits for them. */
  private readonly running = new Set<Promise<unknown>>();
  /** Batches handed to the pool and not yet settled, and the batches waiting for a place. */
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(options: ModelRuntimeOptions = {}) {
    this.split = splitThreads(options.threads, options.workers);
  }

  get workers(): number {
    return this.split.workers;
  }

  get intraOpThreads(): number {
    return this.split.intraOpThreads;
  }

  get threads(): number {
    return this.split.workers * this.split.intraOpThreads;
  }

  /**
   * Changes the split; when it differs, the current workers finish their tasks and are replaced (their
   * sessions go with them: the next broadcast() or batch rebuilds them from the shared bytes).
   */
  async configure(options: ModelRuntimeOptions): Promise<void> {
    const split = splitThreads(options.threads, options.workers);
    if (split.workers === this.split.workers && split.intraOpThreads === this.split.intraOpThreads) return;
    this.split = split;
    const old = this.pool;
    this.pool = null;
    if (old !== null) await old.close();
  }

  /**
   * Places a model's bytes in shared memory once per key; later calls with the key return the same model.
   * Bytes that are all of a SharedArrayBuffer already are shared as they are, not copied (100 MB less).
   */
  share(key: string, bytes: Uint8Array): SharedModel {
    const existing = this.models.get(key);
    if (existing !== undefined) return existing;
    let shared: SharedArrayBuffer;
    if (bytes.buffer instanceof SharedArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) shared = bytes.buffer;
    else {
      shared = new SharedArrayBuffer(bytes.byteLength);
      new Uint8Array(shared).set(bytes);
    }
    const model: SharedModel = { key, bytes: shared };
    this.models.set(key, model);
    return model;
  }

  /** The shared model for a key, if share() was called with it. */
  model(key: string): SharedModel | undefined {
    return this.models.get(key);
  }

  /** Drops the shared bytes of a model (workers keep sessions already built until the pool is replaced). */
  release(key: string): void {
    this.models.delete(key);
    const entry = this.files.get(key);
    if (entry === undefined) return;
    entry.released = true;
    if (entry.loads === 0) this.closeFile(key);
  }

  /**
   * Builds the model's session on every worker, in parallel, before the first batch. Each worker holds its
   * load task until all have arrived, so the loads cannot pile onto one worker; workers that already have
   * the session just pass the barrier.
   */
  async broadcast(model: SharedModel, signal?: AbortSignal): Promise<void> {
    const pool = this.ensurePool();
    const barrier = new SharedArrayBuffer(4);
    const parties = this.split.workers;
    const file = this.useFile(model);
    const task: LoadTask = { kernel: 'load', model, ...(file !== null ? { file: file.path } : {}), barrier, parties, timeoutMs: LOAD_BARRIER_TIMEOUT_MS };
    let replies: KernelReply[];
    try {
      const runs = Array.from({ length: parties }, () => this.track(pool.run(task) as Promise<KernelReply>));
      // The file stays open until every worker is done with it, even when this call stops waiting first:
      // a descriptor closed under a load could be reused by another model's file.
      if (file !== null) void Promise.allSettled(runs).then(() => this.doneWithFile(model.key));
      replies = await abandonOnAbort(Promise.all(runs), signal);
    } catch (error) {
      // A worker that died (or a cancelled load) never reaches the barrier: let the others through now
      // rather than after the barrier's timeout, so they are free for the next statement.
      const counter = new Int32Array(barrier);
      Atomics.store(counter, 0, parties);
      Atomics.notify(counter, 0);
      if (signal?.aborted) throw error;
      throw new Error(`a model worker died while loading the model (${messageOf(error)}); it has been replaced`, { cause: error });
    }
    for (const reply of replies) if (!reply.ok) throw new Error(reply.reason);
  }

  /**
   * The model's file for a broadcast (made at its first), or null for a TF.js model or where none can be
   * made: the workers then copy the shared bytes.
   */
  private useFile(model: SharedModel): ModelFile | null {
    if (model.format === 'tfjs') return null;
    let entry = this.files.get(model.key);
    if (entry === undefined) {
      const file = modelFile(model.bytes);
      if (file === null) return null;
      entry = { file, loads: 0, released: false };
      this.files.set(model.key, entry);
    }
    entry.released = false;
    entry.loads++;
    return entry.file;
  }

  private doneWithFile(key: string): void {
    const entry = this.files.get(key);
    if (entry === undefined) return;
    entry.loads--;
    if (entry.released && entry.loads === 0) this.closeFile(key);
  }

  private closeFile(key: string): void {
    this.files.get(key)?.file.close();
    this.files.delete(key);
  }

  /** Runs a kernel over a batch on some worker. Rejects with a RowError for a bad row. */
  async run(task: BatchTask, signal?: AbortSignal): Promise<ResultColumn> {
    return (await this.runWithStats(task, signal)).column;
  }

  /** run(), also reporting which worker ran the batch and when. */
  async runWithStats(task: BatchTask, signal?: AbortSignal): Promise<RunResult> {
    const packed = task.kernel === 'image_to_tensor' ? null : packTask(task);
    let reply: { column: ModelResult; stats: WorkerStats };
    if (packed === null) {
      const { batch, transferList } = prepareTransfer(task.batch);
      reply = await this.dispatch({ ...task, batch } as ImageModelTask | ImageToTensorTask, transferList, signal);
    } else {
      reply = await this.dispatch(packed.task, packed.transferList, signal, packed.recycle);
    }
    const { column, stats } = reply;
    if (column.kind !== 'float-list') throw new Error(`kernel ${task.kernel} returned a ${column.kind} result, expected a float list`);
    if (packed === null || packed.failures.length === 0) return { column, stats };
    return { column: { ...column, rowErrors: packed.failures }, stats };
  }

  /** Runs a user model's batch: typed tensor columns in, a typed, scalar or STRUCT result out. */
  async runModel(task: TensorModelTask, signal?: AbortSignal): Promise<ModelResult> {
    const { batch, transferList } = prepareModelTransfer(task.batch);
    return (await this.dispatch({ ...task, batch }, transferList, signal)).column;
  }

  private async dispatch(
    task: Exclude<WorkerTask, LoadTask>,
    transferList: ArrayBuffer[],
    signal: AbortSignal | undefined,
    recycle?: (input: ArrayBuffer) => void,
  ): Promise<{ column: ModelResult; stats: WorkerStats }> {
    const pool = this.ensurePool();
    await this.place(signal);
    let reply: KernelReply;
    try {
      const work = this.track(pool.run(task, { transferList }) as Promise<KernelReply>);
      const free = () => this.free();
      work.then(free, free);
      reply = await abandonOnAbort(work, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      // The worker died under the batch (it exited, or threw outside any task): piscina has started a
      // new one in its place, so only this batch (and its statement) fails.
      const { firstRow, rowCount } = taskRows(task);
      const rows = `rows ${firstRow + 1} to ${firstRow + rowCount}`;
      throw new Error(`a model worker died while running ${rows} (${messageOf(error)}); it has been replaced`, { cause: error });
    }
    if (!reply.ok) throw reply.row === null ? new Error(reply.reason) : new RowError(reply.row, reply.reason);
    if (reply.input !== undefined) recycle?.(reply.input);
    if (reply.column === null) throw new Error(`kernel ${task.kernel} returned no result`);
    return { column: reply.column, stats: reply.stats };
  }

  /** Stops the workers (after their current tasks) and drops the shared models. */
  async close(): Promise<void> {
    this.closed = true;
    this.models.clear();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    for (const key of [...this.files.keys()]) this.closeFile(key);
    const pool = this.pool;
    this.pool = null;
    if (pool !== null) await pool.destroy();
  }

  /**
   * Work handed to the pool always runs to its end: piscina would stop a worker in the middle of a task
   * when its signal aborts, and a thread stopped inside onnxruntime's native code aborts the whole
   * process. So tasks get no signal; the caller stops waiting instead (abandonOnAbort), the result is
   * dropped, and close() waits for such leftovers.
   */
  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const settled = () => void this.running.delete(work);
    work.then(settled, settled);
    return work;
  }

  /**
   * Waits for a place on the pool: at most two batches per worker are handed to it (one running, one
   * ready), so a cancelled statement leaves little behind. Waiting ends early when `signal` aborts.
   */
  private place(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < 2 * this.split.workers && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const start = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(start), 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(start);
    });
  }

  private free(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next !== undefined) {
      this.active++;
      next();
    }
  }

  private ensurePool(): Piscina {
    if (this.closed) throw new Error('the model runtime is closed');
    if (this.pool === null) {
      const workerData: WorkerData = { intraOpThreads: this.split.intraOpThreads };
      this.pool = new Piscina({
        filename: WORKER_FILE,
        minThreads: this.split.workers,
        maxThreads: this.split.workers,
        // One batch at a time per worker: its session already uses all the worker's intra-op threads.
        concurrentTasksPerWorker: 1,
        // Kernels await native work (sessions, sharp); an Atomics.wait idle loop would stall it.
        atomics: 'disabled',
        workerData,
      });
    }
    return this.pool;
  }
}

/** `work`, or a rejection as soon as `signal` aborts (the work goes on; its outcome is then ignored). */
function abandonOnAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
