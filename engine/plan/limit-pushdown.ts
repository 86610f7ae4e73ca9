// Whether a SELECT's LIMIT (and the ORDER BY that chooses its rows) can run before the model, so that
// `SELECT f(x) FROM t LIMIT 5` runs the model on 5 rows: see README.md, "What is pushed below the model".
import type { Query, SelectCore } from '../sql/ast.js';
import type { Span } from '../sql/span.js';
import { hasAggregateCall, hasSetReturningCall, hasWindowCall } from './expression-facts.js';
import type { FromLeaf } from './from-leaves.js';
import type { LeafScope } from './leaf-scope.js';
import { constantValue } from './model-calls.js';
import type { LimitDecision } from './model-plan.js';

/** Whether the LIMIT of the SELECT block `core` goes below the model for `leaf`, and why (not). */
export async function limitDecision(
  core: SelectCore,
  scope: LeafScope,
  leaf: FromLeaf,
  queries: readonly Query[],
  allPushed: boolean,
  /** The source of a span with the statement's edits so far. */
  render: (span: Span) => string,
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
  if (core.sample !== null) return no('USING SAMPLE');
  if (core.distinct !== null) return no('DISTINCT');
  if (core.groupBy !== null) return no('GROUP BY');
  if (core.having !== null) return no('HAVING');
  if (core.qualify !== null || core.windows.length > 0) return no('window clauses');
  const aggregates = await scope.aggregates();
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
    orderBy = render({ start: query.orderBy.items[0]!.span.start, end: query.orderBy.items.at(-1)!.span.end });
  }
  const rows = limit + offset;
  const what = offset > 0 ? `LIMIT ${limit} OFFSET ${offset} pushed as LIMIT ${rows}` : `LIMIT ${limit} pushed`;
  return { rows, orderBy, reason: orderBy === null ? what : `${what} with ORDER BY ${orderBy}` };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
