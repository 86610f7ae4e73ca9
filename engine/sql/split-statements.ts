// Splits a script into statements on top-level semicolons. Built on the lexer, so semicolons inside
// strings, quoted identifiers, dollar quotes and comments never split. Never throws: text after an
// unterminated string or comment is the (incomplete) last statement.
import { lex, type LexedStatement } from './lexer.js';
import { sqlErrorAt, type SqlError } from './sql-error.js';
import type { Span } from './span.js';

export interface SplitStatement {
  /** The statement without its `;` and without surrounding whitespace or comments. */
  readonly text: string;
  /** Where `text` sits in the script. */
  readonly span: Span;
  /** Its tokens and first lexical error, with offsets in `text`: a statement is lexed once, with its script. */
  readonly lexed: LexedStatement;
  /**
   * The statement as DuckDB itself splits a script: from the end of the previous `;` through its own `;`
   * (the last statement to the end of the script), comments and whitespace included. Statements without
   * model calls go to DuckDB as this text, so current_query() and DuckDB's logs show what the user wrote.
   */
  readonly written: { readonly text: string; readonly start: number };
}

export function splitStatements(source: string): SplitStatement[] {
  const { tokens, unterminatedAt, errors } = lex(source);
  const out: SplitStatement[] = [];
  let first = -1;
  let last = -1;
  // Where the statement being gathered starts as written: just after the previous `;`.
  let writtenStart = 0;
  // Its tokens are tokens[from, to): sliced once, never gathered one by one (a 3 MB INSERT has a million).
  let from = 0;
  let to = 0;
  const flush = (end: number, writtenEnd: number): void => {
    if (first >= 0) {
      const text = source.slice(first, end);
      const own = tokens.slice(from, to);
      // Offsets become the statement's own; a statement at the start of the script keeps its tokens.
      if (first > 0) {
        for (let k = 0; k < own.length; k++) {
          const t = own[k]!;
          own[k] = { kind: t.kind, text: t.text, start: t.start - first, end: t.end - first };
        }
      }
      own.push({ kind: 'eof', text: '', start: text.length, end: text.length });
      out.push({
        text,
        span: { start: first, end },
        lexed: { tokens: own, error: errorWithin(errors, first, end, text) },
        written: { text: source.slice(writtenStart, writtenEnd), start: writtenStart },
      });
    }
    first = -1;
  };
  let lastSemicolon = tokens.length - 1;
  while (lastSemicolon >= 0 && tokens[lastSemicolon]!.kind !== ';') lastSemicolon--;
  const trailing = tokens.length - lastSemicolon === 2;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'eof') break;
    if (t.kind === ';') {
      // The last statement runs to the end of the script, comments after its `;` included.
      flush(last, i === lastSemicolon && trailing && unterminatedAt === null ? source.length : t.end);
      writtenStart = t.end;
      continue;
    }
    if (first < 0) {
      first = t.start;
      from = i;
    }
    last = t.end;
    to = i + 1;
  }
  if (unterminatedAt !== null) {
    // The lexer stopped at the unterminated token; the statement runs to the end of the text.
    if (first < 0) first = unterminatedAt;
    flush(source.length, source.length);
  } else {
    flush(last, source.length);
  }
  return out;
}

/** The first of the script's lexical errors that lies in the statement from `start` to `end`, as the statement's. */
function errorWithin(errors: readonly SqlError[], start: number, end: number, text: string): SqlError | null {
  const error = errors.find((e) => e.span !== undefined && e.span.start >= start && e.span.start <= end);
  if (error?.span === undefined) return null;
  const span = { start: error.span.start - start, end: Math.min(error.span.end, end) - start };
  return sqlErrorAt(error.phase, error.code, error.detail, text, span);
}

/**
 * True when `buffer` ends with a top-level `;` (comments and whitespace may follow) and is not inside
 * an open string, quoted identifier or comment: the REPL's test for "run it" versus "continue".
 */
export function isCompleteInput(buffer: string): boolean {
  const { tokens, unterminatedAt } = lex(buffer);
  if (unterminatedAt !== null) return false;
  const last = tokens.length >= 2 ? tokens[tokens.length - 2]! : undefined;
  return last !== undefined && last.kind === ';';
}
