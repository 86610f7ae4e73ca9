// A query handed to DuckDB such that the caller learns when DuckDB is executing it. node-api's
// connection.run() and stream() first prepare the statement (a step of its own on another thread) and
// only then execute it, so work started right after calling them can still get ahead of DuckDB. Here the
// statement is prepared first, and `onExecuting` is called once its execution is on DuckDB's threads.
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';

export async function executeThen<T>(
  connection: DuckDBConnection,
  sql: string,
  execute: (statement: DuckDBPreparedStatement) => Promise<T>,
  onExecuting: () => void,
): Promise<T> {
  const statement = await connection.prepare(sql);
  try {
    const result = execute(statement);
    onExecuting();
    return await result;
  } finally {
    statement.destroySync();
  }
}
