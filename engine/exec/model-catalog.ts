// The planner's catalog over a DuckDB connection: DESCRIBE for a query's columns, duckdb_functions() and
// duckdb_tables() for names. Answers are cached for the statement.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnInfo, PlanCatalog } from '../plan/plan-catalog.js';

export function duckdbCatalog(connection: DuckDBConnection): PlanCatalog {
  const described = new Map<string, Promise<readonly ColumnInfo[]>>();
  let aggregates: Promise<ReadonlySet<string>> | undefined;
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
    async isBaseTable(name) {
      const [table, schema, database] = [...name].reverse();
      const conditions = ['lower(table_name) = lower($1)'];
      const values: string[] = [table!];
      if (schema !== undefined) {
        values.push(schema);
        conditions.push(`lower(schema_name) = lower($${values.length})`);
      }
      if (database !== undefined) {
        values.push(database);
        conditions.push(`lower(database_name) = lower($${values.length})`);
      }
      const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM duckdb_tables() WHERE ${conditions.join(' AND ')}`, values);
      return Number(reader.getRowObjectsJS()[0]?.['n'] ?? 0) > 0;
    },
  };
}
