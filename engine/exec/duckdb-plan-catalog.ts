// The planner's catalog over a DuckDB connection: DESCRIBE for a query's columns, duckdb_functions() and
// duckdb_tables() for names. Answers are cached for the statement.
import { DuckDBTypeId, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { inspectTensorColumn } from '../parquet/parquet-footer.js';
import { arrowListUnsupported, type ArrowRelations } from './arrow-tensors.js';
import { hasUrlScheme } from '../plan/file-paths.js';
import type { ColumnInfo, PlanCatalog } from '../plan/plan-catalog.js';
import { readDuckDBMessage } from '../sql/duckdb-message.js';

/** Below this many bytes a row on average, DuckDB's own read of a list column costs less than the pages'. */
export const PAGE_ROW_BYTES = 4096;

/**
 * `pages`: SET parquet_pages. 'auto' reads a list column from its pages when its rows are wide; the
 * reader's cost per row (a few microseconds) then vanishes beside what DuckDB's list vectors cost.
 */
export function duckdbCatalog(connection: DuckDBConnection, pages: 'auto' | 'always' | 'never' = 'auto', arrowTables?: ArrowRelations): PlanCatalog {
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
    async partlyNamedStructs(query) {
      const result = await connection.run(`SELECT * FROM (${query}) LIMIT 0`);
      const types = result.columnTypes();
      return result.columnNames().filter((_, i) => partlyNamed(types[i]!));
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
    async tensorFiles(files, column, element, scanType) {
      if (pages === 'never') return { reason: "SET parquet_pages = 'never'" };
      let paths: string[];
      try {
        // Footers only: DuckDB expands the globs and lists exactly as its scan will.
        const reader = await connection.runAndReadAll(`SELECT file_name FROM parquet_file_metadata(${files})`);
        paths = reader.getRowObjectsJS().map((row) => String(row['file_name']));
      } catch (error) {
        return { reason: `DuckDB cannot list the files: ${readDuckDBMessage(error).headline}` };
      }
      if (paths.some(hasUrlScheme)) return { reason: 'a file is remote' };
      // A hive partition of the column's name would be the scan's column instead of the file's.
      const key = `${column.toLowerCase()}=`;
      if (paths.some((path) => path.split('/').some((folder) => folder.toLowerCase().startsWith(key)))) {
        return { reason: `the files' folders are hive partitions by ${column}` };
      }
      const inspected = await inspectTensorColumn(paths, column, element, scanType);
      if ('reason' in inspected || pages === 'always' || inspected.rowBytes >= PAGE_ROW_BYTES) return inspected;
      return { reason: `its rows average ${Math.round(inspected.rowBytes)} bytes, which DuckDB reads faster (pages from ${PAGE_ROW_BYTES} bytes a row, or SET parquet_pages = 'always')` };
    },
    arrowColumn(relation, column, element) {
      const table = arrowTables?.get(relation);
      if (table === undefined) return null;
      const scan = { functionName: table.functionName, rowColumn: table.rowColumn };
      // DuckDB binds column names case-insensitively.
      const field = table.schema.fields.find((f) => f.name.toLowerCase() === column.toLowerCase());
      if (field === undefined) return { scan, reason: `the Arrow batch has no column ${column}` };
      const why = arrowListUnsupported(field, element);
      return why === null ? { scan, column: field.name } : { scan, reason: why };
    },
  };
}

/** Whether the type holds a struct some of whose fields are named and some not. */
function partlyNamed(type: DuckDBType): boolean {
  switch (type.typeId) {
    case DuckDBTypeId.STRUCT: {
      const unnamed = type.entryNames.filter((n) => n === '').length;
      return (unnamed > 0 && unnamed < type.entryNames.length) || type.entryTypes.some(partlyNamed);
    }
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return partlyNamed(type.valueType);
    case DuckDBTypeId.MAP:
      return partlyNamed(type.keyType) || partlyNamed(type.valueType);
    case DuckDBTypeId.UNION:
      return type.memberTypes.some(partlyNamed);
    default:
      return false;
  }
}
