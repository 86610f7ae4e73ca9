// Runs one SQL text on DuckDB as a streaming result: the pass-through path for statements without model
// calls, and the output stage of model statements. An AbortSignal interrupts the running query.
import { ResultReturnType, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { interruptible, throwIfAborted } from './interruptible.js';
import type { ResultColumnInfo, SqlValue, StatementResultKind } from './result.js';

export interface DuckDBStatementRun {
  readonly kind: StatementResultKind;
  readonly columns: readonly ResultColumnInfo[];
  readonly rowsChanged: number;
  /** The result's rows, chunk by chunk; errors are SqlErrors. */
  chunks(): AsyncGenerator<SqlValue[][]>;
}

export interface DuckDBStatementOptions {
  readonly signal?: AbortSignal;
  /**
   * The text DuckDB's error positions refer to, when it is the user's own text; leave it out when `sql`
   * was generated (a model statement's output stage), whose positions mean nothing to the user.
   */
  readonly errorSource?: string;
  /**
   * Run as a plain query, its result materialized by DuckDB, rather than prepared and streamed: for
   * statements that give no rows or few (router.ts streamsRows says why it matters).
   */
  readonly plain?: boolean;
}

export async function runDuckDBStatement(
  connection: DuckDBConnection,
  sql: string,
  options: DuckDBStatementOptions = {},
): Promise<DuckDBStatementRun> {
  const { signal, errorSource, plain = false } = options;
  throwIfAborted(signal);
  const result: DuckDBResult = await interruptible(connection, signal, () => (plain ? connection.run(sql) : connection.stream(sql)), { errorSource });
  const kind = resultKind(result);
  const columns: ResultColumnInfo[] =
    kind === 'rows'
      ? result.columnTypes().map((type, i) => ({ name: result.columnName(i), type: type.toString(), duckdbType: type }))
      : [];
  return {
    kind,
    columns,
    rowsChanged: kind === 'count' ? result.rowsChanged : 0,
    async *chunks() {
      if (kind !== 'rows') return;
      for (;;) {
        const chunk = await interruptible(connection, signal, () => result.fetchChunk(), { errorSource });
        if (chunk === null || chunk.rowCount === 0) return;
        yield chunk.getRows();
      }
    },
  };
}

function resultKind(result: DuckDBResult): StatementResultKind {
  switch (result.returnType) {
    case ResultReturnType.QUERY_RESULT:
      return 'rows';
    case ResultReturnType.CHANGED_ROWS:
      return 'count';
    default:
      return 'nothing';
  }
}
