// Worker side: one onnxruntime session per model key, built once from the broadcast bytes and kept (the
// most recently used few, see built-model-cache.ts) for every later batch and statement.

import * as ort from 'onnxruntime-node';
import { BuiltModelCache } from './built-model-cache.js';
import type { SharedModel } from './kernel-task.js';

export class SessionCache {
  private readonly sessions = new BuiltModelCache<ort.InferenceSession>((session) => session.release());
  private readonly builds = new Map<string, number>();

  constructor(private readonly intraOpThreads: number) {}

  /** The model's session, built at the first call: from `file` when given (a broadcast's), else from the bytes. */
  get(model: SharedModel, file?: string): Promise<ort.InferenceSession> {
    return this.sessions.get(model.key, () => this.build(model, file));
  }

  buildCount(key: string): number {
    return this.builds.get(key) ?? 0;
  }

  private async build(model: SharedModel, file: string | undefined): Promise<ort.InferenceSession> {
    this.builds.set(model.key, this.buildCount(model.key) + 1);
    const options: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: this.intraOpThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      // Without a memory pattern, the arena reuses freed activations as the run goes instead of reserving
      // the whole pattern up front: ResNet-50 at 13 rows holds 92 MiB less (91 against 183), at the same
      // speed (three alternating pairs of bare sessions here).
      enableMemPattern: false,
      logSeverityLevel: 3,
      // Idle intra-op threads sleep rather than spin: the cores are shared with the main thread's page
      // reads and DuckDB, and a spinning thread takes a core from them (paired pipeline runs here: the
      // same median images/s, less CPU, and none of the runs 20% slow that spinning gave).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
    try {
      // onnxruntime-node refuses views over shared memory: without a file, copy once into this worker's own buffer.
      if (file !== undefined) return await ort.InferenceSession.create(file, options);
      return await ort.InferenceSession.create(new Uint8Array(model.bytes).slice(), options);
    } catch (error) {
      throw new Error(`cannot build the session for model '${model.key}': ${messageOf(error)}`);
    }
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
