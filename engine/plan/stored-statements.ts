// Statements that keep SQL for later (a view, a macro, a prepared statement) or change rows in place
// (UPDATE, DELETE): a model call there cannot be staged now, so they are refused with a sentence that
// names the statement, rather than a parse error or DuckDB's "function does not exist" later.
import type { Token } from '../sql/lexer.js';
import { sqlErrorAt, type SqlError } from '../sql/sql-error.js';

const reasons: Readonly<Record<string, string>> = {
  view: 'a view stores its query for later',
  macro: 'a macro stores its expression for later',
  function: 'a macro stores its expression for later',
  prepare: 'a prepared statement stores its query for later',
  update: 'UPDATE changes rows in place',
  delete: 'DELETE changes rows in place',
};

/** The error for a statement with model calls of one of these kinds; null for any other statement. */
export function storedStatementError(source: string, tokens: readonly Token[], calls: readonly string[]): SqlError | null {
  const words = afterWith(tokens).filter((t) => t.kind === 'word').slice(0, 5);
  const lower = words.map((t) => t.text.toLowerCase());
  let at = 0;
  if (lower[0] === 'create') {
    at = 1;
    if (lower[at] === 'or' && lower[at + 1] === 'replace') at += 2;
    if (lower[at] === 'temp' || lower[at] === 'temporary') at += 1;
  }
  const kind = lower[at];
  if (kind === undefined || !(kind in reasons) || (at === 0 && (kind === 'view' || kind === 'macro' || kind === 'function'))) return null;
  const what = at === 0 ? kind.toUpperCase() : `CREATE ${kind.toUpperCase()}`;
  const span = { start: words[0]!.start, end: words[at]!.end };
  return sqlErrorAt(
    'plan',
    'model-call-placement',
    `${calls.join(', ')} cannot be called in ${what}: ${reasons[kind]}, and model calls run on rows when the statement runs (compute the results into a table with CREATE TABLE ... AS, then use that table)`,
    source,
    span,
  );
}

/** The statement after a leading `WITH ...` clause (`WITH s AS (...) UPDATE ...`), or all the tokens. */
function afterWith(tokens: readonly Token[]): readonly Token[] {
  if (tokens[0]?.kind !== 'word' || tokens[0].text.toLowerCase() !== 'with') return tokens;
  let depth = 0;
  for (const [i, t] of tokens.entries()) {
    if (t.kind === '(') depth++;
    else if (t.kind === ')') depth--;
    else if (depth === 0 && t.kind === 'word' && ['update', 'delete', 'insert', 'select'].includes(t.text.toLowerCase())) return tokens.slice(i);
  }
  return tokens;
}
