// The one way the engine calls DuckDB while a statement can be cancelled: an abort interrupts the
// connection and the call fails with the 'interrupted' SqlError; DuckDB's own failures become SqlErrors.
import type { DuckDBConnection } from '@duckdb/node-api';
import { SqlError } from '../sql/sql-error.js';
import { duckdbError } from './duckdb-error.js';

export interface InterruptibleOptions {
  /** The text DuckDB's error positions refer to, when it is the user's own (see duckdbError). */
  readonly errorSource?: string;
}

/** Runs one DuckDB call on `connection`; an abort while it runs interrupts the connection. */
export async function interruptible<T>(
  connection: DuckDBConnection,
  signal: AbortSignal | undefined,
  call: () => Promise<T>,
  options: InterruptibleOptions = {},
): Promise<T> {
  throwIfAborted(signal);
  const onAbort = () => connection.interrupt();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await call();
  } catch (error) {
    if (signal?.aborted) throw interrupted(error);
    throw duckdbError(error, options.errorSource);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interrupted(signal.reason);
}

export function interrupted(cause?: unknown): SqlError {
  return new SqlError({ phase: 'execute', code: 'interrupted', detail: 'the statement was interrupted', cause });
}
