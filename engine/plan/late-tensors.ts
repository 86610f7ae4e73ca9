// Which list arguments are read from Parquet pages rather than by DuckDB: a bare column of a local
// Parquet scan, in a relation that streams through its model stage. DuckDB's input then reads only each
// row's location (`filename`, `file_row_number`), and the model stage reads the values (engine/parquet).
// Anything else keeps DuckDB's read, with the reason EXPLAIN gives.
import type { ElementType } from '../../udfs/index.js';
import type { Expression, FunctionArg } from '../sql/ast.js';
import type { PlannedFile } from '../parquet/parquet-footer.js';
import { columnRefs } from './expression-facts.js';
import type { FromLeaf } from './from-leaves.js';
import type { PlanCatalog } from './plan-catalog.js';

/** An argument read from Parquet pages: the column, and the files as the plan saw them (by DuckDB's names). */
export interface PageRead {
  readonly column: string;
  readonly files: ReadonlyMap<string, PlannedFile>;
}

export type ArgumentRead = { readonly pages: PageRead } | { readonly duckdb: string };

/** What the planner knows of the argument and its relation. */
export interface LateTensorQuestion {
  readonly arg: Expression;
  readonly leaf: FromLeaf;
  /** Lower-case column names of the relation. */
  readonly leafColumns: ReadonlySet<string>;
  readonly element: ElementType;
  /** Null when the relation is copied whole into a staged table before the model runs. */
  readonly streamed: boolean;
  /** Expressions DuckDB evaluates in the input query besides the argument: pushed filters, guards. */
  readonly alsoRead: readonly Expression[];
  readonly text: (arg: Expression | FunctionArg) => string;
}

export async function argumentRead(q: LateTensorQuestion, catalog: PlanCatalog): Promise<ArgumentRead> {
  const { arg, leaf } = q;
  const column = bareColumn(arg, leaf, q.leafColumns);
  if (column === null) return { duckdb: 'the argument is an expression, not a column of the relation' };
  const files = parquetFiles(leaf, q.text);
  if ('reason' in files) return { duckdb: files.reason };
  if (!q.streamed) return { duckdb: 'the relation is copied whole before the model runs (the statement reads all its columns, or a wide one)' };
  // A column named filename is renamed away by the scan's `filename` option; file_row_number cannot be.
  if (q.leafColumns.has('file_row_number')) return { duckdb: "the files have a column named file_row_number, which hides the row's location" };
  const lower = column.toLowerCase();
  if (q.alsoRead.some((e) => columnRefs(e).some((r) => r.parts.at(-1)!.name.toLowerCase() === lower))) {
    return { duckdb: `a filter or condition before the model reads ${column}` };
  }
  const inspected = await catalog.tensorFiles(files.sql, column, q.element);
  return 'reason' in inspected ? { duckdb: inspected.reason } : { pages: { column, files: inspected.files } };
}

/** The column an argument names when it is just a column of `leaf`, else null. */
function bareColumn(arg: Expression, leaf: FromLeaf, columns: ReadonlySet<string>): string | null {
  if (arg.kind !== 'ColumnRef') return null;
  const parts = arg.parts.map((p) => p.name);
  if (parts.length > 2) return null;
  if (parts.length === 2 && parts[0]!.toLowerCase() !== leaf.alias?.toLowerCase()) return null;
  const name = parts.at(-1)!;
  return columns.has(name.toLowerCase()) ? name : null;
}

/** The files argument of a local Parquet scan, as SQL, or why the leaf is not one. */
function parquetFiles(leaf: FromLeaf, text: LateTensorQuestion['text']): { readonly sql: string } | { readonly reason: string } {
  const node = leaf.node;
  switch (node.kind) {
    case 'FileRef': {
      const path = String(node.path.value ?? '');
      if (!/\.parquet$/i.test(path)) return { reason: 'the relation is not a Parquet file' };
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return { reason: 'the file is remote' };
      return { sql: text(node.path) };
    }
    case 'TableFunctionRef': {
      const name = node.call.name.parts.map((p) => p.name.toLowerCase()).join('.');
      if (name !== 'read_parquet' && name !== 'parquet_scan') return { reason: `the relation is ${name}(...), not a Parquet scan` };
      const first = node.call.args[0];
      if (first === undefined || first.name !== null) return { reason: 'the Parquet scan names no files' };
      if (node.call.args.some((a) => a.name?.name.toLowerCase() === 'filename' || a.name?.name.toLowerCase() === 'file_row_number')) {
        return { reason: 'the scan renames the row location columns' };
      }
      return { sql: text(first.value) };
    }
    case 'TableRef':
      return { reason: `the relation ${node.name.parts.map((p) => p.name).join('.')} is a table, view or CTE, not a Parquet file` };
    case 'SubqueryRef':
      return { reason: 'the column comes through a subquery' };
    case 'ParenthesizedFrom':
      return { reason: 'the relation is a parenthesized join' };
  }
}
