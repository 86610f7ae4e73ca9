// Plans a statement that calls model functions (see README.md): finds the relation each call runs over,
// decides which WHERE conjuncts and which LIMIT can run before the model, and writes the SQL of every
// stage by re-emitting the user's text with spans replaced.
import type { Expression, GroupingSets, Query, SelectCore, Star, Statement } from '../sql/ast.js';
import { readDuckDBMessage, tokenSpanAt } from '../sql/duckdb-message.js';
import { sqlErrorAt, type SqlError, type SqlErrorCode } from '../sql/sql-error.js';
import type { Span } from '../sql/span.js';
import { readsCatalog } from './catalog-reads.js';
import { columnsStars, conjuncts, hasAggregateCall, hasSetReturningCall, hasWindowCall } from './expression-facts.js';
import { fromLeaves, type FromLeaf } from './from-leaves.js';
import { argSpecIndexes, constantValue, findModelCalls, type ModelCallSite, type ModelRegistryView } from './model-calls.js';
import type {
  ModelLevel,
  ModelPlan,
  PlannedArg,
  PlannedCall,
  PlannedInputColumn,
  RelationStage,
} from './model-plan.js';
import { inputSelectList } from './model-plan.js';
import { argumentRead, type ArgumentRead, type LateTensorQuestion, type Locations, type Patch } from './late-tensors.js';
import type { ColumnInfo, PlanCatalog } from './plan-catalog.js';
import { normalizeSql, quoteIdentifier } from './sql-text.js';
import { TextEdits } from './text-edits.js';
import { accepts, inputColumnOf } from './argument-types.js';
import { LeafScope, type LeafScopeHost, type VisibleCtes } from './leaf-scope.js';
import { limitDecision } from './limit-pushdown.js';
import { internalNames, namedStructs, stagedRows, tempPrefix, unnamedStructColumn, type StagedResults, type UnnamedStructColumn } from './staged-rows.js';
import { columnsReadOutside, wholeRowReference } from './staged-columns.js';
import type { LeafSharder } from './shard-leaf.js';

/**
 * Where staged tables go: an in-memory database attached for them, which (unlike temp tables) every
 * connection of the instance sees, so results can be appended from a second connection while the first
 * streams the input; inside the user's transaction, which may write to one database only, `temp`.
 */
export type StagingCatalog = '__sqlinfer' | 'temp';

export async function planModelStatement(
  source: string,
  statement: Statement,
  registry: ModelRegistryView,
  catalog: PlanCatalog,
  stagingCatalog: StagingCatalog,
  sharder?: LeafSharder,
): Promise<ModelPlan> {
  const explain = statement.kind === 'ExplainStatement' ? (statement.analyze ? 'analyze' : 'plan') : null;
  const inner = statement.kind === 'ExplainStatement' ? statement.statement : statement;
  if (inner.kind === 'ExplainStatement') {
    throw sqlErrorAt('plan', 'nested-explain', 'EXPLAIN cannot explain an EXPLAIN', source, inner.span);
  }
  const planner = new Planner(source, registry, catalog, stagingCatalog, sharder);
  return planner.plan(inner, explain);
}

class Planner implements LeafScopeHost {
  private readonly out: TextEdits;
  /** Model calls replaced by typed NULLs: lets DuckDB describe relations before any model has run. */
  private readonly described: TextEdits;
  private readonly stages: RelationStage[] = [];
  private readonly tempTables: string[] = [];
  private tableCount = 0;
  private columnCount = 0;
  private relationCount = 0;
  /** `temp` is shared with the user's own temporary tables (and shadows their main tables): prefixed there. */
  private readonly tablePrefix: string;

  constructor(
    private readonly source: string,
    private readonly registry: ModelRegistryView,
    private readonly catalog: PlanCatalog,
    private readonly stagingCatalog: StagingCatalog,
    private readonly sharder: LeafSharder | undefined,
  ) {
    this.out = new TextEdits(source);
    this.described = new TextEdits(source);
    this.tablePrefix = stagingCatalog === 'temp' ? tempPrefix : '';
  }

  async plan(statement: Exclude<Statement, { kind: 'ExplainStatement' }>, explain: ModelPlan['explain']): Promise<ModelPlan> {
    if (statement.kind === 'CopyStatement' && statement.source.kind !== 'Query') {
      throw sqlErrorAt('plan', 'model-call-placement', 'COPY of a table has no model calls to run', this.source, statement.span);
    }
    const sites = findModelCalls(statement, this.registry, this.source, await this.catalog.aggregateFunctions());
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

    const span = statement.span;
    const target = statement.kind === 'CopyStatement' && statement.direction === 'to' ? statement.target : null;
    // The output is kept as text around the COPY target, so that it can be written to any path.
    const output: ModelPlan['output'] =
      target === null
        ? { before: this.out.render(span), target: null, after: '' }
        : {
            before: this.out.render({ start: span.start, end: target.span.start }),
            target: String(target.value ?? ''),
            after: this.out.render({ start: target.span.end, end: span.end }),
          };
    const kinds = { SelectStatement: 'select', CopyStatement: 'copy', CreateTableAsStatement: 'create-table', InsertStatement: 'insert' } as const;
    return {
      source: this.source,
      explain,
      statementKind: kinds[statement.kind],
      stages: this.stages,
      tempTables: this.tempTables,
      callNames: new Map(this.stages.flatMap((st) => st.levels.flatMap((l) => l.calls.map((c) => [c.column, c.text] as const)))),
      output,
      copyOptions:
        statement.kind === 'CopyStatement'
          ? (statement.options?.options ?? []).map((o) => ({ name: o.name.name, value: o.value === null ? null : this.source.slice(o.value.span.start, o.value.span.end) }))
          : [],
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
    const excluded = new Map<FromLeaf, { readonly alias: string; readonly columns: readonly string[] }>();
    for (const leaf of leaves) {
      const leafSites = byLeaf.get(leaf);
      if (leafSites === undefined) continue;
      const columns = await this.planLeaf(core, scope, leaf, leafSites);
      excluded.set(leaf, { alias: this.stages.at(-1)!.alias, columns });
    }
    const staged = [...excluded.values()].flatMap((e) => e.columns.map((c) => `${quoteIdentifier(e.alias)}.${c}`));
    // A bare `FROM t [WHERE ...]` means SELECT *: spell it out so the staged columns stay hidden.
    if (core.fromFirst && core.items.length === 0 && staged.length > 0) {
      this.out.insert(core.from.at(-1)!.span.end, ` SELECT * EXCLUDE (${staged.join(', ')})`);
    }
    for (const item of core.items) {
      for (const star of columnsStars(item.expression)) this.excludeFromStar(star, excluded);
      if (item.expression.kind === 'Star') this.excludeFromStar(item.expression, excluded);
      // Keep the column name DuckDB would give the expression, not the staged column's.
      else if (item.alias === null && sites.some((s) => within(s.call.span, item.span))) {
        this.out.insert(item.span.end, ` AS ${quoteIdentifier(this.text(item.span))}`);
      }
    }
  }

  private async planLeaf(core: SelectCore, scope: LeafScope, leaf: FromLeaf, sites: ModelCallSite[]): Promise<string[]> {
    const id = ++this.relationCount;
    const alias = leaf.alias ?? `${tempPrefix}r${id}`;
    const qAlias = quoteIdentifier(alias);
    const leafColumns = await scope.columnNamesOf(leaf);
    const names = internalNames(leafColumns);
    const wholeRow = wholeRowReference(core, leaf, leafColumns);
    if (wholeRow !== null) {
      throw this.error('model-relation-row', `${alias} as a whole row cannot be read in a statement that runs a model over ${alias}: name its columns instead (e.g. struct_pack(a, b))`, wholeRow.span);
    }
    const cte = scope.cteOf(leaf);
    const visible = scope.visibleCtes(leaf);
    const withPrefix = this.withPrefix(visible, this.out);
    const describedWith = this.withPrefix(visible, this.described);
    // --shard: the relation becomes this shard's part of it (shard-leaf.ts).
    const shard = this.sharder === undefined ? null : await this.sharder.leaf(core, leaf, sites[0]!.queries, qAlias, cte !== null);
    const sourceExpr = shard?.source ?? aliased(leaf, (span) => this.out.render(span), qAlias);
    const describedSource = aliased(leaf, (span) => this.described.render(span), qAlias);

    const where = core.where === null ? [] : conjuncts(core.where);
    const pushed: Expression[] = [];
    // USING SAMPLE samples the FROM's rows before WHERE filters them: a filter pushed below would change which
    // rows are sampled.
    if (core.sample === null) for (const c of where) if (await scope.pushable(c, leaf)) pushed.push(c);
    const limit = await limitDecision(core, scope, leaf, sites[0]!.queries, pushed.length === where.length, (span) => this.out.render(span));
    // The relation is read once, here: its rows, numbered, are what the model stages read and what the
    // output stage sees, so a second evaluation can never pair results with other rows.
    const virtual = await scope.virtualColumnsUsed(leaf, core);
    const pushedWhere = [...(shard?.where ?? []), ...pushed.map((c) => this.out.render(c.span))];
    // Applied here only: evaluated twice, a conjunct with a volatile function (hidden in a macro, say)
    // would keep other rows the second time.
    for (const c of pushed) this.out.replace(c.span, 'TRUE');
    const unnamed = await this.unnamedStructColumns(core, scope, leaf);
    // `locations`: each row's file and row number, for arguments read from Parquet pages. A sharded leaf
    // is already rewritten as its shard's scan, which gives them unpatched.
    const filteredWith = (locations: Locations | null) =>
      `SELECT *${namedStructs(unnamed)}${virtual.map((v) => `, ${qAlias}.${quoteIdentifier(v)}`).join('')}${locations?.select ?? ''}` +
      ` FROM ${locations === null || shard !== null ? sourceExpr : aliased(leaf, (span) => this.renderPatched(span, locations.patches), qAlias)}` +
      (pushedWhere.length > 0 ? ` WHERE ${pushedWhere.map((c) => `(${c})`).join(' AND ')}` : '') +
      (limit.orderBy !== null ? ` ORDER BY ${limit.orderBy}` : '') +
      (limit.rows !== null ? ` LIMIT ${limit.rows}` : '');
    const filtered = filteredWith(null);
    const stageTable = `${this.stagingCatalog}.${this.tablePrefix}s${id}`;
    this.tempTables.push(stageTable);
    const createTable = `CREATE OR REPLACE ${this.stagingCatalog === 'temp' ? 'TEMP ' : ''}TABLE ${stageTable} AS ${withPrefix}`;

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
    // One level whose output reads only narrow columns streams the relation through the model and stages
    // just those columns as the rows go by; otherwise the relation is first copied whole into a table.
    // A relation that lists the catalog is read whole before its table exists, so it is not streamed.
    const listing = readsCatalog(`${withPrefix}${sourceExpr}`);
    const streamed = depths.length === 1 && !listing ? await this.streamedColumns(core, scope, leaf, sites, virtual) : null;
    const numbered = `${withPrefix}SELECT *, row_number() OVER () AS ${names.key} FROM (${filtered})`;
    const stage = streamed === null
      ? { table: stageTable, sql: `${createTable}${numbered.slice(withPrefix.length)}`, streamed: false, listingFirst: listing ? numbered : null }
      : { table: stageTable, sql: `${createTable}SELECT ${[...streamed, `CAST(0 AS BIGINT) AS ${names.key}`].join(', ')} FROM (${filtered}) LIMIT 0`, streamed: true, listingFirst: null };

    const levels: ModelLevel[] = [];
    const results: StagedResults[] = [];
    /** What the input query changes to give rows' locations, gathered from the arguments read from pages. */
    const locations: { select: string; patches: Patch[] } = { select: '', patches: [] };
    const columns: string[] = [names.key];
    for (const depth of depths) {
      const table = `${this.stagingCatalog}.${this.tablePrefix}t${++this.tableCount}`;
      const inputColumns: PlannedInputColumn[] = [];
      const calls: PlannedCall[] = [];
      const levelColumns: string[] = [];
      for (const [key, entry] of unique) {
        if (entry.depth !== depth) continue;
        const first = entry.sites[0]!;
        const column = names.result(++this.columnCount);
        columns.push(column);
        levelColumns.push(column);
        const guard = await this.guardOf(entry.sites, scope, leaf);
        const indexes = argSpecIndexes(first.call, first.fn, this.source);
        const args: PlannedArg[] = [];
        const guardExpressions = entry.sites.flatMap((s) => s.guards.flatMap((g) => (g.equals === null ? [g.expression] : [g.expression, g.equals])));
        for (const [position, arg] of first.call.args.entries()) {
          const i = indexes[position]!;
          const spec = first.fn.args[i]!;
          const literal = constantValue(arg.value);
          const listKinds = accepts(spec.kinds, 'float-list') || accepts(spec.kinds, 'blob') || accepts(spec.kinds, 'tensor');
          if (spec.constant || (literal !== undefined && literal !== null && !listKinds)) {
            args[i] = { kind: 'constant', value: literal ?? null };
            continue;
          }
          const type = argTypes.get(arg.value.span.start)!;
          const input = inputColumnOf(first, position, i, type, this.source);
          const text = this.out.render(arg.value.span);
          // A row DuckDB would not evaluate the call on gets a NULL argument, and so no model run.
          const guarded = (sql: string) => (guard === null ? sql : `CASE WHEN ${guard} THEN ${sql} END`);
          const list = input.kind === 'float-list' || (input.kind === 'tensor-list' && !input.scalar);
          const read = list
            ? await this.argumentRead({
                arg: arg.value,
                leaf,
                cte,
                leafColumns,
                columnType: type,
                element: input.kind === 'tensor-list' ? input.element : 'float32',
                streamed: streamed !== null,
                alsoRead: [...pushed, ...guardExpressions],
                names: { file: names.alias('file'), row: names.alias('row') },
                render: (span) => this.out.render(span),
                cteNamed: (name) => scope.cteNamed(name.toLowerCase()) !== null || (cte?.ctes.some((c) => c.name.name.toLowerCase() === name.toLowerCase()) ?? false),
              }, shard !== null)
            : null;
          const argText = this.text(arg.value.span);
          if (read !== null && !('duckdb' in read)) {
            for (const patch of read.locations.patches) if (!locations.patches.some((p) => samePatch(p, patch))) locations.patches.push(patch);
            locations.select = read.locations.select;
            const row = `${qAlias}.${names.alias('row')}`;
            if ('pages' in read) {
              inputColumns.push({ ...input, sql: guarded(`${qAlias}.${names.alias('file')}`), source: { text: argText, pages: read.pages, rowSql: row } });
            } else {
              inputColumns.push({ ...input, sql: guarded(row), source: { text: argText, arrow: read.arrow } });
            }
          } else {
            // A cast to the type a column already has still copies every value in DuckDB: skip it.
            const sql = type.toUpperCase() === input.sql ? guarded(text) : `CAST(${guarded(text)} AS ${input.sql})`;
            inputColumns.push(read === null ? { ...input, sql } : { ...input, sql, source: { text: argText, duckdb: read.duckdb } });
          }
          args[i] = { kind: 'column', column: inputColumns.length - 1 };
        }
        const resultRef = `${qAlias}.${column}`;
        // The staged column already has the function's result type (see engine/exec/result-vectors.ts).
        for (const site of entry.sites) this.out.replace(site.call.span, this.perGroup(site) ? `any_value(${resultRef})` : resultRef);
        calls.push({ fn: first.fn, column, text: key, span: first.call.span, occurrences: entry.sites.length, args, guard });
      }
      const args = inputSelectList(inputColumns);
      const located = inputColumns.some((c) => c.source !== undefined && !('duckdb' in c.source)) ? locations : null;
      const levelId = `${id}.${levels.length + 1}`;
      if (streamed === null) {
        const inputSql = `SELECT ${[...args, names.key].join(', ')} FROM ${stagedRows(stageTable, results, names, unnamed)} AS ${qAlias}`;
        levels.push({ id: levelId, table, inputSql, stages: null, inputColumns, calls });
      } else {
        const prefix = this.withPrefix(visible, (span) => this.renderPatched(span, located?.patches ?? []));
        const inputSql = `${prefix}SELECT ${[...args, ...streamed].join(', ')} FROM (${filteredWith(located)}) AS ${qAlias}`;
        levels.push({ id: levelId, table, inputSql, stages: { table: stageTable, columns: streamed.length }, inputColumns, calls });
      }
      results.push({ table, columns: levelColumns });
      this.tempTables.push(table);
    }
    this.out.replace(leaf.node.span, `${stagedRows(stageTable, results, names, unnamed, streamed !== null)} AS ${qAlias}`);
    this.stages.push({
      id,
      relation: aliased(leaf, (span) => this.text(span), qAlias),
      span: leaf.node.span,
      alias,
      stage,
      countSql: streamed === null ? `SELECT count(*) FROM ${stageTable}` : `${withPrefix}SELECT count(*) FROM (${filtered})`,
      key: names.key,
      pushedWhere,
      limit,
      levels,
    });
    return columns;
  }

  /**
   * The relation's columns of unnamed-struct type, which are staged as named structs; and those with some
   * fields named and some not, which are left out of the staged rows (or refused, when the statement reads them).
   */
  private async unnamedStructColumns(core: SelectCore, scope: LeafScope, leaf: FromLeaf): Promise<UnnamedStructColumn[]> {
    const infos = (await scope.columnInfosOf(leaf)) ?? [];
    const unnamed = infos.flatMap((c) => unnamedStructColumn(quoteIdentifier(c.name), c.type) ?? []);
    if (unnamed.length === 0) return unnamed;
    // Printed as unnamed, such a struct would be staged by position under new names and lose its fields,
    // and no table can hold it as it is: left out of the staged rows when the statement does not read it.
    const partly = await this.catalog.partlyNamedStructs(scope.describedQuery(leaf));
    if (partly.length === 0) return unnamed;
    const outside = `${this.source.slice(0, leaf.node.span.start)} ${this.source.slice(leaf.node.span.end)}`;
    const star = core.items.some((i) => i.expression.kind === 'Star');
    const read = partly.find((name) => star || new RegExp(`(^|[^\\w$])${name.replace(/[^\w]/g, '\\$&')}($|[^\\w$])`, 'i').test(outside));
    if (read !== undefined) {
      throw this.error(
        'relation-struct-names',
        `column ${read} of ${leaf.alias ?? 'the relation'} holds structs with some fields named and some not (DuckDB reads a Parquet UNION so), which a model statement cannot stage without losing fields: select the fields you need, or leave the column out`,
        leaf.node.span,
      );
    }
    const lower = new Set(partly.map((p) => quoteIdentifier(p).toLowerCase()));
    return [...unnamed.filter((u) => !lower.has(u.column.toLowerCase())), ...partly.map((name) => ({ column: quoteIdentifier(name), stagedType: null, restore: '' }))];
  }

  /**
   * The columns to stage when the relation can stream through its one level of calls: those the rest of
   * the statement reads (as quoted names), plus `filename` to name a failing row. Null when that set is
   * open (a star ...) or holds a wide column (a list, a BLOB, a struct), which a copy in DuckDB stages
   * faster than rows crossing to JavaScript and back.
   */
  private async streamedColumns(core: SelectCore, scope: LeafScope, leaf: FromLeaf, sites: readonly ModelCallSite[], virtual: readonly string[]): Promise<string[] | null> {
    const infos = await scope.columnInfosOf(leaf);
    if (infos === null) return null;
    const byName = new Map(infos.map((c) => [c.name.toLowerCase(), c]));
    for (const v of virtual) byName.set(v, { name: v, type: 'VARCHAR' });
    const read = columnsReadOutside(core, sites[0]!.queries.at(-1), leaf, new Set(byName.keys()), sites.map((s) => s.call.span));
    if (read === 'all') return null;
    const names = new Set(read);
    if (byName.get('filename')?.type === 'VARCHAR') names.add('filename');
    const columns = [...names].map((n) => byName.get(n)!);
    if (columns.some((c) => /\[|STRUCT|MAP|UNION|BLOB|VARIANT|GEOMETRY/i.test(c.type))) return null;
    return columns.map((c) => quoteIdentifier(c.name));
  }

  /**
   * The condition, as SQL over the relation's row, under which DuckDB evaluates any of `sites` (identical
   * calls): null when always. A guard the input stage cannot evaluate to the same value as the output
   * stage (it reads a model result, another relation, a volatile function ...) is left out: the model
   * then runs on more rows than needed, which changes no result.
   */
  private async guardOf(sites: readonly ModelCallSite[], scope: LeafScope, leaf: FromLeaf): Promise<string | null> {
    const alternatives: string[] = [];
    for (const site of sites) {
      const parts: string[] = [];
      for (const guard of site.guards) {
        const exprs = guard.equals === null ? [guard.expression] : [guard.expression, guard.equals];
        if (!(await scope.guardable(exprs, leaf))) continue;
        const condition = guard.equals === null ? this.out.render(guard.expression.span) : `(${this.out.render(guard.expression.span)}) = (${this.out.render(guard.equals.span)})`;
        parts.push(`(${condition}) IS ${guardTests[guard.test]}`);
      }
      if (parts.length === 0) return null;
      alternatives.push(parts.join(' AND '));
    }
    return alternatives.length === 1 ? alternatives[0]! : alternatives.map((a) => `(${a})`).join(' OR ');
  }

  /**
   * Binds the whole query with typed NULLs for the model results, so a mistake after the model (a type
   * error, a misspelt column) fails now, at its place in the user's text, not after the model has run.
   */
  private async checkOutput(query: Query): Promise<void> {
    const { text, toSource } = this.described.renderMapped(query.span);
    // `WITH s AS (...) INSERT ...`: the query's WITH stands before INSERT, outside its span.
    const withText = query.with !== null && query.with.span.start < query.span.start ? `${this.described.render(query.with.span)} ` : '';
    try {
      await this.catalog.describe(withText + text);
    } catch (error) {
      const message = readDuckDBMessage(error);
      const at = message.offsetIn(`DESCRIBE ${withText}${text}`);
      const start = at === undefined ? query.span.start : toSource(Math.max(0, at - 'DESCRIBE '.length - withText.length));
      // DuckDB lists every overload of an operator it could not match; the first part says what is wrong.
      throw this.error(message.code, message.headline, tokenSpanAt(this.source, start), error);
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
      throw this.error('model-argument-invalid', readDuckDBMessage(error).detail, args.length === 1 ? args[0]!.span : leaf.node.span, error);
    }
    args.forEach((a, i) => types.set(a.span.start, columns[i]?.type ?? 'NULL'));
    return types;
  }

  /** Whether a list argument is read from Parquet pages or by DuckDB, and why (late-tensors.ts). */
  private async argumentRead(question: LateTensorQuestion, sharded: boolean): Promise<ArgumentRead> {
    const { leaf } = question;
    if (this.out.render(leaf.node.span) !== this.text(leaf.node.span)) return { duckdb: 'the relation runs model calls of its own' };
    const read = await argumentRead(question, this.catalog);
    // A shard's scan is written by the sharder: it gives the rows' locations, but cannot be patched.
    if (sharded && 'arrow' in read) return { duckdb: 'the input is split by --shard' };
    if (sharded && 'pages' in read && read.locations.patches.length > 0) return { duckdb: 'the input is split by --shard, and its files have a column named filename' };
    return read;
  }

  /** `span` with the planner's edits and `patches` (none of which straddles an edit). */
  private renderPatched(span: Span, patches: readonly Patch[]): string {
    const inside = patches.filter((p) => span.start <= p.span.start && p.span.end <= span.end).sort((a, b) => a.span.start - b.span.start);
    let text = '';
    let at = span.start;
    for (const patch of inside) {
      text += this.out.render({ start: at, end: patch.span.start }) + patch.text;
      at = patch.span.end;
    }
    return text + this.out.render({ start: at, end: span.end });
  }

  /** `WITH a AS (...), b AS (...) `: the CTEs visible where a relation is read, rendered with `edits` (or by `render`). */
  private withPrefix(visible: VisibleCtes | null, edits: TextEdits | ((span: Span) => string)): string {
    if (visible === null) return '';
    const render = typeof edits === 'function' ? edits : (span: Span) => edits.render(span);
    return `WITH ${visible.recursive ? 'RECURSIVE ' : ''}${visible.ctes.map((c) => render(c.span)).join(', ')} `;
  }

  /**
   * A call in a grouped SELECT, outside any aggregate, whose arguments are all grouping expressions:
   * DuckDB computes it once per group. Its result is then one value per group, the same on each of the
   * group's rows, which the output reads with any_value(). Under ROLLUP, CUBE or GROUPING SETS a
   * subtotal's key is NULL where its rows' keys are not, so those are left to DuckDB's binder.
   */
  private perGroup(site: ModelCallSite): boolean {
    const { groupBy } = site.core;
    if (groupBy === null || groupBy.all || site.aggregated) return false;
    const plain = (e: Expression | GroupingSets): e is Expression =>
      e.kind !== 'GroupingSets' && !(e.kind === 'FunctionCall' && ['rollup', 'cube'].includes(e.name.parts.at(-1)!.name.toLowerCase()));
    if (!groupBy.items.every(plain)) return false;
    const norm = (span: Span) => this.text(span).replace(/\s+/g, '').toLowerCase();
    const keys = new Set(groupBy.items.map((e) => norm(e.span)));
    return site.call.args.every((a) => constantValue(a.value) !== undefined || keys.has(norm(a.value.span)));
  }

  /** Adds the staged result columns to `*` / `alias.*` so the user sees the columns they asked for. */
  private excludeFromStar(star: Star, excluded: Map<FromLeaf, { readonly alias: string; readonly columns: readonly string[] }>): void {
    const qualifier = star.qualifier.at(-1)?.name.toLowerCase();
    const columns: string[] = [];
    // Qualified, so that a column of the same name in another relation stays in.
    for (const [leaf, { alias, columns: cols }] of excluded) {
      if (qualifier === undefined || leaf.alias?.toLowerCase() === qualifier) columns.push(...cols.map((c) => `${quoteIdentifier(alias)}.${c}`));
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

  error(code: SqlErrorCode, detail: string, at: Span, cause?: unknown): SqlError {
    return sqlErrorAt('plan', code, detail, this.source, at, cause);
  }

  describe(query: string): Promise<readonly ColumnInfo[]> {
    return this.catalog.describe(query);
  }

  consistentFunctions(): Promise<ReadonlySet<string>> {
    return this.catalog.consistentFunctions();
  }

  aggregates(): Promise<ReadonlySet<string>> {
    return this.catalog.aggregateFunctions();
  }

  get registryView(): ModelRegistryView {
    return this.registry;
  }

  withPrefixDescribed(visible: VisibleCtes | null): string {
    return this.withPrefix(visible, this.described);
  }
}

/** The leaf's text under the name DuckDB gives it (an alias after a TABLESAMPLE clause would not parse). */
function aliased(leaf: FromLeaf, render: (span: Span) => string, qAlias: string): string {
  const span = leaf.node.span;
  if (leaf.explicitAlias) return render(span);
  const sample = 'sample' in leaf.node ? leaf.node.sample : null;
  if (sample === null) return `${render(span)} AS ${qAlias}`;
  // DuckDB's grammar puts the alias before TABLESAMPLE. (A subquery around the sample would hide the
  // scan's virtual columns, such as the rows' locations.)
  return `${render({ start: span.start, end: sample.span.start })}AS ${qAlias} ${render({ start: sample.span.start, end: span.end })}`;
}

const guardTests = { true: 'TRUE', 'not-true': 'NOT TRUE', null: 'NULL', 'not-false': 'NOT FALSE' } as const;

function samePatch(a: Patch, b: Patch): boolean {
  return a.span.start === b.span.start && a.span.end === b.span.end && a.text === b.text;
}

function within(inner: Span, outer: Span): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}
