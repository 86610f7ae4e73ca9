// A model statement cut into stages: for each relation that model calls run over, the stage that reads it
// once into a table of numbered rows, then one model stage per nesting level of the calls; and the output
// statement that DuckDB runs over the staged rows. Plain data: SQL text plus the calls to make, so
// EXPLAIN can print it and the executor can run it.
import type { ArgKind, ElementType, ModelFunction } from '../../udfs/index.js';
import type { Span } from '../sql/span.js';
import type { ArrowRead, PageRead } from './late-tensors.js';
import { quoteString } from './sql-text.js';

/** A column of a model stage's input query, cast in SQL to what the function accepts. */
export type PlannedInputColumn = (
  | { readonly sql: string; readonly kind: Extract<ArgKind, 'float-list' | 'blob'> }
  /** Typed values for a model input: a list of `element`, or one `element` per row when `scalar`. */
  | { readonly sql: string; readonly kind: 'tensor-list'; readonly element: ElementType; readonly scalar: boolean }
) & {
  /**
   * For a list argument: where its values come from. Read from Parquet pages, `sql` gives the row's
   * file and `rowSql` its row number in the file; read from the Arrow batch, `sql` gives the row's
   * position among the statement's Arrow rows; read by DuckDB, `sql` gives the values.
   */
  readonly source?: ArgumentSource;
};

export type ArgumentSource = { readonly text: string } & (
  | { readonly pages: PageRead; readonly rowSql: string }
  | { readonly arrow: ArrowRead }
  | { readonly duckdb: string }
);

/** The input query's columns for one input column: two (file, row number) for one read from pages. */
export function inputSqlOf(column: PlannedInputColumn): string[] {
  return column.source !== undefined && 'pages' in column.source ? [column.sql, column.source.rowSql] : [column.sql];
}

/** The input query's select list for `columns`. */
export function inputSelectList(columns: readonly PlannedInputColumn[]): string[] {
  return columns.length === 0 ? ['NULL'] : columns.flatMap(inputSqlOf);
}

export type PlannedArg =
  | { readonly kind: 'column'; readonly column: number }
  | { readonly kind: 'constant'; readonly value: string | number | boolean | null };

/** One distinct model call over one relation: every identical occurrence reads its column. */
export interface PlannedCall {
  readonly fn: ModelFunction;
  /** The result column in the level's table. */
  readonly column: string;
  /** The call as written (whitespace normalised). */
  readonly text: string;
  /** Its first occurrence, for errors. */
  readonly span: Span;
  readonly occurrences: number;
  readonly args: readonly PlannedArg[];
  /** SQL over the row: the model runs only where it holds (CASE, COALESCE, AND/OR around the call); null: always. */
  readonly guard: string | null;
}

/** Calls of one nesting depth over one relation: computed together from one input query. */
export interface ModelLevel {
  /** `<relation>.<level>`, e.g. `1.2`: EXPLAIN ANALYZE's key for the level's figures. */
  readonly id: string;
  /** Where the results go: the row key, then one column per call. */
  readonly table: string;
  /**
   * The arguments' columns, then either the row key (the level reads the staged table) or, when the level
   * reads the relation itself (`stages`), the columns to stage.
   */
  readonly inputSql: string;
  /**
   * Set when this level reads the relation, once, and stages its rows as they stream: the last `columns`
   * input columns go to `table`, with keys counted 1, 2, ... in the order the rows came.
   */
  readonly stages: { readonly table: string; readonly columns: number } | null;
  readonly inputColumns: readonly PlannedInputColumn[];
  readonly calls: readonly PlannedCall[];
}

export interface LimitDecision {
  /** Rows the input is limited to (LIMIT + OFFSET), or null when no LIMIT is pushed. */
  readonly rows: number | null;
  /** The ORDER BY that goes down with the LIMIT (it reads only the relation's columns), as written. */
  readonly orderBy: string | null;
  readonly reason: string;
}

export interface RelationStage {
  /** 1, 2, ...: EXPLAIN ANALYZE's key for the stage's figures. */
  readonly id: number;
  /** The relation as written, with its alias. */
  readonly relation: string;
  readonly span: Span;
  readonly alias: string;
  /**
   * The relation's rows (after the pushed WHERE and LIMIT), read once into `table` with a row key: by
   * `sql` (CREATE TABLE ... AS, every column), or, when `streamed`, by the first level's input, which
   * stages only the columns the rest of the statement reads (`sql` creates the empty table).
   * `listingFirst`: the relation lists the catalog (catalog-reads.ts), and this query reads its rows
   * before `sql` with LIMIT 0 creates the table they are appended to.
   */
  readonly stage: { readonly table: string; readonly sql: string; readonly streamed: boolean; readonly listingFirst: string | null };
  /** Counts the rows, for progress: the staged table's, or the relation's when it is streamed. */
  readonly countSql: string;
  /** The row key's column in the stage's table: row_number() in the order the relation gave the rows. */
  readonly key: string;
  /** WHERE conjuncts applied before the model (the output stage applies the whole WHERE again). */
  readonly pushedWhere: readonly string[];
  readonly limit: LimitDecision;
  readonly levels: readonly ModelLevel[];
}

/** One option of a COPY, as written: `PARTITION_BY (a, b)` is `{ name: 'PARTITION_BY', value: '(a, b)' }`. */
export interface CopyOptionText {
  readonly name: string;
  readonly value: string | null;
}

export interface ModelPlan {
  readonly source: string;
  readonly explain: 'plan' | 'analyze' | null;
  /** What the output statement is: a query returns rows, the others return a count of rows written. */
  readonly statementKind: 'select' | 'copy' | 'create-table' | 'insert';
  readonly stages: readonly RelationStage[];
  /** Tables the stages create (in the staging catalog), to drop when the statement ends. */
  readonly tempTables: readonly string[];
  /** Staged result column -> the call it holds, as written: to put calls back into DuckDB's messages. */
  readonly callNames: ReadonlyMap<string, string>;
  /**
   * The output statement, as text around its COPY target (when it has one) so it can be written to
   * another path: see renderOutput().
   */
  readonly output: { readonly before: string; readonly target: string | null; readonly after: string };
  /** A COPY's options as written (name, and value as source text), which decide where DuckDB writes. */
  readonly copyOptions: readonly CopyOptionText[];
}

/** The output statement's SQL; a COPY writes to `copyPath` instead of its target when given. */
export function renderOutput(plan: ModelPlan, copyPath?: string): string {
  const { before, target, after } = plan.output;
  if (target === null) return before;
  return `${before}${quoteString(copyPath ?? target)}${after}`;
}
