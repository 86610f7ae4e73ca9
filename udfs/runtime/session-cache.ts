// Worker side: one onnxruntime session per model key, built once from the broadcast bytes and kept for
// every later batch and statement. Concurrent first tasks share one pending build. Only the most recently
// used few are kept, so switching weights back and forth does not pile up sessions of ~100 MB each.

import * as ort from 'onnxruntime-node';
import type { SharedModel } from './kernel-task.js';

/** Sessions kept per worker; a worker runs one task at a time, so an evicted session is never in use. */
const MAX_SESSIONS = 4;

export class SessionCache {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  private readonly builds = new Map<string, number>();

  constructor(private readonly intraOpThreads: number) {}

  get(model: SharedModel): Promise<ort.InferenceSession> {
    let session = this.sessions.get(model.key);
    if (session === undefined) {
      session = this.build(model);
      // A failed build is not cached, so a later task retries rather than inheriting the failure.
      session.catch(() => {
        if (this.sessions.get(model.key) === session) this.sessions.delete(model.key);
      });
    }
    // Map order is recency order: re-insert on every use, evict from the front.
    this.sessions.delete(model.key);
    this.sessions.set(model.key, session);
    for (const [key, stale] of this.sessions) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      this.sessions.delete(key);
      stale.then((s) => s.release()).catch(() => undefined);
    }
    return session;
  }

  buildCount(key: string): number {
    return this.builds.get(key) ?? 0;
  }

  private async build(model: SharedModel): Promise<ort.InferenceSession> {
    this.builds.set(model.key, this.buildCount(model.key) + 1);
    // onnxruntime-node refuses views over shared memory: copy once into this worker's own buffer.
    const bytes = new Uint8Array(model.bytes.byteLength);
    bytes.set(new Uint8Array(model.bytes));
    try {
      return await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: this.intraOpThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        logSeverityLevel: 3,
      });
    } catch (error) {
      throw new Error(`cannot build the session for model '${model.key}': ${messageOf(error)}`);
    }
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
