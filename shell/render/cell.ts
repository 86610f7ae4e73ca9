// Cells of the boxed table and the markdown table: one line of text per value, at most a given width.
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
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
 * their first items and a count, and everything cut to `maxWidth` with `…`.
 */
export function cellText(value: SqlValue, type: DuckDBType, listWidth: number, maxWidth = listWidth): string {
  const text = valueText(value, type, { compactWidth: listWidth }).replace(/[\n\r\t]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t',
  );
  return truncate(text, maxWidth);
}

export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
