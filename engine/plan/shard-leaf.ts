// Under `--shard I/N` the planner asks this for the relation a model runs over: the statement must give,
// over all shards, the union of what each shard gives (refused at plan time otherwise), and the relation
// must be files whose split can be decided from metadata (Parquet footers, blob sizes). The relation is
// then rewritten as the same reader over this shard's files, with a `file_row_number` range where a file
// is cut (see shard-split.ts), so the stages read only the shard's rows.
import type { CopyStatement, Expression, FromItem, Query, SelectCore, Statement } from '../sql/ast.js';
import { readDuckDBMessage } from '../sql/duckdb-message.js';
import { sqlErrorAt, type SqlError, type SqlErrorCode } from '../sql/sql-error.js';
import type { Span } from '../sql/span.js';
import { hasAggregateCall, hasWindowCall } from './expression-facts.js';
import { isLocalWritePath } from './file-paths.js';
import { fromLeaves, type FromLeaf, type LeafNode } from './from-leaves.js';
import type { ColumnInfo } from './plan-catalog.js';
import { shardRange, type ShardFile, type ShardRange, type ShardSpec } from './shard-split.js';
import { normalizeSql, quoteIdentifier, quoteString } from './sql-text.js';

/** The table functions whose input can be split; a Parquet file in FROM is read by read_parquet. */
export type ShardReader = 'read_parquet' | 'read_blob';

export interface ShardCatalog {
  describe(query: string): Promise<readonly ColumnInfo[]>;
  aggregateFunctions(): Promise<ReadonlySet<string>>;
  /** The files `reader` reads for its first argument `paths` (SQL text), in the order it reads them. */
  inputFiles(reader: ShardReader, paths: string): Promise<ShardFile[]>;
}

/** How the shard's part is written: the COPY's FORMAT (parquet unless it names another) and the part's extension. */
export interface ShardPartFormat {
  readonly format: string;
  readonly extension: string;
  /** FORMAT is not among the COPY's options: the part's temporary name cannot tell DuckDB. */
  readonly addFormat: boolean;
}

/** Options that make DuckDB write several files or write in place: a shard writes exactly one part. */
const REFUSED_OPTIONS = new Set(['partition_by', 'per_thread_output', 'file_size_bytes', 'row_groups_per_file', 'use_tmp_file', 'overwrite', 'overwrite_or_ignore', 'append', 'filename_pattern', 'file_extension']);
const EXTENSIONS: Readonly<Record<string, string>> = { parquet: 'parquet', csv: 'csv', json: 'json', ndjson: 'json', jsonl: 'json' };

/** The relation that was split: what the shard's marker records. */
export interface ShardedInput {
  readonly relation: string;
  /** Every file of the whole input, in order: the plan's fingerprint covers them all. */
  readonly files: readonly ShardFile[];
  readonly range: ShardRange;
}

/** The relation as this shard reads it: FROM text with its alias, and conditions on its rows. */
export interface ShardedLeaf {
  readonly source: string;
  readonly where: readonly string[];
}

const AGGREGATE_ADVICE = 'under --shard each shard sees only its own rows: write the per-row results, then aggregate the parts (e.g. FROM \'folder/*.parquet\' GROUP BY ...)';

export class LeafSharder {
  private split: ShardedInput | null = null;
  private partFormat: ShardPartFormat | null = null;

  constructor(
    private readonly source: string,
    private readonly statement: Statement,
    readonly spec: ShardSpec,
    private readonly catalog: ShardCatalog,
  ) {}

  /** The relation split, once the plan is made. */
  get input(): ShardedInput | null {
    return this.split;
  }

  /** How the part is written, once the plan is made. */
  get part(): ShardPartFormat | null {
    return this.partFormat;
  }

  /** This shard's part of `leaf`, which `core` (inside `queries`, innermost last) runs models over. */
  /** `namesCte`: the leaf names a CTE (`FROM 'x.parquet'` reads a CTE of that name, where there is one). */
  async leaf(core: SelectCore, leaf: FromLeaf, queries: readonly Query[], qAlias: string, namesCte: boolean): Promise<ShardedLeaf> {
    if (this.split !== null) {
      throw this.error('shard-statement', `--shard splits one relation, and this statement runs models over ${this.split.relation} and this one too: run them as two statements`, leaf.node.span);
    }
    await this.checkStatement(core, leaf, queries);
    const reader = namesCte ? `--shard splits Parquet files, and ${this.text(leaf.node.span)} names a CTE here, not a file: write the CTE to Parquet first` : readerOf(leaf.node, this.source);
    if (typeof reader === 'string') throw this.error('shard-input', reader, leaf.node.span);
    const relation = this.text(leaf.node.span);
    const files = await this.catalog.inputFiles(reader.name, reader.paths);
    const range = shardRange(files, this.spec, reader.name === 'read_blob' ? 'bytes' : 'rows');
    // An empty shard reads the first file with no rows: its part still has the input's columns.
    const paths = range.files.length === 0 ? [files[0]!.path] : range.files.map((f) => f.path);
    const source = `${reader.name}([${paths.map(quoteString).join(', ')}]${reader.options}) AS ${aliasOf(leaf.node, qAlias)}`;
    const where: string[] = [];
    const first = range.files[0];
    const last = range.files.at(-1);
    if (first === undefined) where.push('false');
    if (first !== undefined && first.from > 0) where.push(`(${qAlias}.file_index <> 0 OR ${qAlias}.file_row_number >= ${first.from})`);
    if (last !== undefined && last.to < last.rows) where.push(`(${qAlias}.file_index <> ${range.files.length - 1} OR ${qAlias}.file_row_number < ${last.to})`);
    await this.checkColumns(relation, source, where.length > 0 && first !== undefined, leaf.node.span);
    this.split = { relation, files, range };
    return { source, where };
  }

  /**
   * Refuses statements whose result over all the input is not the union of their results over the
   * shards: anything that orders, limits, merges or compares rows across the whole input.
   */
  private async checkStatement(core: SelectCore, leaf: FromLeaf, queries: readonly Query[]): Promise<void> {
    const inner = this.statement.kind === 'ExplainStatement' ? this.statement.statement : this.statement;
    if (inner.kind !== 'CopyStatement' || inner.direction !== 'to' || inner.source.kind !== 'Query') {
      throw this.error('shard-statement', "under --shard a statement that runs a model must be COPY (SELECT ...) TO 'folder': each shard writes its own part of the folder", inner.span);
    }
    this.partFormat = this.checkTarget(inner);
    const query = queries[0]!;
    if (queries.length > 1 || query !== inner.source || query.body !== core) {
      throw this.error('shard-statement', "under --shard the model must run in the COPY's own SELECT (not in a subquery, CTE or set operation), so that the shard's rows are the part's rows", core.span);
    }
    if (query.orderBy !== null) {
      throw this.error('shard-statement', 'ORDER BY sorts across all shards, and each shard sees only its own rows: the parts keep the input\'s order; sort when reading them', query.orderBy.span);
    }
    if (query.limit !== null) {
      throw this.error('shard-statement', 'LIMIT counts rows across all shards, and each shard sees only its own rows: run it without --shard, or limit when reading the parts', query.limit.span);
    }
    const clauses: [unknown, string, Span | undefined][] = [
      [core.distinct, 'DISTINCT', core.distinct?.span],
      [core.groupBy, 'GROUP BY', core.groupBy?.span],
      [core.having, 'HAVING', core.having?.span],
      [core.qualify, 'QUALIFY', core.qualify?.span],
      [core.windows.length > 0 ? core.windows : null, 'WINDOW', core.windows[0]?.span],
      [core.sample, 'USING SAMPLE', core.sample?.span],
    ];
    for (const [clause, name, span] of clauses) {
      if (clause !== null && span !== undefined) throw this.error('shard-statement', `${name} works across all rows; ${AGGREGATE_ADVICE}`, span);
    }
    const aggregates = await this.catalog.aggregateFunctions();
    const expressions: Expression[] = [...core.items.map((i) => i.expression), ...(core.where === null ? [] : [core.where])];
    for (const expression of expressions) {
      if (hasAggregateCall(expression, aggregates) || hasWindowCall(expression)) {
        throw this.error('shard-statement', `aggregates and window functions work across all rows; ${AGGREGATE_ADVICE}`, expression.span);
      }
    }
    if (leaf.joinSensitive) {
      throw this.error('shard-statement', 'this join keeps rows of the other side that match nothing (or pairs rows by position), and every shard would write them: put the split relation on the kept side (FROM input LEFT JOIN small), or join the parts afterwards', leaf.node.span);
    }
    if ('sample' in leaf.node && leaf.node.sample !== null) {
      throw this.error('shard-statement', 'TABLESAMPLE picks rows across the whole input; sample the parts afterwards', leaf.node.sample.span);
    }
    const same = fromLeaves(core).find((o) => o.node !== leaf.node && sameRelation(o.node, leaf.node, this.source));
    if (same !== undefined) {
      throw this.error('shard-statement', 'the split relation is joined with itself: only one side would be split, so each shard would join its rows with the whole input; join the parts afterwards', same.node.span);
    }
  }

  /** The COPY target must be a local folder, and the COPY write one file of a format sqlinfer can name. */
  private checkTarget(copy: CopyStatement): ShardPartFormat {
    const target = String(copy.target.value ?? '');
    if (!isLocalWritePath(target)) {
      throw this.error('shard-output', `under --shard the COPY target is a local folder of parts (on a volume every shard sees), not '${target}'`, copy.target.span);
    }
    let format = 'parquet';
    let addFormat = true;
    for (const option of copy.options?.options ?? []) {
      const name = option.name.name.toLowerCase();
      if (REFUSED_OPTIONS.has(name)) throw this.error('shard-output', `under --shard each shard writes one part into '${target}': ${option.name.name} cannot be used`, option.span);
      if (name !== 'format' || option.value === null) continue;
      format = this.text(option.value.span).trim().replace(/^'(.*)'$|^"(.*)"$/s, '$1$2').toLowerCase();
      addFormat = false;
    }
    const extension = EXTENSIONS[format];
    if (extension === undefined) throw this.error('shard-output', `under --shard parts are written as parquet, csv or json, not ${format}`, copy.options!.span);
    return { format, extension, addFormat };
  }

  /** The shard's relation must have the whole input's columns, and cuts inside a file must read DuckDB's row numbers. */
  private async checkColumns(relation: string, sharded: string, cutsFiles: boolean, span: Span): Promise<void> {
    let whole: readonly ColumnInfo[];
    let part: readonly ColumnInfo[];
    try {
      whole = await this.catalog.describe(`SELECT * FROM ${relation}`);
      part = await this.catalog.describe(`SELECT * FROM ${sharded}`);
    } catch (error) {
      throw this.error('shard-input', `reading this shard's files: ${readDuckDBMessage(error).detail}`, span, error);
    }
    const text = (columns: readonly ColumnInfo[]) => columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(', ');
    if (text(whole) !== text(part)) {
      throw this.error('shard-input', `this shard's files give other columns than the whole input (${text(part)} instead of ${text(whole)}): give the reader the schema, e.g. hive_types or no union_by_name`, span);
    }
    const shadowed = whole.find((c) => ['file_index', 'file_row_number'].includes(c.name.toLowerCase()));
    if (cutsFiles && shadowed !== undefined) {
      throw this.error('shard-input', `this shard cuts a file, which needs DuckDB's ${shadowed.name} of each row, but the input has a column of that name: rename it, or use as many files as shards`, span);
    }
  }

  private text(span: Span): string {
    return this.source.slice(span.start, span.end);
  }

  private error(code: SqlErrorCode, detail: string, at: Span, cause?: unknown): SqlError {
    return sqlErrorAt('plan', code, detail, this.source, at, cause);
  }
}

interface SplitReader {
  readonly name: ShardReader;
  /** The first argument (paths) as written. */
  readonly paths: string;
  /** The other arguments as written, each after `, `. */
  readonly options: string;
}

/** How the relation is read, or why it cannot be split. */
function readerOf(node: LeafNode, source: string): SplitReader | string {
  const text = (span: Span) => source.slice(span.start, span.end);
  const refusal = `--shard splits Parquet files (a path or glob, read_parquet) and read_blob globs; ${text(node.span)} is neither: write it to Parquet first`;
  if (node.kind === 'FileRef') {
    const path = String(node.path.value ?? '');
    return /\.parquet$/i.test(path) ? { name: 'read_parquet', paths: quoteString(path), options: '' } : refusal;
  }
  if (node.kind !== 'TableFunctionRef' || node.lateral || node.call.name.parts.length !== 1) return refusal;
  const name = node.call.name.parts[0]!.name.toLowerCase();
  const reader: ShardReader | null = name === 'read_parquet' || name === 'parquet_scan' ? 'read_parquet' : name === 'read_blob' ? 'read_blob' : null;
  const [paths, ...rest] = node.call.args;
  if (reader === null || paths === undefined || paths.name !== null) return refusal;
  return { name: reader, paths: text(paths.value.span), options: rest.map((a) => `, ${text(a.span)}`).join('') };
}

/** The alias the rewritten relation keeps: the user's, with its column names, or the implicit one. */
function aliasOf(node: LeafNode, qAlias: string): string {
  const alias = 'alias' in node ? node.alias : null;
  if (alias === null) return qAlias;
  return `${quoteIdentifier(alias.name.name)}${alias.columns === null ? '' : `(${alias.columns.map((c) => quoteIdentifier(c.name)).join(', ')})`}`;
}

function sameRelation(a: FromItem, b: FromItem, source: string): boolean {
  const reader = (node: FromItem) => (node.kind === 'JoinedFrom' ? null : readerOf(node, source));
  const ra = reader(a);
  const rb = reader(b);
  return typeof ra === 'object' && typeof rb === 'object' && ra !== null && rb !== null && ra.name === rb.name && normalizeSql(ra.paths) === normalizeSql(rb.paths);
}
