// Which list arguments are read late rather than by DuckDB: a column of a local Parquet scan, or of the
// Arrow batch of `--arrow-stream`, named directly or passed through a subquery or CTE, in a relation that
// streams through its model stage. DuckDB's input then reads only each row's location (`filename`,
// `file_row_number` of the Parquet scan; the row's position among the Arrow batches) and the model stage
// reads the values (engine/parquet, exec/arrow-tensors.ts). Anything else keeps DuckDB's read, with the
// reason EXPLAIN gives.
import type { ElementType } from '../../udfs/index.js';
import type { Expression, FileRef, FunctionArg, Query, SelectCore, TableFunctionRef, TableRef } from '../sql/ast.js';
import type { Span } from '../sql/span.js';
import type { PlannedFile } from '../parquet/parquet-footer.js';
import { columnRefs, hasAggregateCall, hasSetReturningCall, hasWindowCall } from './expression-facts.js';
import { hasUrlScheme } from './file-paths.js';
import { fileAlias, type FromLeaf } from './from-leaves.js';
import type { CteScope } from './leaf-scope.js';
import type { ArrowScan, PlanCatalog } from './plan-catalog.js';
import { quoteIdentifier, quoteString } from './sql-text.js';

/** An argument read from Parquet pages: the column in the files, and the files as the plan saw them (by DuckDB's names). */
export interface PageRead {
  readonly column: string;
  readonly files: ReadonlyMap<string, PlannedFile>;
}

/** A change to the statement's text, for the input query only: `span` replaced by `text` (inserted when empty). */
export interface Patch {
  readonly span: Span;
  readonly text: string;
}

/**
 * How the input query gets each row's location as the columns `names.file` and `names.row` of the
 * relation: `select` (added to the relation's own select list, when the leaf is the scan) and `patches`.
 */
export interface Locations {
  readonly select: string;
  readonly patches: readonly Patch[];
}

/** An argument read from the Arrow batch: the relation's name and the column's name in the batch. */
export interface ArrowRead {
  readonly relation: string;
  readonly column: string;
}

export type ArgumentRead =
  | { readonly pages: PageRead; readonly locations: Locations }
  | { readonly arrow: ArrowRead; readonly locations: Locations }
  | { readonly duckdb: string };

/** What the planner knows of the argument and its relation. */
export interface LateTensorQuestion {
  readonly arg: Expression;
  readonly leaf: FromLeaf;
  /** The CTE the leaf names, if it names one. */
  readonly cte: CteScope | null;
  /** Lower-case column names of the relation (as LeafScope gives them). */
  readonly leafColumns: ReadonlySet<string>;
  /** The argument's type in DuckDB's reading of the relation, e.g. `FLOAT[]`. */
  readonly columnType: string;
  readonly element: ElementType;
  /** False when the relation is copied whole into a staged table before the model runs. */
  readonly streamed: boolean;
  /** Expressions DuckDB evaluates in the input query besides the argument: pushed filters, guards. */
  readonly alsoRead: readonly Expression[];
  /** The location columns' names. */
  readonly names: { readonly file: string; readonly row: string };
  /** The statement's text of a span, with the planner's edits. */
  readonly render: (span: Span) => string;
  /** Whether a CTE of this name is visible where the relation is read (it hides a table of that name). */
  readonly cteNamed: (name: string) => boolean;
}

type ParquetScan = FileRef | TableFunctionRef;
type Scan = ParquetScan | TableRef;

export async function argumentRead(q: LateTensorQuestion, catalog: PlanCatalog): Promise<ArgumentRead> {
  const column = bareColumn(q.arg, q.leaf, q.leafColumns);
  if (column === null) return { duckdb: 'the argument is an expression, not a column of the relation' };
  if (!q.streamed) return { duckdb: 'the relation is copied whole before the model runs (the statement reads all its columns, or a wide one)' };
  const lower = column.toLowerCase();
  if (q.alsoRead.some((e) => readsColumn(e, lower))) return { duckdb: `a filter or condition before the model reads ${column}` };

  const node = q.leaf.node;
  // `AS t(a, b)` names columns by position: the name written is not the column's name in the files.
  if (node.alias?.columns != null) return { duckdb: 'the relation renames its columns' };
  let scan: Scan;
  let scanColumn = column;
  let inner: { readonly core: SelectCore; readonly insertAt: number } | null = null;
  const arrow = (ref: TableRef) => (ref.name.parts.length === 1 && !q.cteNamed(ref.name.parts[0]!.name) ? catalog.arrowColumn(ref.name.parts[0]!.name, column, q.element) : null);
  if ((node.kind === 'FileRef' && q.cte === null) || node.kind === 'TableFunctionRef' || (node.kind === 'TableRef' && q.cte === null && arrow(node) !== null)) scan = node;
  else {
    const query = node.kind === 'SubqueryRef' ? node.query : q.cte?.target.query;
    if (query === undefined) return { duckdb: `the relation ${q.leaf.alias ?? ''} is a table or view, not a Parquet file`.replace('  ', ' ') };
    if (q.cte?.target.columns != null) return { duckdb: 'the relation renames its columns' };
    const through = await passedThrough(query, column, catalog, q.render, (ref) => arrow(ref) !== null, q.cteNamed);
    if ('reason' in through) return { duckdb: through.reason };
    // The scan inside may name its columns by position too.
    if (through.scan.alias?.columns != null) return { duckdb: 'the relation renames its columns' };
    ({ scan, column: scanColumn } = through);
    inner = { core: through.core, insertAt: through.insertAt };
  }
  if (scan.kind === 'TableRef') {
    const answer = catalog.arrowColumn(scan.name.parts[0]!.name, scanColumn, q.element)!;
    if ('reason' in answer) return { duckdb: answer.reason };
    return { arrow: { relation: scan.name.parts[0]!.name, column: answer.column }, locations: arrowLocations(q, scan, answer.scan, inner) };
  }
  const files = scanFiles(scan, q.render);
  if ('reason' in files) return { duckdb: files.reason };
  const scanColumns = inner === null ? q.leafColumns : await columnNames(catalog, `SELECT * FROM ${q.render(scan.span)}`);
  if (scanColumns === null) return { duckdb: 'DuckDB cannot describe the Parquet scan' };
  if (scanColumns.has('file_row_number')) return { duckdb: "the files have a column named file_row_number, which hides the row's location" };

  // A column named filename hides DuckDB's: the scan's `filename` option then gives it another name.
  const patches: Patch[] = [];
  let fileExpr = 'filename';
  if (scanColumns.has('filename')) {
    const rename = renameFilename(scan, q.names.file, inner !== null);
    if (rename === null) return { duckdb: "the files have a column named filename, which hides the row's location" };
    patches.push(rename);
    fileExpr = quoteIdentifier(q.names.file);
  }
  let select = '';
  if (inner === null) {
    const qualifier = q.leaf.alias === null ? '' : `${quoteIdentifier(q.leaf.alias)}.`;
    const file = fileExpr === 'filename' ? `, ${qualifier}filename AS ${q.names.file}` : '';
    select = `${file}, ${qualifier}file_row_number AS ${q.names.row}`;
  } else {
    const items = `${fileExpr === 'filename' ? `filename AS ${q.names.file}` : fileExpr}, file_row_number AS ${q.names.row}`;
    const core = inner.core;
    patches.push({ span: { start: inner.insertAt, end: inner.insertAt }, text: core.fromFirst && core.items.length === 0 ? ` SELECT *, ${items}` : `, ${items}` });
  }
  const inspected = await catalog.tensorFiles(files.sql, scanColumn, q.element, q.columnType);
  if ('reason' in inspected) return { duckdb: inspected.reason };
  return { pages: { column: scanColumn, files: inspected.files }, locations: { select, patches } };
}

/**
 * The input query reads the scan under the Arrow batch's view (`ref` replaced by it), which has each
 * row's position as a column besides the batch's own.
 */
function arrowLocations(q: LateTensorQuestion, ref: TableRef, scan: ArrowScan, inner: { readonly core: SelectCore; readonly insertAt: number } | null): Locations {
  const row = `${quoteIdentifier(scan.rowColumn)} AS ${q.names.row}`;
  if (inner === null) {
    // The leaf itself: the planner names it with its alias.
    const qualifier = q.leaf.alias === null ? '' : `${quoteIdentifier(q.leaf.alias)}.`;
    return { select: `, ${qualifier}${row}`, patches: [{ span: ref.name.span, text: `${scan.functionName}()` }] };
  }
  const alias = ref.alias === null ? ` AS ${quoteIdentifier(ref.name.parts[0]!.name)}` : '';
  const core = inner.core;
  return {
    select: '',
    patches: [
      { span: ref.name.span, text: `${scan.functionName}()${alias}` },
      { span: { start: inner.insertAt, end: inner.insertAt }, text: core.fromFirst && core.items.length === 0 ? ` SELECT *, ${row}` : `, ${row}` },
    ],
  };
}

function readsColumn(e: Expression, lower: string): boolean {
  return columnRefs(e).some((r) => r.parts.at(-1)!.name.toLowerCase() === lower);
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

/**
 * The scan a subquery or CTE reads `column` from, when it passes the column through unchanged, row for
 * row: one SELECT over one Parquet scan (or the Arrow batch), without grouping, DISTINCT or window functions.
 */
async function passedThrough(
  query: Query,
  column: string,
  catalog: PlanCatalog,
  render: (span: Span) => string,
  isArrow: (ref: TableRef) => boolean,
  cteNamed: (name: string) => boolean,
): Promise<{ readonly scan: Scan; readonly column: string; readonly core: SelectCore; readonly insertAt: number } | { readonly reason: string }> {
  const why = (what: string) => ({ reason: `the column comes through a subquery or CTE that ${what}` });
  const core = query.body;
  if (query.with !== null) return why('has a WITH of its own');
  if (core.kind !== 'SelectCore') return why('is not a single SELECT');
  if (core.distinct !== null || core.groupBy !== null || core.having !== null || core.qualify !== null || core.windows.length > 0) {
    return why('groups or deduplicates rows');
  }
  if (core.from.length !== 1) return why('reads several relations');
  const scan = core.from[0]!;
  if (scan.kind !== 'FileRef' && scan.kind !== 'TableFunctionRef' && !(scan.kind === 'TableRef' && isArrow(scan))) return why('reads something other than a Parquet scan');
  // `FROM 'name'` reads a CTE of that name, not a file, where one is visible.
  if (scan.kind === 'FileRef' && cteNamed(String(scan.path.value))) return why('reads a CTE named like its file');
  const aggregates = await catalog.aggregateFunctions();
  if (core.items.some((i) => hasAggregateCall(i.expression, aggregates) || hasWindowCall(i.expression) || hasSetReturningCall(i.expression))) {
    return why('aggregates or unnests rows');
  }
  const scanAlias = scan.alias?.name.name.toLowerCase() ?? null;
  const lower = column.toLowerCase();
  const found: string[] = [];
  const scanColumns = () => columnNames(catalog, `SELECT * FROM ${render(scan.span)}`);
  if (core.items.length === 0) found.push(column);
  for (const item of core.items) {
    const e = item.expression;
    if (e.kind === 'Star') {
      if (e.qualifier.length > 0 && e.qualifier.at(-1)!.name.toLowerCase() !== scanAlias) continue;
      if (e.exclude?.some((c) => c.parts.at(-1)!.name.toLowerCase() === lower)) continue;
      if (e.replace?.some((r) => r.name.name.toLowerCase() === lower)) return why(`computes ${column}`);
      if (e.rename?.some((r) => r.name.name.toLowerCase() === lower || r.column.parts.at(-1)!.name.toLowerCase() === lower)) return why(`renames ${column}`);
      if ((await scanColumns())?.has(lower)) found.push(column);
      continue;
    }
    const name = item.alias?.name ?? (e.kind === 'ColumnRef' ? e.parts.at(-1)!.name : null);
    if (name?.toLowerCase() !== lower) continue;
    if (e.kind !== 'ColumnRef' || e.parts.length > 2 || (e.parts.length === 2 && e.parts[0]!.name.toLowerCase() !== scanAlias)) return why(`computes ${column}`);
    found.push(e.parts.at(-1)!.name);
  }
  if (found.length !== 1) return why(found.length === 0 ? `computes ${column}` : `has several columns named ${column}`);
  const inner = found[0]!;
  if (core.where !== null && readsColumn(core.where, inner.toLowerCase())) return why(`filters on ${column}`);
  const insertAt = core.items.length === 0 ? scan.span.end : core.items.at(-1)!.span.end;
  return { scan, column: inner, core, insertAt };
}

async function columnNames(catalog: PlanCatalog, query: string): Promise<ReadonlySet<string> | null> {
  try {
    return new Set((await catalog.describe(query)).map((c) => c.name.toLowerCase()));
  } catch {
    return null;
  }
}

/** read_parquet options under which a column's values in the scan are the values in the files. */
const scanOptionsKept = new Set(['hive_partitioning', 'hive_types', 'hive_types_autocast', 'union_by_name', 'binary_as_string']);

/** The files argument of a local Parquet scan, as SQL, or why the scan is not one. */
function scanFiles(scan: ParquetScan, render: (span: Span) => string): { readonly sql: string } | { readonly reason: string } {
  if (scan.kind === 'FileRef') {
    const path = String(scan.path.value ?? '');
    if (!/\.parquet$/i.test(path)) return { reason: 'the relation is not a Parquet file' };
    if (hasUrlScheme(path)) return { reason: 'the file is remote' };
    return { sql: render(scan.path.span) };
  }
  const name = scan.call.name.parts.map((p) => p.name.toLowerCase()).join('.');
  if (name !== 'read_parquet' && name !== 'parquet_scan') return { reason: `the relation is ${name}(...), not a Parquet scan` };
  if (scan.lateral) return { reason: 'the Parquet scan is LATERAL' };
  const first = scan.call.args[0];
  if (first === undefined || first.name !== null) return { reason: 'the Parquet scan names no files' };
  const options = scan.call.args.slice(1).map((a) => optionName(a)?.toLowerCase() ?? '');
  if (options.some((o) => o === 'filename' || o === 'file_row_number')) return { reason: 'the scan sets its own row location options' };
  // Other options may rename, retype or decrypt columns (`schema`, `encryption_config`): the pages would not
  // give what DuckDB's scan does.
  const other = options.find((o) => !scanOptionsKept.has(o));
  if (other !== undefined) return { reason: other === '' ? 'the Parquet scan has an argument sqlinfer does not know' : `the Parquet scan sets ${other}` };
  return { sql: render(first.value.span) };
}

/** A table function option's name: `name := value`, `name => value`, or DuckDB's `name = value`. */
function optionName(arg: FunctionArg): string | null {
  if (arg.name !== null) return arg.name.name;
  const { value } = arg;
  return value.kind === 'BinaryOp' && (value.operator === '=' || value.operator === '==') && value.left.kind === 'ColumnRef' && value.left.parts.length === 1
    ? value.left.parts[0]!.name
    : null;
}

/**
 * The patch that makes the scan give each row's file as column `name` (its `filename` option). A file
 * named without an alias keeps the name DuckDB gave it (`'x.parquet'` is `x`, `read_parquet(...)` would
 * be `read_parquet`) when `keepName`; the planner names the relation it reads itself.
 */
function renameFilename(scan: ParquetScan, name: string, keepName: boolean): Patch | null {
  const option = `filename = ${quoteString(name)}`;
  if (scan.kind === 'FileRef') {
    const path = String(scan.path.value ?? '');
    const implicit = keepName && scan.alias === null ? fileAlias(path) : '';
    const alias = implicit === '' ? '' : ` AS ${quoteIdentifier(implicit)}`;
    return { span: scan.path.span, text: `read_parquet(${quoteString(path)}, ${option})${alias}` };
  }
  const end = scan.call.span.end;
  return { span: { start: end - 1, end: end - 1 }, text: `, ${option}` };
}
