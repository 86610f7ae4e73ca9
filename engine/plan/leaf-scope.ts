// Name resolution within one SELECT block: which relation ("leaf") a column, a model call or a WHERE
// conjunct belongs to, what can be evaluated on a leaf before the model, and the CTE a leaf names.
import type { ColumnRef, CommonTableExpression, Expression, Query, SelectCore } from '../sql/ast.js';
import { readDuckDBMessage } from '../sql/duckdb-message.js';
import type { SqlError, SqlErrorCode } from '../sql/sql-error.js';
import type { Span } from '../sql/span.js';
import {
  columnRefs,
  hasAggregateCall,
  hasModelCall,
  hasParameter,
  hasSetReturningCall,
  hasSubquery,
  hasVolatileCall,
  hasWindowCall,
  someNode,
} from './expression-facts.js';
import type { FromLeaf } from './from-leaves.js';
import type { ModelCallSite, ModelRegistryView } from './model-calls.js';
import type { ColumnInfo } from './plan-catalog.js';
import { quoteIdentifier } from './sql-text.js';

/** A CTE a relation names: the query that defines it, with the CTEs visible from there, in order. */
export interface CteScope {
  readonly query: Query;
  /** The CTEs a reference from here can see, in order. */
  readonly ctes: readonly CommonTableExpression[];
  readonly target: CommonTableExpression;
}

/** The CTEs visible where a relation is read, as one WITH list, outermost first. */
export interface VisibleCtes {
  readonly recursive: boolean;
  readonly ctes: readonly CommonTableExpression[];
}

/** What a scope asks of the planner: DuckDB's catalog, the statement's text with calls as typed NULLs, errors. */
export interface LeafScopeHost {
  readonly registryView: ModelRegistryView;
  error(code: SqlErrorCode, detail: string, at: Span, cause?: unknown): SqlError;
  describe(query: string): Promise<readonly ColumnInfo[]>;
  aggregates(): Promise<ReadonlySet<string>>;
  consistentFunctions(): Promise<ReadonlySet<string>>;
  renderDescribed(span: Span): string;
  withPrefixDescribed(visible: VisibleCtes | null): string;
}

/** Name resolution within one SELECT block: which leaf a column, a call or a WHERE conjunct belongs to. */
export class LeafScope {
  private readonly columns = new Map<FromLeaf, Promise<readonly ColumnInfo[] | null>>();
  private readonly selectAliases: ReadonlySet<string>;

  constructor(
    private readonly planner: LeafScopeHost,
    core: SelectCore,
    readonly leaves: readonly FromLeaf[],
    private readonly queries: readonly Query[],
  ) {
    this.selectAliases = new Set(core.items.flatMap((i) => (i.alias === null ? [] : [i.alias.name.toLowerCase()])));
  }

  async leafOfCall(site: ModelCallSite): Promise<FromLeaf> {
    const fail = (code: SqlErrorCode, detail: string, at: Span = site.call.span) => this.planner.error(code, detail, at);
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
      const columns = await this.columnNamesOrNull(leaf);
      if (columns?.has(parts[0]!)) matches.push(leaf);
    }
    if (matches.length > 1) {
      throw this.planner.error('ambiguous-column', `${refText(ref)} is a column of ${matches.map((m) => m.alias ?? 'a subquery').join(' and ')}: qualify it`, ref.span);
    }
    return matches[0];
  }

  /** A WHERE conjunct can run before the model, on this leaf alone, with the same outcome. */
  async pushable(conjunct: Expression, leaf: FromLeaf): Promise<boolean> {
    if (leaf.joinSensitive) return false;
    return this.evaluableBefore([conjunct], leaf);
  }

  /**
   * The expressions can be evaluated on the leaf's rows before the model, with the value the output
   * stage would give them: they read only this leaf, and nothing in them differs between evaluations.
   */
  async evaluableBefore(expressions: readonly Expression[], leaf: FromLeaf): Promise<boolean> {
    if (leaf.lateral) return false;
    const aggregates = await this.planner.aggregates();
    for (const e of expressions) {
      if (hasModelCall(e, this.planner.registryView) || hasSubquery(e) || hasVolatileCall(e) || hasParameter(e)) return false;
      if (hasAggregateCall(e, aggregates) || hasWindowCall(e) || hasSetReturningCall(e)) return false;
      for (const ref of columnRefs(e)) {
        if (ref.parts.length === 1 && this.selectAliases.has(ref.parts[0]!.name.toLowerCase())) return false;
        try {
          if ((await this.leafOfColumn(ref)) !== leaf) return false;
        } catch {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * A guard is evaluated twice, in the input stage and again in the output: it must give the same value
   * both times, so every function it calls must be one DuckDB calls consistent (not `random()`, not
   * `now()`, not a macro, which may hide either).
   */
  async guardable(expressions: readonly Expression[], leaf: FromLeaf): Promise<boolean> {
    if (!(await this.evaluableBefore(expressions, leaf))) return false;
    const consistent = await this.planner.consistentFunctions();
    return !expressions.some((e) =>
      someNode(e, (n) => n.kind === 'FunctionCall' && (n.name.parts.length !== 1 || !consistent.has(n.name.parts[0]!.name.toLowerCase()))),
    );
  }

  /** The leaf's column names (lower case) as `SELECT *` gives them; empty when DuckDB cannot tell. */
  async columnNamesOf(leaf: FromLeaf): Promise<ReadonlySet<string>> {
    return (await this.columnNamesOrNull(leaf).catch(() => null)) ?? new Set();
  }

  /**
   * Virtual columns of file scans (`filename`, `file_row_number`, `file_index`) that the block reads from
   * this leaf: `SELECT *` leaves them out, so the staged rows take them explicitly.
   */
  async virtualColumnsUsed(leaf: FromLeaf, core: SelectCore): Promise<string[]> {
    const virtual = leaf.node.kind === 'FileRef' || leaf.node.kind === 'TableFunctionRef' ? fileColumns : leaf.node.kind === 'TableRef' ? tableColumns : null;
    if (virtual === null) return [];
    const star = await this.columnNamesOf(leaf);
    const wanted = new Set(
      columnRefs(core)
        .map((ref) => ref.parts.at(-1)!.name.toLowerCase())
        .filter((name) => virtual.has(name) && !star.has(name)),
    );
    const found: string[] = [];
    for (const name of wanted) {
      try {
        await this.planner.describe(`SELECT ${quoteIdentifier(name)} FROM ${this.planner.renderDescribed(leaf.node.span)}`);
        found.push(name);
      } catch {
        // Not a column this relation has: the output stage's binding will say so.
      }
    }
    return found;
  }

  /** The CTE a leaf names: `FROM c`, or `FROM 'c'`, which DuckDB binds to a CTE of that name before any file. */
  cteOf(leaf: FromLeaf): CteScope | null {
    const { node } = leaf;
    if (node.kind === 'FileRef') return this.cteNamed(String(node.path.value).toLowerCase());
    if (node.kind !== 'TableRef' || node.name.parts.length !== 1) return null;
    return this.cteNamed(node.name.parts[0]!.name.toLowerCase());
  }

  /** The CTE `name` (lower-case) names where this scope reads, if any. */
  cteNamed(name: string): CteScope | null {
    for (let i = this.queries.length - 1; i >= 0; i--) {
      const visible = this.visibleAt(i);
      const at = visible.findIndex((c) => c.name.name.toLowerCase() === name);
      if (at >= 0) return { query: this.queries[i]!, ctes: visible.slice(0, at + 1), target: visible[at]! };
    }
    return null;
  }

  /** The CTEs of query i's WITH that this scope sees. */
  private visibleAt(i: number): readonly CommonTableExpression[] {
    const query = this.queries[i]!;
    if (query.with === null) return [];
    const all = query.with.ctes;
    // Inside a CTE's own definition only the CTEs before it are visible (itself too when RECURSIVE).
    const inside = all.findIndex((c) => c.query === this.queries[i + 1]);
    return inside < 0 ? all : all.slice(0, query.with.recursive ? inside + 1 : inside);
  }

  /**
   * Every CTE visible where `leaf` is read, outermost first: staged on its own, the relation's text (a CTE
   * it names, a subquery, a table function's argument) may read any of them. One WITH list cannot hold two
   * CTEs of one name, where a subquery's CTE hides an outer one: such a statement is refused.
   */
  visibleCtes(leaf: FromLeaf): VisibleCtes | null {
    const ctes: CommonTableExpression[] = [];
    let recursive = false;
    for (let i = 0; i < this.queries.length; i++) {
      for (const cte of this.visibleAt(i)) {
        const name = cte.name.name.toLowerCase();
        if (ctes.some((c) => c.name.name.toLowerCase() === name)) {
          throw this.planner.error(
            'relation-cte-hidden',
            `the CTE ${cte.name.name} hides another CTE of that name around its query, and a model statement reads ${leaf.alias ?? 'this relation'} with every CTE it can see in one WITH: rename one of them`,
            cte.name.span,
          );
        }
        ctes.push(cte);
      }
      recursive ||= this.queries[i]!.with?.recursive ?? false;
    }
    return ctes.length === 0 ? null : { recursive, ctes };
  }

  /** The leaf's columns with their types, as `SELECT *` gives them; null when DuckDB cannot tell. */
  async columnInfosOf(leaf: FromLeaf): Promise<readonly ColumnInfo[] | null> {
    return this.columnsOf(leaf).catch(() => null);
  }

  private async columnNamesOrNull(leaf: FromLeaf): Promise<ReadonlySet<string> | null> {
    const columns = await this.columnsOf(leaf);
    return columns === null ? null : new Set(columns.map((c) => c.name.toLowerCase()));
  }

  private columnsOf(leaf: FromLeaf): Promise<readonly ColumnInfo[] | null> {
    let columns = this.columns.get(leaf);
    if (columns === undefined) {
      columns = this.describeLeaf(leaf);
      this.columns.set(leaf, columns);
    }
    return columns;
  }

  /** The query of the leaf's rows, with the CTEs it can see, for DESCRIBE. */
  describedQuery(leaf: FromLeaf): string {
    return `${this.planner.withPrefixDescribed(this.visibleCtes(leaf))}SELECT * FROM ${this.planner.renderDescribed(leaf.node.span)}`;
  }

  private async describeLeaf(leaf: FromLeaf): Promise<readonly ColumnInfo[] | null> {
    if (leaf.lateral) return null;
    const query = this.describedQuery(leaf);
    try {
      return await this.planner.describe(query);
    } catch (error) {
      throw this.planner.error('relation-invalid', readDuckDBMessage(error).detail, leaf.node.span, error);
    }
  }

  private relationsText(): string {
    const names = this.leaves.map((l) => l.alias ?? 'a subquery');
    return names.length === 1 ? names[0]! : names.join(', ');
  }

  aggregates(): Promise<ReadonlySet<string>> {
    return this.planner.aggregates();
  }
}

/** Columns a relation has without `*` giving them: a file scan's, a table's. */
const fileColumns = new Set(['filename', 'file_row_number', 'file_index']);
const tableColumns = new Set(['rowid']);


function refText(ref: ColumnRef): string {
  return ref.parts.map((p) => p.name).join('.');
}
