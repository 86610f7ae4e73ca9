// The staged rows of a relation as the later stages read them: its numbered rows with the model results
// so far, each result checked against its row's key; and the internal names that cannot clash with a
// column of the user's.

/** Names the staged columns (and relations DuckDB gives no name) so they cannot clash with the user's. */
export const tempPrefix = '__sqlinfer_';
/**
 * The names sqlinfer adds to a relation's rows: its row key and the model results. Their prefix is one
 * that none of the relation's own columns starts with, so they can never be taken for the user's.
 */
export interface InternalNames {
  readonly key: string;
  result(n: number): string;
  alias(name: string): string;
}

export function internalNames(columns: ReadonlySet<string>): InternalNames {
  let prefix = tempPrefix;
  for (let n = 1; [...columns].some((c) => c.startsWith(prefix)); n++) prefix = `${tempPrefix}${n}_`;
  return { key: `${prefix}key`, result: (n) => `${prefix}m${n}`, alias: (name) => `${prefix}${name}` };
}

/** A level's results table and its columns, in the order the levels ran. */
export interface StagedResults {
  readonly table: string;
  readonly columns: readonly string[];
}

/**
 * A column holding an unnamed struct (`ROW(1, 'a')`, also inside a struct), which a DuckDB table cannot
 * hold: staged with the fields named v1, v2 ..., and turned back wherever the staged rows are read.
 */
export interface UnnamedStructColumn {
  /** The column's name, quoted. */
  readonly column: string;
  /** Its type with every unnamed struct named, to stage it as. */
  readonly stagedType: string;
  /** SQL giving the original value from the staged one, `%` standing for the staged column. */
  readonly restore: string;
}

interface StructField {
  readonly name: string | null;
  readonly type: string;
}

/** The fields of a `STRUCT(...)` type as DuckDB prints it; null for any other type. */
function structFields(type: string): StructField[] | null {
  if (!type.startsWith('STRUCT(') || !type.endsWith(')')) return null;
  const parts: string[] = [];
  let depth = 0;
  let from = 7;
  for (let i = 7; i < type.length - 1; i++) {
    const c = type[i];
    if (c === '"') i = type.indexOf('"', i + 1);
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(type.slice(from, i).trim());
      from = i + 1;
    }
    if (i < 0) return null;
  }
  parts.push(type.slice(from, -1).trim());
  return parts.map((part) => {
    // A named field reads `name TYPE`; an unnamed one is the type alone (which may hold spaces itself).
    const named = /^("(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_]*)\s+(.+)$/s.exec(part);
    if (named === null || /^(TIMESTAMP|TIME|DOUBLE)$/i.test(named[1]!)) return { name: null, type: part };
    return { name: named[1]!, type: named[2]! };
  });
}

/** Whether a value of this type holds an unnamed struct that staging must name (not inside a list). */
function holdsUnnamedStruct(type: string): boolean {
  const fields = structFields(type);
  return fields !== null && fields.some((f) => f.name === null || holdsUnnamedStruct(f.type));
}

function stagedTypeOf(type: string): string {
  const fields = structFields(type);
  if (fields === null || !holdsUnnamedStruct(type)) return type;
  return `STRUCT(${fields.map((f, i) => `${f.name ?? `v${i + 1}`} ${stagedTypeOf(f.type)}`).join(', ')})`;
}

function restoreOf(value: string, type: string): string {
  const fields = structFields(type);
  if (fields === null || !holdsUnnamedStruct(type)) return value;
  const values = fields.map((f, i) => restoreOf(`${value}.${f.name ?? `v${i + 1}`}`, f.type));
  if (fields.every((f) => f.name === null)) return `row(${values.join(', ')})`;
  return `struct_pack(${fields.map((f, i) => `${f.name ?? `v${i + 1}`} := ${values[i]}`).join(', ')})`;
}

/** The column as staging must treat it, or null when it holds no unnamed struct (or one only inside a list). */
export function unnamedStructColumn(name: string, type: string): UnnamedStructColumn | null {
  if (!holdsUnnamedStruct(type) || /STRUCT\([^)]*\]/.test(type)) return null;
  return { column: name, stagedType: stagedTypeOf(type), restore: restoreOf('%', type) };
}

/** `* REPLACE (...)` items that stage the unnamed structs as named ones. */
export function namedStructs(columns: readonly UnnamedStructColumn[]): string {
  if (columns.length === 0) return '';
  return ` REPLACE (${columns.map((c) => `CAST(${c.column} AS ${c.stagedType}) AS ${c.column}`).join(', ')})`;
}

/**
 * The staged rows of a relation with the results of the levels so far. Results are written in the order
 * the model stage read the rows, so they line up with them; each value is still checked against its
 * row's key, so a result can never be shown on another row.
 *
 * DuckDB's POSITIONAL JOIN streams its left side and holds its right side whole: with `resultsFirst` (a
 * streamed relation, whose staged columns are narrow and whose one level's results may be wide), the
 * results stream, from their spilled parts when they outgrew memory, and only the staged columns are held.
 */
export function stagedRows(
  stageTable: string,
  results: readonly StagedResults[],
  names: InternalNames,
  unnamed: readonly UnnamedStructColumn[] = [],
  resultsFirst = false,
): string {
  if (results.length === 0 && unnamed.length === 0) return stageTable;
  const rows = names.alias('s');
  const restored = unnamed.map((c) => `${c.restore.replaceAll('%', `${rows}.${c.column}`)} AS ${c.column}`);
  const star = restored.length === 0 ? `${rows}.*` : `${rows}.* REPLACE (${restored.join(', ')})`;
  const columns = results.flatMap((r, i) => {
    const t = names.alias(`t${i + 1}`);
    return r.columns.map(
      (c) => `CASE WHEN ${t}.${names.key} = ${rows}.${names.key} THEN ${t}.${c} ELSE error('sqlinfer: a model result is not on its row') END AS ${c}`,
    );
  });
  const relations = [`${stageTable} AS ${rows}`, ...results.map((r, i) => `${r.table} AS ${names.alias(`t${i + 1}`)}`)];
  if (resultsFirst) relations.push(relations.shift()!);
  return `(SELECT ${[star, ...columns].join(', ')} FROM ${relations.join(' POSITIONAL JOIN ')})`;
}
