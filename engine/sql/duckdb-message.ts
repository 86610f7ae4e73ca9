// DuckDB's error messages, read in one place: their class (`Binder Error: ...`), the `LINE n: <context>`
// block with a caret under the place DuckDB means, and that place found again in the SQL it was given.
import type { SqlErrorCode } from './sql-error.js';
import type { Span } from './span.js';

const lineBlock = /\n*LINE (\d+): ([^\n]*)\n( *)\^[^\n]*/;

export interface DuckDBMessage {
  /** `duckdb-binder` for a `Binder Error: ...`, `interrupted` for an interrupt, else `duckdb-error`. */
  readonly code: SqlErrorCode;
  /** The whole message, LINE block included. */
  readonly text: string;
  /** The message without its LINE block (which quotes SQL the user may never have seen). */
  readonly detail: string;
  /** The first part of `detail`: without the list of candidate functions DuckDB adds to some. */
  readonly headline: string;
  /** The offset in `sql` (the exact text DuckDB was given) that the caret points at, when it has one. */
  offsetIn(sql: string): number | undefined;
}

export function readDuckDBMessage(error: unknown): DuckDBMessage {
  // DuckDB prefixes parser errors of streamed queries with where they happened, which says nothing to users.
  const message = (error instanceof Error ? error.message : String(error)).replace(/^Failed to extract statements: /, '');
  const block = lineBlock.exec(message);
  const detail = block === null ? message : (message.slice(0, block.index) + message.slice(block.index + block[0].length)).trim();
  return {
    code: errorCode(message),
    text: message,
    detail,
    headline: detail.split(/\n\s*Candidate functions:/)[0]!.trim(),
    offsetIn: (sql) => (block === null ? undefined : locate(sql, block)),
  };
}

/** The span of the word (or single character) starting at `offset`, for a caret under the whole token. */
export function tokenSpanAt(source: string, offset: number): Span {
  let end = offset + 1;
  while (end < source.length && /\w/.test(source[end]!) && /\w/.test(source[offset]!)) end++;
  return { start: offset, end };
}

function errorCode(message: string): SqlErrorCode {
  const kind = /^([A-Za-z ]+?) Error:/.exec(message)?.[1];
  if (kind === undefined) return 'duckdb-error';
  if (kind.toLowerCase() === 'interrupt') return 'interrupted';
  return `duckdb-${kind.toLowerCase().replace(/\s+/g, '-')}`;
}

function locate(source: string, block: RegExpExecArray): number | undefined {
  const lineNumber = Number(block[1]);
  let context = block[2]!;
  let caret = block[3]!.length - `LINE ${block[1]}: `.length;
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
  return bounds.start + within + caret;
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
