// Whether the statement of `--arrow-stream` can run once over several Arrow batches: when it is row-wise
// over `batch` (engine/plan/row-wise.ts), it is rewritten to read the batches with each row's position,
// which it gives as its last result column, so the results can be split back by batch.
import { rowWiseStatement } from '../plan/row-wise.js';
import { parseStatement } from '../sql/parser.js';
import { SqlError } from '../sql/sql-error.js';
import { splitStatements } from '../sql/split-statements.js';
import type { ArrowBatchTable } from './arrow-batch.js';
import { duckdbCatalog } from './duckdb-plan-catalog.js';

export interface ArrowRowWise {
  readonly sql: string;
  /** An error of the rewritten statement, pointing into the statement as written. */
  place(error: unknown): unknown;
}

/** `sql` rewritten to read `table.withPositions`; null when it is not row-wise, and must run batch by batch. */
export async function arrowRowWise(table: ArrowBatchTable, sql: string): Promise<ArrowRowWise | null> {
  const [statement] = splitStatements(sql);
  if (statement === undefined) return null;
  let parsed;
  try {
    parsed = parseStatement(statement.text, statement.lexed);
  } catch {
    // Syntax sqlinfer's parser does not know: DuckDB runs it as it is, batch by batch.
    return null;
  }
  const aggregates = await duckdbCatalog(table.connection).aggregateFunctions();
  const rewritten = rowWiseStatement(statement.text, parsed, table, aggregates);
  if (rewritten === null) return null;
  const place = (error: unknown): unknown => {
    if (!(error instanceof SqlError) || error.span === undefined || error.source !== rewritten.text) return error;
    const start = rewritten.toSource(error.span.start);
    const span = { start, end: Math.max(start, rewritten.toSource(error.span.end)) };
    return new SqlError({ phase: error.phase, code: error.code, detail: error.detail, span, source: statement.text, cause: error.cause }).rebase(sql, statement.span.start);
  };
  return { sql: rewritten.text, place };
}
