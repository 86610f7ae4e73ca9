// Cancelling a statement must never stop a worker in the middle of its work: the worker pool would
// terminate the thread, and a thread terminated inside onnxruntime's native code aborts the whole
// process (`terminate called after throwing an instance of 'Napi::Error'`). So the model path's batches
// and model loading run without the statement's signal: a batch waiting for a slot is dropped on abort,
// running work finishes on its worker and its result is dropped, and the statement's promise rejects at
// once. At most `threads` batches are handed to the pool at a time, so little work is left to drain;
// close() waits for it before the pool is stopped.
import type { ModelRegistry } from './router.js';
import type { ArgBatch, ModelArgBatch, ModelFunction, PreparedCall, PrepareContext } from '../udfs/model-function.js';

export class CancellableBatches {
  private readonly wrapped = new WeakMap<ModelFunction, ModelFunction>();
  private readonly running = new Set<Promise<unknown>>();
  /** Slots taken: batches running on the pool. */
  private active = 0;
  private readonly waiting: { readonly limit: number; readonly start: () => void }[] = [];

  /** The registry as the model path sees it: the same functions, with cancellable batches. */
  registry(registry: ModelRegistry): ModelRegistry {
    return {
      has: (name) => registry.has(name),
      get: (name) => this.wrap(registry.get(name)),
      list: () => registry.list().map((fn) => this.wrap(fn)!),
    };
  }

  /** Resolves when no batch runs on the pool any more. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private wrap(fn: ModelFunction | undefined): ModelFunction | undefined {
    if (fn === undefined) return undefined;
    let wrapper = this.wrapped.get(fn);
    if (wrapper === undefined) {
      const prepare = async (context: PrepareContext): Promise<PreparedCall> => {
        // Loading a model also runs on the workers (the broadcast): it goes on without the signal too.
        const loading = this.track(fn.prepare(overriding(context, { signal: undefined })));
        const prepared = context.signal === undefined ? await loading : await abandonOnAbort(loading, context.signal);
        const limit = Math.max(1, context.settings.threads);
        const run = (batch: ArgBatch, signal?: AbortSignal) => this.run(() => prepared.run(batch), limit, signal);
        const runModel =
          prepared.runModel === undefined
            ? undefined
            : (batch: ModelArgBatch, signal?: AbortSignal) => this.run(() => prepared.runModel!(batch), limit, signal);
        return overriding(prepared, { run, runModel });
      };
      wrapper = overriding(fn, { prepare });
      this.wrapped.set(fn, wrapper);
    }
    return wrapper;
  }

  private async run<T>(start: () => Promise<T>, limit: number, signal: AbortSignal | undefined): Promise<T> {
    signal?.throwIfAborted();
    await this.slot(limit, signal);
    const work = this.track(start());
    const release = () => this.release();
    void work.then(release, release);
    return signal === undefined ? work : abandonOnAbort(work, signal);
  }

  /** Work on the workers that close() must wait for. */
  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const settled = () => void this.running.delete(work);
    void work.then(settled, settled);
    return work;
  }

  /** Takes one of the `limit` slots, synchronously when one is free, else in turn. */
  private slot(limit: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.active < limit && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = {
        limit,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private release(): void {
    this.active--;
    const next = this.waiting[0];
    if (next !== undefined && this.active < next.limit) {
      this.waiting.shift();
      this.active++;
      next.start();
    }
  }
}

/** `work`, or a rejection as soon as `signal` aborts (work goes on; its outcome is then ignored). */
function abandonOnAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
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

/** `target` with some members replaced; everything else (present or added later to the contract) passes through. */
function overriding<T extends object>(target: T, members: Partial<T>): T {
  return new Proxy(target, {
    get(object, key) {
      if (Object.hasOwn(members, key)) return members[key as keyof T];
      const value: unknown = Reflect.get(object, key, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}
