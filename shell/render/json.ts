// JSON: one array of row objects per statement, one row per line; JSON Lines: one object per line.
// Values as in value-json.ts.
import type { SqlValue, StreamedStatement } from '../../engine/index.js';
import type { Output } from '../output.js';
import { valueJson, type JsonValue } from './value-json.js';

export async function renderJson(statement: StreamedStatement, out: Output): Promise<void> {
  let first = true;
  for await (const chunk of statement.chunks()) {
    let text = '';
    for (const row of chunk) {
      text += (first ? '[' : ',\n') + rowJson(statement, row);
      first = false;
    }
    await out.write(text);
  }
  await out.write(first ? '[]\n' : ']\n');
}

export async function renderJsonLines(statement: StreamedStatement, out: Output): Promise<void> {
  for await (const chunk of statement.chunks()) {
    await out.write(chunk.map((row) => rowJson(statement, row) + '\n').join(''));
  }
}

function rowJson(statement: StreamedStatement, row: readonly SqlValue[]): string {
  const object: { [key: string]: JsonValue } = {};
  statement.columns.forEach((column, i) => {
    object[column.name] = valueJson(row[i] ?? null, column.duckdbType);
  });
  return JSON.stringify(object);
}
