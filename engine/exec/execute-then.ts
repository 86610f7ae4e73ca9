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
  const statement = await prepareLast(connection, sql);
  try {
    const result = execute(statement);
    onExecuting();
    return await result;
  } finally {
    statement.destroySync();
  }
}

/**
 * The statement prepared, after running the statements DuckDB's parser puts before it: a PIVOT whose IN
 * list DuckDB computes (`PIVOT t ON k`) becomes an ENUM type made from the data, then the query.
 */
export async function prepareLast(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  const extracted = await connection.extractStatements(sql);
  for (let i = 0; i < extracted.count - 1; i++) {
    const before = await extracted.prepare(i);
    try {
      await before.run();
    } finally {
      before.destroySync();
    }
  }
  return extracted.prepare(extracted.count - 1);
}
