// Small helpers for writing SQL text that DuckDB reads back: quoting, and the whitespace-normalised form
// of an expression's source used to recognise identical model calls.
import { reservedWords } from '../sql/keywords.js';

/** `name` as a DuckDB identifier, quoted only when it has to be. */
export function quoteIdentifier(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !reservedWords.has(name.toUpperCase())
    ? name
    : `"${name.replace(/"/g, '""')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Source text with runs of whitespace outside quotes collapsed to one space, so `f( x )` and `f(x)`
 * count as the same call while `'a  b'` and `'a b'` do not.
 */
export function normalizeSql(text: string): string {
  let out = '';
  let quote: string | null = null;
  let pendingSpace = false;
  for (const c of text) {
    if (quote !== null) {
      out += c;
      if (c === quote) quote = null;
      continue;
    }
    if (/\s/.test(c)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) {
      const last = out[out.length - 1]!;
      if (/[A-Za-z0-9_'"]/.test(last) && /[A-Za-z0-9_'"]/.test(c)) out += ' ';
      pendingSpace = false;
    }
    if (c === "'" || c === '"') quote = c;
    out += c;
  }
  return out;
}
