// JSON: one array of row objects per statement, one row per line; JSON Lines: one object per line.
// Values as in value-json.ts. Keys are the column names in column order; a name already used (ignoring
// case) gets `_1`, `_2` ... as DuckDB names the columns of `SELECT * FROM (...)` and `CREATE TABLE AS`,
// so both `id` columns of `a JOIN b` survive.
import type { SqlValue, StreamedStatement } from '../../engine/index.js';
import type { Output } from '../output.js';
import { jsonText, valueJson } from './value-json.js';

export async function renderJson(statement: StreamedStatement, out: Output): Promise<void> {
  const row = rowJson(statement);
  let first = true;
  for await (const chunk of statement.chunks()) {
    let text = '';
    for (const values of chunk) {
      text += (first ? '[' : ',\n') + row(values);
      first = false;
    }
    await out.write(text);
  }
  await out.write(first ? '[]\n' : ']\n');
}

export async function renderJsonLines(statement: StreamedStatement, out: Output): Promise<void> {
  const row = rowJson(statement);
  for await (const chunk of statement.chunks()) {
    await out.write(chunk.map((values) => row(values) + '\n').join(''));
  }
}

/** Writes a row as an object, its keys in column order (a JS object would put `"1"` before `"a"`). */
function rowJson(statement: StreamedStatement): (row: readonly SqlValue[]) => string {
  const { columns } = statement;
  const keys = uniqueNames(columns.map((c) => c.name)).map((name) => `${JSON.stringify(name)}:`);
  return (row) => `{${columns.map((c, i) => keys[i] + jsonText(valueJson(row[i] ?? null, c.duckdbType))).join(',')}}`;
}

/** DuckDB's de-duplication of column names: `id, id, ID` -> `id, id_1, ID_2`. */
export function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let n = 1; taken.has(asciiLower(unique)); n++) unique = `${name}_${n}`;
    taken.add(asciiLower(unique));
    return unique;
  });
}

/** DuckDB compares names ignoring ASCII case only: `É` and `é` are two names. */
function asciiLower(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
