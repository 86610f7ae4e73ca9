// What a statement gives back, materialized (Engine.run) or streamed chunk by chunk (Engine.stream).
// Values stay faithful to DuckDB: node-api's values (bigint for BIGINT, DuckDBListValue, DuckDBDateValue,
// DuckDBDecimalValue ...); turning them into text or JSON is the caller's choice, with the column types
// at hand.
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type { Span } from '../sql/span.js';

export type SqlValue = DuckDBValue;

export interface ResultColumnInfo {
  readonly name: string;
  /** DuckDB's type text, e.g. `INTEGER`, `FLOAT[]`, `STRUCT("a" INTEGER)`. */
  readonly type: string;
  /** The structured type, for renderers that walk nested values. */
  readonly duckdbType: DuckDBType;
}

/**
 * - `rows`: the statement returns a result set (SELECT, DESCRIBE, EXPLAIN, SHOW ...), possibly empty;
 * - `count`: it changed rows (INSERT, UPDATE, DELETE, COPY), see rowsChanged;
 * - `nothing`: it returns nothing (CREATE, SET, PRAGMA ...).
 */
export type StatementResultKind = 'rows' | 'count' | 'nothing';

interface StatementResultBase {
  /** The statement's text as the user wrote it (without the ending `;`). */
  readonly sql: string;
  /** Where the statement sits in the text given to run()/stream(). */
  readonly span: Span;
  readonly kind: StatementResultKind;
  readonly columns: readonly ResultColumnInfo[];
  /** Rows changed for kind `count`, otherwise 0. */
  readonly rowsChanged: number;
}

export interface StatementResult extends StatementResultBase {
  readonly rows: readonly (readonly SqlValue[])[];
}

export interface StreamedStatement extends StatementResultBase {
  /**
   * The rows in chunks (DuckDB's vectors, up to 2048 rows each). Iterate at most once, before asking
   * the statement stream for the next statement; rows left unread are discarded then.
   */
  chunks(): AsyncIterable<readonly (readonly SqlValue[])[]>;
}
