// DuckDB's failures as SqlErrors: DuckDB's message is kept, and the position it reports in its
// `LINE n: <context>` / caret block is mapped back onto the statement's text when it can be found there.
import { SqlError } from '../sql/sql-error.js';
import type { Span } from '../sql/span.js';

const lineBlock = /\n*LINE (\d+): ([^\n]*)\n( *)\^[^\n]*/;

/**
 * Wraps an error thrown by DuckDB. `source` is the exact text DuckDB was given, when that is the user's
 * text; leave it out for SQL that sqlinfer generated.
 */
export function duckdbError(error: unknown, source?: string): SqlError {
  if (error instanceof SqlError) return error;
  // DuckDB prefixes parser errors of streamed queries with where they happened, which says nothing to users.
  const message = (error instanceof Error ? error.message : String(error)).replace(/^Failed to extract statements: /, '');
  const code = errorCode(message);
  const block = lineBlock.exec(message);
  if (block === null) return new SqlError({ phase: 'execute', code, detail: message, cause: error });
  const withoutBlock = (message.slice(0, block.index) + message.slice(block.index + block[0].length)).trim();
  // Without the user's text, the block quotes SQL sqlinfer generated: it would only confuse.
  if (source === undefined) return new SqlError({ phase: 'execute', code, detail: withoutBlock, cause: error });
  const at = locate(source, block);
  if (at === undefined) return new SqlError({ phase: 'execute', code, detail: message, cause: error });
  return new SqlError({ phase: 'execute', code, detail: withoutBlock, span: at, source, cause: error });
}

/** `Catalog Error: ...` -> `duckdb-catalog`; an interrupted query -> `interrupted`. */
function errorCode(message: string): string {
  const kind = /^([A-Za-z ]+?) Error:/.exec(message)?.[1];
  if (kind === undefined) return 'duckdb-error';
  if (kind.toLowerCase() === 'interrupt') return 'interrupted';
  return `duckdb-${kind.toLowerCase().replace(/\s+/g, '-')}`;
}

function locate(source: string, block: RegExpExecArray): Span | undefined {
  const lineNumber = Number(block[1]);
  let context = block[2]!;
  const prefix = `LINE ${block[1]}: `.length;
  let caret = block[3]!.length - prefix;
  // DuckDB shortens long lines around the error with "..." on either side.
  if (context.startsWith('...')) {
    context = context.slice(3);
    caret -= 3;
  }
  if (context.endsWith('...')) context = context.slice(0, -3);
  const bounds = lineBounds(source)[lineNumber - 1];
  if (bounds === undefined || caret < 0) return undefined;
  const line = source.slice(bounds.start, bounds.end);
  const within = line.indexOf(context.trimEnd());
  if (within < 0 || within + caret > line.length) return undefined;
  const start = bounds.start + within + caret;
  let end = start + 1;
  while (end < bounds.end && /\w/.test(source[end]!) && /\w/.test(source[start]!)) end++;
  return { start, end };
}

function lineBounds(source: string): Span[] {
  const bounds: Span[] = [];
  let start = 0;
  for (const m of source.matchAll(/\r\n|\r|\n/g)) {
    bounds.push({ start, end: m.index });
    start = m.index + m[0].length;
  }
  bounds.push({ start, end: source.length });
  return bounds;
}
