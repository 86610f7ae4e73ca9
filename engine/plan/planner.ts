// Plans a statement that calls model functions (see README.md): finds the relation each call runs over,
// decides which WHERE conjuncts and which LIMIT can run before the model, and writes the SQL of every
// stage by re-emitting the user's text with spans replaced.
import { ELEMENT_SQL_TYPES, type ArgKind, type ElementType } from '../../udfs/model-function.js';
import type {
  ColumnRef,
  CommonTableExpression,
  Expression,
  Query,
  SelectCore,
  Star,
  Statement,
  TableRef,
} from '../sql/ast.js';
import { sqlErrorAt, SqlError } from '../sql/sql-error.js';
import type { Span } from '../sql/span.js';
import {
  columnRefs,
  conjuncts,
  hasAggregateCall,
  hasModelCall,
  hasParameter,
  hasSetReturningCall,
  hasSubquery,
  hasVolatileCall,
  hasWindowCall,
} from './expression-facts.js';
import { fromLeaves, type FromLeaf } from './from-leaves.js';
import { argSpecIndexes, constantValue, findModelCalls, kindsText, type ModelCallSite, type ModelRegistryView } from './model-calls.js';
import type {
  LimitDecision,
  ModelLevel,
  ModelPlan,
  PlannedArg,
  PlannedCall,
  PlannedInputColumn,
  RelationStage,
} from './model-plan.js';
import type { ColumnInfo, PlanCatalog } from './plan-catalog.js';
import { normalizeSql, quoteIdentifier, quoteString } from './sql-text.js';
import { TextEdits } from './text-edits.js';

/** Table functions whose scans return rows in the same order every time. */
const orderStableScans = new Set([
  'read_parquet', 'parquet_scan', 'read_blob', 'read_text', 'read_csv', 'read_csv_auto', 'read_json',
  'read_json_auto', 'read_ndjson', 'read_ndjson_auto', 'range', 'generate_series',
]);

/** Names the staged columns (and relations DuckDB gives no name) so they cannot clash with the user's. */
export const tempPrefix = '__sqlinfer_';
/**
 * An in-memory database attached for the statement's staged tables: unlike temp tables, every
 * connection of the instance sees it, so results can be appended from a second connection while the
 * first streams the input.
 */
export const stagingCatalog = '__sqlinfer';

export async function planModelStatement(
  source: string,
  statement: Statement,
  registry: ModelRegistryView,
  catalog: PlanCatalog,
): Promise<ModelPlan> {
  const explain = statement.kind === 'ExplainStatement' ? (statement.analyze ? 'analyze' : 'plan') : null;
  const inner = statement.kind === 'ExplainStatement' ? statement.statement : statement;
  if (inner.kind === 'ExplainStatement') {
    throw sqlErrorAt('plan', 'nested-explain', 'EXPLAIN cannot explain an EXPLAIN', source, inner.span);
  }
  const planner = new Planner(source, registry, catalog);
  return planner.plan(inner, explain);
}

interface CteScope {
  readonly query: Query;
  /** The CTEs a reference from here can see, in order. */
  readonly ctes: readonly CommonTableExpression[];
  readonly target: CommonTableExpression;
}

class Planner {
  private readonly out: TextEdits;
  /** Model calls replaced by typed NULLs: lets DuckDB describe relations before any model has run. */
  private readonly described: TextEdits;
  private readonly stages: RelationStage[] = [];
  private readonly tempTables: string[] = [];
  private tableCount = 0;
  private columnCount = 0;
  private relationCount = 0;

  constructor(
    private readonly source: string,
    private readonly registry: ModelRegistryView,
    private readonly catalog: PlanCatalog,
  ) {
    this.out = new TextEdits(source);
    this.described = new TextEdits(source);
  }

  async plan(statement: Exclude<Statement, { kind: 'ExplainStatement' }>, explain: ModelPlan['explain']): Promise<ModelPlan> {
    if (statement.kind === 'CopyStatement' && statement.source.kind !== 'Query') {
      throw sqlErrorAt('plan', 'model-call-placement', 'COPY of a table has no model calls to run', this.source, statement.span);
    }
    const sites = findModelCalls(statement, this.registry, this.source);
    for (const site of sites) this.described.replace(site.call.span, `CAST(NULL AS ${site.fn.resultType})`);
    const byCore = new Map<SelectCore, ModelCallSite[]>();
    for (const site of sites) {
      const list = byCore.get(site.core) ?? [];
      list.push(site);
      byCore.set(site.core, list);
    }
    // A block's relations may contain other blocks (subqueries) or name CTEs defined before it: both end
    // earlier in the text, so planning in order of end position plans dependencies first.
    const cores = [...byCore.keys()].sort((a, b) => a.span.end - b.span.end);
    for (const core of cores) await this.planCore(core, byCore.get(core)!);
    await this.checkOutput(statement.kind === 'CopyStatement' ? (statement.source as Query) : statement.query);

    let copyPath: string | null = null;
    let copyTarget: string | null = null;
    if (statement.kind === 'CopyStatement' && statement.direction === 'to') {
      copyTarget = String(statement.target.value ?? '');
      const original = this.source.slice(statement.target.span.start, statement.target.span.end);
      this.out.add({ span: statement.target.span, text: () => (copyPath === null ? original : quoteString(copyPath)) });
    }
    const span = statement.span;
    const kinds = { SelectStatement: 'select', CopyStatement: 'copy', CreateTableAsStatement: 'create-table', InsertStatement: 'insert' } as const;
    return {
      source: this.source,
      explain,
      statementKind: kinds[statement.kind],
      stages: this.stages,
      tempTables: this.tempTables,
      callNames: new Map(this.stages.flatMap((st) => st.levels.flatMap((l) => l.calls.map((c) => [c.column, c.text] as const)))),
      copyTarget,
      copyOptions:
        statement.kind === 'CopyStatement'
          ? (statement.options?.options ?? []).map((o) => ({ name: o.name.name, value: o.value === null ? null : this.source.slice(o.value.span.start, o.value.span.end) }))
          : [],
      output: (path?: string) => {
        copyPath = path ?? null;
        try {
          return this.out.render(span);
        } finally {
          copyPath = null;
        }
      },
    };
  }

  private async planCore(core: SelectCore, sites: ModelCallSite[]): Promise<void> {
    const leaves = fromLeaves(core);
    if (leaves.length === 0) {
      throw this.error('model-call-without-from', `${sites[0]!.fn.name} needs rows to run on: add a FROM clause`, sites[0]!.call.span);
    }
    const queries = sites[0]!.queries;
    const recursive = queries.find((q, i) => i > 0 && queries[i - 1]!.with?.recursive === true && queries[i - 1]!.with!.ctes.some((c) => c.query === q));
    if (recursive !== undefined) {
      throw this.error('model-call-recursive', `${sites[0]!.fn.name} cannot run inside a WITH RECURSIVE definition: compute it after the recursion`, sites[0]!.call.span);
    }
    const scope = new LeafScope(this, core, leaves, queries);
    const aggregates = await this.catalog.aggregateFunctions();
    const byLeaf = new Map<FromLeaf, ModelCallSite[]>();
    for (const site of sites) {
      // The input stage computes arguments row by row; anything that merges or multiplies rows cannot be.
      for (const arg of site.call.args) {
        if (hasAggregateCall(arg.value, aggregates) || hasWindowCall(arg.value) || hasSetReturningCall(arg.value)) {
          throw this.error(
            'model-argument-aggregate',
            `the arguments of ${site.fn.name} are computed row by row: aggregates, window functions and UNNEST there are not supported (compute them in a subquery)`,
            arg.span,
          );
        }
      }
      const leaf = await scope.leafOfCall(site);
      const list = byLeaf.get(leaf) ?? [];
      list.push(site);
      byLeaf.set(leaf, list);
    }
    const excluded = new Map<FromLeaf, string[]>();
    for (const leaf of leaves) {
      const leafSites = byLeaf.get(leaf);
      if (leafSites === undefined) continue;
      excluded.set(leaf, await this.planLeaf(core, scope, leaf, leafSites));
    }
    const staged = [...excluded.values()].flat();
    // A bare `FROM t [WHERE ...]` means SELECT *: spell it out so the staged columns stay hidden.
    if (core.fromFirst && core.items.length === 0 && staged.length > 0) {
      this.out.insert(core.from.at(-1)!.span.end, ` SELECT * EXCLUDE (${staged.join(', ')})`);
    }
    for (const item of core.items) {
      if (item.expression.kind === 'Star') this.excludeFromStar(item.expression, excluded);
      // Keep the column name DuckDB would give the expression, not the staged column's.
      else if (item.alias === null && sites.some((s) => within(s.call.span, item.span))) {
        this.out.insert(item.span.end, ` AS ${quoteIdentifier(normalizeSql(this.text(item.span)))}`);
      }
    }
  }

  private async planLeaf(core: SelectCore, scope: LeafScope, leaf: FromLeaf, sites: ModelCallSite[]): Promise<string[]> {
    const relationIndex = ++this.relationCount;
    const alias = leaf.alias ?? `${tempPrefix}r${relationIndex}`;
    const qAlias = quoteIdentifier(alias);
    const cte = scope.cteOf(leaf);
    const withPrefix = cte === null ? '' : this.withPrefix(cte, this.out);
    const describedWith = cte === null ? '' : this.withPrefix(cte, this.described);
    const leafText = this.out.render(leaf.node.span);
    const sourceExpr = leaf.explicitAlias ? leafText : `${leafText} AS ${qAlias}`;
    const describedLeaf = this.described.render(leaf.node.span);
    const describedSource = leaf.explicitAlias ? describedLeaf : `${describedLeaf} AS ${qAlias}`;

    const where = core.where === null ? [] : conjuncts(core.where);
    const pushed: Expression[] = [];
    for (const c of where) if (await scope.pushable(c, leaf)) pushed.push(c);
    const limit = await this.limitDecision(core, scope, leaf, sites[0]!.queries, pushed.length === where.length);
    const filtered =
      `SELECT * FROM ${sourceExpr}` +
      (pushed.length > 0 ? ` WHERE ${pushed.map((c) => `(${this.out.render(c.span)})`).join(' AND ')}` : '') +
      (limit.orderBy !== null ? ` ORDER BY ${limit.orderBy}` : '') +
      (limit.rows !== null ? ` LIMIT ${limit.rows}` : '');

    let materialize: RelationStage['materialize'] = null;
    let base = filtered;
    // Ties in an ORDER BY may come out in another order on a second scan: the chosen rows are kept.
    if (cte !== null || limit.orderBy !== null || !(await this.orderStable(leaf))) {
      const table = `${stagingCatalog}.r${relationIndex}`;
      this.tempTables.push(table);
      materialize = { table, sql: `CREATE OR REPLACE TABLE ${table} AS ${withPrefix}${filtered}` };
      base = `SELECT * FROM ${table}`;
    }
    const countSql = materialize === null ? `SELECT count(*) FROM (${base})` : `SELECT count(*) FROM ${materialize.table}`;

    // Identical calls (same function, same argument text) are computed once per row.
    const unique = new Map<string, { sites: ModelCallSite[]; depth: number }>();
    const keyOf = (site: ModelCallSite) =>
      `${site.fn.name}(${site.call.args.map((a) => normalizeSql(this.text(a.span))).join(', ')})`;
    const depthOf = (site: ModelCallSite): number =>
      1 + Math.max(0, ...sites.filter((s) => s.parent === site).map(depthOf));
    for (const site of sites) {
      const key = keyOf(site);
      const entry = unique.get(key) ?? { sites: [], depth: 0 };
      entry.sites.push(site);
      entry.depth = Math.max(entry.depth, depthOf(site));
      unique.set(key, entry);
    }
    const depths = [...new Set([...unique.values()].map((u) => u.depth))].sort((a, b) => a - b);
    const argTypes = await this.argumentTypes(sites, describedWith, describedSource, leaf);

    const levels: ModelLevel[] = [];
    const tables: string[] = [];
    const columns: string[] = [];
    for (const depth of depths) {
      const table = `${stagingCatalog}.t${++this.tableCount}`;
      const inputColumns: PlannedInputColumn[] = [];
      const calls: PlannedCall[] = [];
      for (const [key, entry] of unique) {
        if (entry.depth !== depth) continue;
        const first = entry.sites[0]!;
        const column = `${tempPrefix}m${++this.columnCount}`;
        columns.push(column);
        const indexes = argSpecIndexes(first.call, first.fn, this.source);
        const args: PlannedArg[] = [];
        first.call.args.forEach((arg, position) => {
          const i = indexes[position]!;
          const spec = first.fn.args[i]!;
          const literal = constantValue(arg.value);
          const listKinds = accepts(spec.kinds, 'float-list') || accepts(spec.kinds, 'blob') || accepts(spec.kinds, 'tensor');
          if (spec.constant || (literal !== undefined && literal !== null && !listKinds)) {
            args[i] = { kind: 'constant', value: literal ?? null };
            return;
          }
          const type = argTypes.get(arg.value.span.start)!;
          const input = this.columnKind(first, position, i, type);
          const text = this.out.render(arg.value.span);
          // A cast to the type a column already has still copies every value in DuckDB: skip it.
          inputColumns.push({ ...input, sql: type.toUpperCase() === input.sql ? text : `CAST(${text} AS ${input.sql})` });
          args[i] = { kind: 'column', column: inputColumns.length - 1 };
        });
        const resultRef = `${qAlias}.${column}`;
        // The staged column already has the function's result type (see engine/exec/result-append.ts).
        for (const site of entry.sites) this.out.replace(site.call.span, resultRef);
        calls.push({ fn: first.fn, column, text: key, span: first.call.span, occurrences: entry.sites.length, args });
      }
      const scanned = tables.length === 0 ? `(${base})` : `(SELECT * FROM (${base}) ${tables.map((t) => `POSITIONAL JOIN ${t}`).join(' ')})`;
      const select = inputColumns.length === 0 ? 'NULL' : inputColumns.map((c) => c.sql).join(', ');
      levels.push({ table, inputSql: `SELECT ${select} FROM ${scanned} AS ${qAlias}`, inputColumns, calls });
      tables.push(table);
      this.tempTables.push(table);
    }
    const staged = `(SELECT * FROM (${base}) ${tables.map((t) => `POSITIONAL JOIN ${t}`).join(' ')}) AS ${qAlias}`;
    this.out.replace(leaf.node.span, staged);
    this.stages.push({
      relation: leaf.explicitAlias ? this.text(leaf.node.span) : `${this.text(leaf.node.span)} AS ${qAlias}`,
      span: leaf.node.span,
      alias,
      materialize,
      pushedWhere: pushed.map((c) => this.out.render(c.span)),
      limit,
      countSql,
      rowsSql: base,
      levels,
    });
    return columns;
  }

  /**
   * Binds the whole query with typed NULLs for the model results, so a mistake after the model (a type
   * error, a misspelt column) fails now, at its place in the user's text, not after the model has run.
   */
  private async checkOutput(query: Query): Promise<void> {
    const { text, toSource } = this.described.renderMapped(query.span);
    try {
      await this.catalog.describe(text);
    } catch (error) {
      const message = duckdbMessage(error);
      const block = /\n*LINE (\d+): ([^\n]*)\n( *)\^[^\n]*/.exec(message);
      const located = block === null ? message : message.slice(0, block.index) + message.slice(block.index + block[0].length);
      // DuckDB lists every overload of an operator it could not match; the first line says what is wrong.
      const detail = located.split(/\n\s*Candidate functions:/)[0]!.trim();
      const kind = /^([A-Za-z ]+?) Error:/.exec(detail)?.[1];
      const code = kind === undefined ? 'duckdb-error' : `duckdb-${kind.toLowerCase().replace(/\s+/g, '-')}`;
      const at = block === null ? undefined : caretOffset(`DESCRIBE ${text}`, block);
      const start = at === undefined ? query.span.start : toSource(Math.max(0, at - 'DESCRIBE '.length));
      throw this.error(code, detail, { start, end: tokenEnd(this.source, start) }, error);
    }
  }

  /** DuckDB's types for every non-constant argument, keyed by the argument's start offset. */
  private async argumentTypes(
    sites: ModelCallSite[],
    describedWith: string,
    describedSource: string,
    leaf: FromLeaf,
  ): Promise<Map<number, string>> {
    const args = sites.flatMap((s) => {
      const indexes = argSpecIndexes(s.call, s.fn, this.source);
      return s.call.args.filter((_, i) => !s.fn.args[indexes[i]!]!.constant).map((a) => a.value);
    });
    const types = new Map<number, string>();
    if (args.length === 0) return types;
    const select = args.map((a) => this.described.render(a.span)).join(', ');
    let columns: readonly ColumnInfo[];
    try {
      columns = await this.catalog.describe(`${describedWith}SELECT ${select} FROM ${describedSource}`);
    } catch (error) {
      throw this.error('model-argument-invalid', duckdbMessage(error), args.length === 1 ? args[0]!.span : leaf.node.span, error);
    }
    args.forEach((a, i) => types.set(a.span.start, columns[i]?.type ?? 'NULL'));
    return types;
  }

  /**
   * How argument `position` of the call (parameter `index`) is read: its kind and the type it is cast to
   * (`sql`, replaced by the cast expression by the caller).
   */
  private columnKind(site: ModelCallSite, position: number, index: number, type: string): PlannedInputColumn {
    const spec = site.fn.args[index]!;
    const arg = site.call.args[position]!;
    const where = `argument ${position + 1} (${spec.name}) of ${site.fn.name}`;
    if (accepts(spec.kinds, 'tensor')) {
      const tensor = tensorInput(type, spec.element ?? 'float32');
      if (tensor === null) {
        const hint = /\[\d*\]\s*\[\d*\]\s*$/.test(type) ? ' (a flat list is expected: flatten(...) it)' : '';
        throw this.error('model-call-argument-type', `${where} must be ${kindsText(spec)}, found ${type}${hint}`, arg.value.span);
      }
      const problem = site.fn.checkArg?.(index, type);
      if (problem !== undefined) throw this.error('model-call-argument-shape', problem, arg.value.span);
      return tensor;
    }
    const found = kindOfType(type);
    if (found === 'null') {
      if (accepts(spec.kinds, 'float-list')) return { sql: 'FLOAT[]', kind: 'float-list' };
      if (accepts(spec.kinds, 'blob')) return { sql: 'BLOB', kind: 'blob' };
    } else if (found !== null && spec.kinds.includes(found)) {
      if (found === 'float-list') return { sql: 'FLOAT[]', kind: 'float-list' };
      if (found === 'blob') return { sql: 'BLOB', kind: 'blob' };
      throw this.error('model-call-constant-argument', `${where} must be a constant, e.g. a quoted string or a number`, arg.span);
    }
    throw this.error('model-call-argument-type', `${where} must be ${kindsText(spec)}, found ${type}`, arg.value.span);
  }

  private async limitDecision(
    core: SelectCore,
    scope: LeafScope,
    leaf: FromLeaf,
    queries: readonly Query[],
    allPushed: boolean,
  ): Promise<LimitDecision> {
    const query = queries.at(-1);
    if (query === undefined || query.body !== core) {
      return { rows: null, orderBy: null, reason: query?.limit ? 'LIMIT applies to a set operation' : 'no LIMIT' };
    }
    if (query.limit === null) return { rows: null, orderBy: null, reason: 'no LIMIT' };
    const no = (reason: string): LimitDecision => ({ rows: null, orderBy: null, reason: `LIMIT not pushed: ${reason}` });
    const limit = query.limit.limit === null ? null : constantValue(query.limit.limit);
    const offset = query.limit.offset === null ? 0 : constantValue(query.limit.offset);
    if (query.limit.percent || !isCount(limit) || !isCount(offset)) return no('LIMIT and OFFSET are not constant row counts');
    if (scope.leaves.length !== 1) return no('the SELECT joins several relations');
    if (core.distinct !== null) return no('DISTINCT');
    if (core.groupBy !== null) return no('GROUP BY');
    if (core.having !== null) return no('HAVING');
    if (core.qualify !== null || core.windows.length > 0) return no('window clauses');
    const aggregates = await this.catalog.aggregateFunctions();
    for (const item of core.items) {
      if (hasWindowCall(item)) return no('window functions');
      if (hasAggregateCall(item, aggregates)) return no('aggregates');
      if (hasSetReturningCall(item)) return no('UNNEST');
    }
    if (!allPushed) return no('a WHERE condition runs after the model');
    if (limit === null) return { rows: null, orderBy: null, reason: 'no LIMIT' };
    // An ORDER BY over the relation's own columns can go down with the LIMIT: the top rows are chosen
    // before the model, and the output stage orders them again.
    let orderBy: string | null = null;
    if (query.orderBy !== null) {
      for (const item of query.orderBy.items) {
        const e = item.expression;
        if (e === null || constantValue(e) !== undefined || hasAggregateCall(e, aggregates) || hasWindowCall(e) || !(await scope.pushable(e, leaf))) {
          return no('ORDER BY needs the model output or the SELECT list');
        }
      }
      orderBy = this.out.render({ start: query.orderBy.items[0]!.span.start, end: query.orderBy.items.at(-1)!.span.end });
    }
    const rows = limit + offset;
    const what = offset > 0 ? `LIMIT ${limit} OFFSET ${offset} pushed as LIMIT ${rows}` : `LIMIT ${limit} pushed`;
    return { rows, orderBy, reason: orderBy === null ? what : `${what} with ORDER BY ${orderBy}` };
  }

  private async orderStable(leaf: FromLeaf): Promise<boolean> {
    const node = leaf.node;
    switch (node.kind) {
      case 'FileRef':
        return true;
      case 'TableFunctionRef':
        return node.call.name.parts.length === 1 && orderStableScans.has(node.call.name.parts[0]!.name.toLowerCase());
      case 'TableRef':
        return this.catalog.isBaseTable(node.name.parts.map((p) => p.name));
      default:
        return false;
    }
  }

  /** `WITH a AS (...), b AS (...) ` up to the CTE referenced, rendered with `edits`. */
  private withPrefix(scope: CteScope, edits: TextEdits): string {
    const withClause = scope.query.with!;
    return `WITH ${withClause.recursive ? 'RECURSIVE ' : ''}${scope.ctes.map((c) => edits.render(c.span)).join(', ')} `;
  }

  /** Adds the staged result columns to `*` / `alias.*` so the user sees the columns they asked for. */
  private excludeFromStar(star: Star, excluded: Map<FromLeaf, string[]>): void {
    const qualifier = star.qualifier.at(-1)?.name.toLowerCase();
    const columns: string[] = [];
    for (const [leaf, cols] of excluded) {
      if (qualifier === undefined || leaf.alias?.toLowerCase() === qualifier) columns.push(...cols);
    }
    if (columns.length === 0) return;
    if (star.exclude !== null && star.exclude.length > 0) {
      this.out.insert(star.exclude.at(-1)!.span.end, `, ${columns.join(', ')}`);
      return;
    }
    const from = star.qualifier.length > 0 ? star.qualifier.at(-1)!.span.end : star.span.start;
    const at = this.source.indexOf('*', from);
    this.out.insert(at + 1, ` EXCLUDE (${columns.join(', ')})`);
  }

  text(span: Span): string {
    return this.source.slice(span.start, span.end);
  }

  renderDescribed(span: Span): string {
    return this.described.render(span);
  }

  error(code: string, detail: string, at: Span, cause?: unknown): SqlError {
    return sqlErrorAt('plan', code, detail, this.source, at, cause);
  }

  describe(query: string): Promise<readonly ColumnInfo[]> {
    return this.catalog.describe(query);
  }

  get registryView(): ModelRegistryView {
    return this.registry;
  }

  withPrefixDescribed(scope: CteScope): string {
    return this.withPrefix(scope, this.described);
  }
}

/** Name resolution within one SELECT block: which leaf a column, a call or a WHERE conjunct belongs to. */
class LeafScope {
  private readonly columns = new Map<FromLeaf, Promise<ReadonlySet<string> | null>>();
  private readonly selectAliases: ReadonlySet<string>;

  constructor(
    private readonly planner: Planner,
    core: SelectCore,
    readonly leaves: readonly FromLeaf[],
    private readonly queries: readonly Query[],
  ) {
    this.selectAliases = new Set(core.items.flatMap((i) => (i.alias === null ? [] : [i.alias.name.toLowerCase()])));
  }

  async leafOfCall(site: ModelCallSite): Promise<FromLeaf> {
    const fail = (code: string, detail: string, at: Span = site.call.span) => this.planner.error(code, detail, at);
    for (const arg of site.call.args) {
      if (hasSubquery(arg.value)) throw fail('model-argument-subquery', `the arguments of ${site.fn.name} cannot contain a subquery`, arg.span);
    }
    let found: FromLeaf | undefined;
    for (const ref of columnRefs(site.call)) {
      const leaf = await this.leafOfColumn(ref);
      if (leaf === undefined) {
        throw fail(
          'model-argument-column',
          `${refText(ref)} is not a column of ${this.relationsText()}: the arguments of ${site.fn.name} must be columns of the FROM clause of its own SELECT, not of an outer query nor aliases of the SELECT list`,
          ref.span,
        );
      }
      if (found !== undefined && found !== leaf) {
        throw fail('model-argument-relations', `the arguments of ${site.fn.name} read two relations (${found.alias ?? 'a subquery'} and ${leaf.alias ?? 'a subquery'}); a model call runs over one relation`);
      }
      found = leaf;
    }
    if (found === undefined) {
      if (this.leaves.length !== 1) {
        throw fail('model-argument-relations', `${site.fn.name} has no column arguments, so it cannot tell which of the joined relations it runs over`);
      }
      found = this.leaves[0]!;
    }
    if (found.lateral) throw fail('model-argument-lateral', `${site.fn.name} cannot run over a LATERAL relation`);
    return found;
  }

  async leafOfColumn(ref: ColumnRef): Promise<FromLeaf | undefined> {
    const parts = ref.parts.map((p) => p.name.toLowerCase());
    if (parts.length >= 2) {
      const byAlias = this.leaves.filter((l) => l.alias?.toLowerCase() === parts[0]);
      if (byAlias.length === 1) return byAlias[0];
      if (parts.length >= 3) {
        const bySchema = this.leaves.filter(
          (l) => l.alias?.toLowerCase() === parts[1] && l.node.kind === 'TableRef' && l.node.name.parts.at(-2)?.name.toLowerCase() === parts[0],
        );
        if (bySchema.length === 1) return bySchema[0];
      }
    }
    const matches: FromLeaf[] = [];
    for (const leaf of this.leaves) {
      const columns = await this.columnsOf(leaf);
      if (columns?.has(parts[0]!)) matches.push(leaf);
    }
    if (matches.length > 1) {
      throw this.planner.error('ambiguous-column', `${refText(ref)} is a column of ${matches.map((m) => m.alias ?? 'a subquery').join(' and ')}: qualify it`, ref.span);
    }
    return matches[0];
  }

  /** A WHERE conjunct can run before the model, on this leaf alone, with the same outcome. */
  async pushable(conjunct: Expression, leaf: FromLeaf): Promise<boolean> {
    if (leaf.joinSensitive || leaf.lateral) return false;
    if (hasModelCall(conjunct, this.planner.registryView) || hasSubquery(conjunct) || hasVolatileCall(conjunct) || hasParameter(conjunct)) {
      return false;
    }
    for (const ref of columnRefs(conjunct)) {
      if (ref.parts.length === 1 && this.selectAliases.has(ref.parts[0]!.name.toLowerCase())) return false;
      try {
        if ((await this.leafOfColumn(ref)) !== leaf) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  cteOf(leaf: FromLeaf): CteScope | null {
    if (leaf.node.kind !== 'TableRef' || leaf.node.name.parts.length !== 1) return null;
    return this.cteNamed((leaf.node as TableRef).name.parts[0]!.name.toLowerCase());
  }

  private cteNamed(name: string): CteScope | null {
    for (let i = this.queries.length - 1; i >= 0; i--) {
      const query = this.queries[i]!;
      if (query.with === null) continue;
      const all = query.with.ctes;
      // Inside a CTE's own definition only the CTEs before it are visible (itself too when RECURSIVE).
      const inside = all.findIndex((c) => c.query === this.queries[i + 1]);
      const visible = inside < 0 ? all : all.slice(0, query.with.recursive ? inside + 1 : inside);
      const at = visible.findIndex((c) => c.name.name.toLowerCase() === name);
      if (at >= 0) return { query, ctes: visible.slice(0, at + 1), target: visible[at]! };
    }
    return null;
  }

  private columnsOf(leaf: FromLeaf): Promise<ReadonlySet<string> | null> {
    let columns = this.columns.get(leaf);
    if (columns === undefined) {
      columns = this.describeLeaf(leaf);
      this.columns.set(leaf, columns);
    }
    return columns;
  }

  private async describeLeaf(leaf: FromLeaf): Promise<ReadonlySet<string> | null> {
    if (leaf.lateral) return null;
    const cte = this.cteOf(leaf);
    const prefix = cte === null ? '' : this.planner.withPrefixDescribed(cte);
    try {
      const columns = await this.planner.describe(`${prefix}SELECT * FROM ${this.planner.renderDescribed(leaf.node.span)}`);
      return new Set(columns.map((c) => c.name.toLowerCase()));
    } catch (error) {
      throw this.planner.error('relation-invalid', duckdbMessage(error), leaf.node.span, error);
    }
  }

  private relationsText(): string {
    const names = this.leaves.map((l) => l.alias ?? 'a subquery');
    return names.length === 1 ? names[0]! : names.join(', ');
  }
}

function within(inner: Span, outer: Span): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

function refText(ref: ColumnRef): string {
  return ref.parts.map((p) => p.name).join('.');
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function accepts(kinds: readonly ArgKind[], kind: ArgKind): boolean {
  return kinds.includes(kind);
}

const numericScalar = /^(FLOAT|DOUBLE|REAL|DECIMAL(\(\d+,\s*\d+\))?|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|BOOLEAN)$/;

/**
 * A `tensor` argument of DuckDB type `type`, converted to `element`: a flat list or array of numbers or
 * booleans is cast to a list of the element's type, a number or boolean to the element's type (read as a
 * one-value row); null for any other type.
 */
function tensorInput(type: string, element: ElementType): PlannedInputColumn | null {
  const t = type.trim().toUpperCase();
  const sqlElement = ELEMENT_SQL_TYPES[element];
  const list = /^(.*)\[\d*\]$/.exec(t);
  if (t === 'NULL' || (list !== null && numericScalar.test(list[1]!))) {
    return element === 'float32' ? { sql: 'FLOAT[]', kind: 'float-list' } : { sql: `${sqlElement}[]`, kind: 'tensor-list', element, scalar: false };
  }
  if (numericScalar.test(t)) return { sql: sqlElement, kind: 'tensor-list', element, scalar: true };
  return null;
}

/** The family of a DuckDB type, as model functions see it; null for any other type. */
export function kindOfType(type: string): ArgKind | 'null' | null {
  const t = type.trim().toUpperCase().replace(/^"|"$/g, '');
  if (t === 'NULL') return 'null';
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL(\(\d+,\s*\d+\))?|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)\[\d*\]$/.test(t)) {
    return 'float-list';
  }
  if (t === 'BLOB') return 'blob';
  if (t === 'VARCHAR') return 'varchar';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t)) return 'integer';
  return null;
}

/** The offset DuckDB's `LINE n: context` + caret block points at in `text`. */
function caretOffset(text: string, block: RegExpExecArray): number | undefined {
  const lineNumber = Number(block[1]);
  let context = block[2]!;
  let caret = block[3]!.length - `LINE ${block[1]}: `.length;
  // DuckDB shortens long lines around the error with "..." on either side.
  if (context.startsWith('...')) {
    context = context.slice(3);
    caret -= 3;
  }
  if (context.endsWith('...')) context = context.slice(0, -3);
  let lineStart = 0;
  for (let line = 1; line < lineNumber; line++) {
    const next = text.indexOf('\n', lineStart);
    if (next < 0) return undefined;
    lineStart = next + 1;
  }
  const found = text.indexOf(context, lineStart);
  return found < 0 || caret < 0 ? undefined : found + caret;
}

/** The end of the word or symbol starting at `start`, for a caret under the whole token. */
function tokenEnd(source: string, start: number): number {
  const word = /^[A-Za-z0-9_."]+/.exec(source.slice(start));
  return start + Math.max(1, word?.[0].length ?? 1);
}

function duckdbMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
