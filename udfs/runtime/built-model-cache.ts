// The models a worker has built (onnxruntime sessions, TF.js models) by broadcast key, for every later
// batch and statement. Concurrent first tasks share one pending build; a failed build is forgotten, so a
// later task retries rather than inheriting the failure. Only the most recently used few are kept
// (lru-cache), so switching weights back and forth does not pile up models of ~100 MB each.
import { LRUCache } from 'lru-cache';

/** Models kept per worker; a worker runs one task at a time, so an evicted model is never in use. */
export const MODELS_PER_WORKER = 4;

export class BuiltModelCache<T extends object> {
  private readonly built: LRUCache<string, Promise<T>>;

  /** `free` releases an evicted model's memory. */
  constructor(free: (model: T) => unknown, max = MODELS_PER_WORKER) {
    this.built = new LRUCache({ max, dispose: (model) => void model.then(free).catch(() => undefined) });
  }

  /** The model for `key`, built by `build` unless it is built or being built; marks it most recently used. */
  get(key: string, build: () => Promise<T>): Promise<T> {
    const cached = this.built.get(key);
    if (cached !== undefined) return cached;
    const model = build();
    this.built.set(key, model);
    model.catch(() => {
      if (this.built.peek(key) === model) this.built.delete(key);
    });
    return model;
  }
}
