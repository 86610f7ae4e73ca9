// CSV (RFC 4180 quoting, `\n` line ends): a header row, NULL as an empty field, the empty string as
// `""`, nested values as DuckDB text, BLOBs as base64.
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import type { SqlValue, StreamedStatement } from '../../engine/index.js';
import type { Output } from '../output.js';
import { valueJson } from './value-json.js';
import { valueText } from './value-text.js';

export async function renderCsv(statement: StreamedStatement, out: Output): Promise<void> {
  await out.write(statement.columns.map((c) => field(c.name)).join(',') + '\n');
  const types = statement.columns.map((c) => c.duckdbType);
  for await (const chunk of statement.chunks()) {
    let text = '';
    for (const row of chunk) text += row.map((v, i) => cell(v, types[i]!)).join(',') + '\n';
    await out.write(text);
  }
}

function cell(value: SqlValue, type: DuckDBType): string {
  if (value === null) return '';
  if (value === '') return '""';
  if (type.typeId === DuckDBTypeId.BLOB) return field(String(valueJson(value, type)));
  return field(valueText(value, type));
}

function field(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
