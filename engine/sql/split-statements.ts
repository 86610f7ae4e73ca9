// Splits a script into statements on top-level semicolons. Built on the lexer, so semicolons inside
// strings, quoted identifiers, dollar quotes and comments never split. Never throws: text after an
// unterminated string or comment is the (incomplete) last statement.
import { lex } from './lexer.js';
import type { Span } from './span.js';

export interface SplitStatement {
  /** The statement without its `;` and without surrounding whitespace or comments. */
  readonly text: string;
  /** Where `text` sits in the script. */
  readonly span: Span;
}

export function splitStatements(source: string): SplitStatement[] {
  const { tokens, unterminatedAt } = lex(source);
  const out: SplitStatement[] = [];
  let first = -1;
  let last = -1;
  const flush = (end: number): void => {
    if (first >= 0) out.push({ text: source.slice(first, end), span: { start: first, end } });
    first = -1;
  };
  for (const t of tokens) {
    if (t.kind === 'eof') break;
    if (t.kind === ';') {
      flush(last);
      continue;
    }
    if (first < 0) first = t.start;
    last = t.end;
  }
  if (unterminatedAt !== null) {
    // The lexer stopped at the unterminated token; the statement runs to the end of the text.
    if (first < 0) first = unterminatedAt;
    flush(source.length);
  } else {
    flush(last);
  }
  return out;
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
