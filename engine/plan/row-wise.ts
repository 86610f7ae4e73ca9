// Whether a statement over a relation is row-wise: each result row comes from one row of the relation and
// depends on that row alone (`SELECT <expressions> FROM r [WHERE ...]`, no aggregate, window, DISTINCT,
// ORDER BY, LIMIT, subquery or unnest). Such a statement can run once over several Arrow batches and its
// results be split back by batch: the rewritten text reads the relation's scan with each row's position
// and gives it as one more, last, result column.
import type { SelectCore, Statement, TableRef } from '../sql/ast.js';
import { columnsStars, hasAggregateCall, hasSetReturningCall, hasSubquery, hasWindowCall, someNode } from './expression-facts.js';
import { quoteIdentifier } from './sql-text.js';
import { TextEdits } from './text-edits.js';

export interface RowWiseRelation {
  /** The relation's name (the statement reads it as a one-part table name). */
  readonly name: string;
  /** A relation of the same rows with one more column, `rowColumn`, each row's position. */
  readonly withPositions: string;
  readonly rowColumn: string;
}

/** A rewritten statement, and offsets in it mapped back to the statement as written (for errors). */
export interface RowWiseStatement {
  readonly text: string;
  toSource(offset: number): number;
}

/** The statement (`text`, parsed) rewritten to give each row's position last; null when it is not row-wise over `relation`. */
export function rowWiseStatement(text: string, parsed: Statement, relation: RowWiseRelation, aggregates: ReadonlySet<string>): RowWiseStatement | null {
  if (parsed.kind !== 'SelectStatement') return null;
  const { query } = parsed;
  if (query.with !== null || query.orderBy !== null || query.limit !== null || query.body.kind !== 'SelectCore') return null;
  const core: SelectCore = query.body;
  if (core.distinct !== null || core.groupBy !== null || core.having !== null || core.qualify !== null || core.windows.length > 0 || core.sample !== null) return null;
  const from = core.from[0];
  if (core.from.length !== 1 || from?.kind !== 'TableRef' || !readsRelation(from, relation.name) || core.items.length === 0) return null;
  const expressions = [...core.items.map((i) => i.expression), ...(core.where === null ? [] : [core.where])];
  const perRow = expressions.every(
    (e) => !hasSubquery(e) && !hasWindowCall(e) && !hasSetReturningCall(e) && !hasAggregateCall(e, aggregates) && columnsStars(e).length === 0,
  );
  if (!perRow) return null;
  const name = from.alias?.name.name ?? from.name.parts[0]!.name;
  const edits = new TextEdits(text);
  for (const item of core.items) {
    const e = item.expression;
    // `*` and `name.*` stand for the relation's own columns only.
    if (e.kind === 'Star') {
      if (e.exclude !== null || e.replace !== null || e.rename !== null || e.qualifier.length > 1) return null;
      if (e.qualifier.length === 1 && e.qualifier[0]!.name.toLowerCase() !== name.toLowerCase()) return null;
      edits.insert(e.span.end, ` EXCLUDE (${quoteIdentifier(relation.rowColumn)})`);
    } else if (someNode(e, (n) => n.kind === 'Star')) {
      return null;
    }
  }
  edits.insert(core.items.at(-1)!.span.end, `, ${quoteIdentifier(name)}.${quoteIdentifier(relation.rowColumn)}`);
  edits.replace(from.name.span, `${relation.withPositions}${from.alias === null ? ` AS ${quoteIdentifier(name)}` : ''}`);
  return edits.renderMapped({ start: 0, end: text.length });
}

function readsRelation(ref: TableRef, name: string): boolean {
  return ref.sample === null && ref.name.parts.length === 1 && ref.name.parts[0]!.name.toLowerCase() === name.toLowerCase();
}
