// DuckDB's failures as SqlErrors: DuckDB's message is kept, and the position it reports is mapped back
// onto the statement's text when that text is the user's and the place can be found there.
import { readDuckDBMessage, tokenSpanAt } from '../sql/duckdb-message.js';
import { SqlError } from '../sql/sql-error.js';

/**
 * Wraps an error thrown by DuckDB. `source` is the exact text DuckDB was given, when that is the user's
 * text; leave it out for SQL that sqlinfer generated (its LINE block would quote that SQL: it is dropped).
 */
export function duckdbError(error: unknown, source?: string): SqlError {
  if (error instanceof SqlError) return error;
  const message = readDuckDBMessage(error);
  const at = source === undefined ? undefined : message.offsetIn(source);
  if (at === undefined) {
    // A LINE block about the user's own text that cannot be placed is kept as DuckDB wrote it.
    const detail = source === undefined ? message.detail : message.text;
    return new SqlError({ phase: 'execute', code: message.code, detail, cause: error });
  }
  return new SqlError({ phase: 'execute', code: message.code, detail: message.detail, span: tokenSpanAt(source!, at), source, cause: error });
}
