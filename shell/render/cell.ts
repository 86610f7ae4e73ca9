// Cells of the boxed table and the markdown table: one line of text per value, at most a given display
// width, with no control character left for the terminal to act on.
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import stringWidth from 'string-width';
import type { SqlValue } from '../../engine/index.js';
import { valueText } from './value-text.js';

const numericTypes = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.BIGNUM,
]);

/** Numbers are right-aligned, everything else left-aligned. */
export function isNumericType(type: DuckDBType): boolean {
  return numericTypes.has(type.typeId);
}

/**
 * A cell's text on one line: control characters escaped, lists longer than `listWidth` shortened to
 * their first items and a count, and everything cut to `maxWidth` columns with `…`.
 */
export function cellText(value: SqlValue, type: DuckDBType, listWidth: number, maxWidth = listWidth): string {
  return truncate(visible(valueText(value, type, { compactWidth: listWidth })), maxWidth);
}

// C0 controls, DEL and C1 controls: a terminal acts on them (ESC and CSI start sequences that clear the
// screen, move the cursor or set the window title; \r and \b overwrite what was printed).
const controls = /[\u0000-\u001f\u007f-\u009f]/g;
const named: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Text with every control character written as a visible escape: `\n`, `\r`, `\t`, else `\x1b`. */
export function visible(text: string): string {
  return text.replace(controls, (c) => named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Columns the text takes on a terminal: 2 for CJK and emoji, 0 for combining marks. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

const graphemes = new Intl.Segmenter();

/** The text cut to at most `width` columns, ending with `…` when cut; never splits a character. */
export function truncate(text: string, width: number): string {
  // No character is wider than 2 columns, so short text needs no measuring.
  if (text.length * 2 <= width || displayWidth(text) <= width) return text;
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = displayWidth(segment);
    if (used + w > width - 1) break;
    kept += segment;
    used += w;
  }
  return `${kept}…`;
}

/** Pads to `width` columns by display width. */
export function pad(text: string, width: number, align: 'left' | 'right' | 'center'): string {
  const room = Math.max(0, width - displayWidth(text));
  if (align === 'right') return ' '.repeat(room) + text;
  if (align === 'left') return text + ' '.repeat(room);
  const before = Math.floor(room / 2);
  return ' '.repeat(before) + text + ' '.repeat(room - before);
}
