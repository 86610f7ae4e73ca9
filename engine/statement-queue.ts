// One statement at a time per engine: its DuckDB connection and the staged model tables (`__sqlinfer.*`)
// serve a single statement, so a second statement submitted while one runs waits its turn (first come,
// first served) instead of interleaving with it. A waiting caller whose signal aborts stops waiting.
import { SqlError } from './sql/sql-error.js';

export class StatementQueue {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves, once every earlier statement has released, with the function that releases this one. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const before = this.tail;
    this.tail = before.then(() => mine);
    if (signal === undefined) {
      await before;
      return once(release);
    }
    try {
      await abortable(before, signal);
    } catch (error) {
      // Give the turn on to whoever waits after us, once ours would have come.
      void before.then(release);
      throw error;
    }
    return once(release);
  }
}

function once(release: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
}

function abortable(turn: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(interruptedWhileWaiting(signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(interruptedWhileWaiting(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    void turn.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

function interruptedWhileWaiting(cause: unknown): SqlError {
  return new SqlError({
    phase: 'execute',
    code: 'interrupted',
    detail: 'the statement was interrupted while waiting for the statement before it to finish',
    cause,
  });
}
