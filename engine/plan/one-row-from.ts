// A model call in a SELECT without FROM (`SELECT lin([1, 2, 3, 4]::FLOAT[])`) runs once, over one row, as
// DuckDB evaluates such a SELECT: the statement is planned as if it read `FROM (SELECT 1)`, and errors
// are placed back in the text as written.
import type { Statement } from '../sql/ast.js';
import { parseStatement } from '../sql/parser.js';
import { SqlError } from '../sql/sql-error.js';
import type { Span } from '../sql/span.js';
import { columnRefs } from './expression-facts.js';
import { findModelCalls, type ModelRegistryView } from './model-calls.js';

const ONE_ROW = ' FROM (SELECT 1) AS __sqlinfer_row';

export interface OneRowStatement {
  readonly source: string;
  readonly statement: Statement;
  /** An error about the rewritten text, placed in the text as written. */
  placeError(error: unknown): unknown;
}

/** The statement with a one-row FROM added where a SELECT that calls a model has none; null when none lacks one. */
export function withOneRowFrom(source: string, statement: Statement, registry: ModelRegistryView): OneRowStatement | null {
  const sites = findModelCalls(statement, registry, source, new Set());
  // Calls whose arguments read columns (an outer query's, in a subquery) have no row to run on here.
  const cores = new Set(sites.map((site) => site.core));
  for (const site of sites) if (columnRefs(site.call).length > 0) cores.delete(site.core);
  const at = [...cores].filter((core) => core.from.length === 0 && core.items.length > 0).map((core) => core.items.at(-1)!.span.end);
  if (at.length === 0) return null;
  at.sort((a, b) => a - b);
  let rewritten = source;
  for (const offset of [...at].reverse()) rewritten = rewritten.slice(0, offset) + ONE_ROW + rewritten.slice(offset);
  const toSource = (offset: number): number => {
    let shift = 0;
    for (const [i, insert] of at.entries()) {
      const start = insert + i * ONE_ROW.length;
      if (offset < start) break;
      if (offset < start + ONE_ROW.length) return insert;
      shift = (i + 1) * ONE_ROW.length;
    }
    return offset - shift;
  };
  return {
    source: rewritten,
    statement: parseStatement(rewritten),
    placeError(error) {
      if (!(error instanceof SqlError) || error.source !== rewritten || error.span === undefined) return error;
      const span: Span = { start: toSource(error.span.start), end: Math.max(toSource(error.span.start), toSource(error.span.end)) };
      return new SqlError({ phase: error.phase, code: error.code, detail: error.detail, span, source, cause: error.cause });
    },
  };
}
