// The planner's catalog over a DuckDB connection: DESCRIBE for a query's columns, duckdb_functions() and
// duckdb_tables() for names. Answers are cached for the statement.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnInfo, PlanCatalog } from '../plan/plan-catalog.js';

export function duckdbCatalog(connection: DuckDBConnection): PlanCatalog {
  const described = new Map<string, Promise<readonly ColumnInfo[]>>();
  let aggregates: Promise<ReadonlySet<string>> | undefined;
  let consistent: Promise<ReadonlySet<string>> | undefined;
  return {
    describe(query) {
      let columns = described.get(query);
      if (columns === undefined) {
        columns = connection.runAndReadAll(`DESCRIBE ${query}`).then((reader) =>
          reader.getRowObjectsJS().map((row) => ({ name: String(row['column_name']), type: String(row['column_type']) })),
        );
        described.set(query, columns);
      }
      return columns;
    },
    aggregateFunctions() {
      aggregates ??= connection
        .runAndReadAll(`SELECT DISTINCT lower(function_name) AS name FROM duckdb_functions() WHERE function_type = 'aggregate'`)
        .then((reader) => new Set(reader.getRowObjectsJS().map((row) => String(row['name']))));
      return aggregates;
    },
    consistentFunctions() {
      consistent ??= connection
        .runAndReadAll(
          `SELECT lower(function_name) AS name FROM duckdb_functions() WHERE function_type = 'scalar' GROUP BY ALL HAVING bool_and(stability = 'CONSISTENT')`,
        )
        .then((reader) => new Set(reader.getRowObjectsJS().map((row) => String(row['name']))));
      return consistent;
    },
  };
}
