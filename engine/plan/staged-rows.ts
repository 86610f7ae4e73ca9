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
 * A column holding an unnamed struct (`ROW(1, 'a')`, also inside a struct, a list or a map), which a DuckDB
 * table cannot hold: staged with the fields named v1, v2 ..., and turned back wherever the staged rows are read.
 */
export interface UnnamedStructColumn {
  /** The column's name, quoted. */
  readonly column: string;
  /** Its type with every unnamed struct named, to stage it as; null: left out of the staged rows. */
  readonly stagedType: string | null;
  /** SQL giving the original value from the staged one, `%` standing for the staged column. */
  readonly restore: string;
}

/** A type as DuckDB prints it, as far as staging must see into it. */
type TypeNode =
  | { readonly kind: 'struct'; readonly fields: readonly { readonly name: string | null; readonly type: TypeNode }[] }
  | { readonly kind: 'map'; readonly key: TypeNode; readonly value: TypeNode }
  | { readonly kind: 'list'; readonly element: TypeNode; readonly size: string | null }
  | { readonly kind: 'other'; readonly text: string };

/** The parts of a type's parenthesized list, split at top-level commas (quotes and brackets respected). */
function topLevelParts(text: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = text.indexOf(c, i + 1);
      if (i < 0) return null;
    } else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(from, i).trim());
      from = i + 1;
    }
  }
  parts.push(text.slice(from).trim());
  return parts;
}

/** The index of the `)` closing the `(` at `open`, or -1. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = text.indexOf(c, i + 1);
      if (i < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

function parseType(text: string): TypeNode {
  const type = text.trim();
  let base: TypeNode = { kind: 'other', text: type };
  let rest = '';
  const head = /^(STRUCT|MAP)\(/.exec(type);
  if (head !== null) {
    const end = closing(type, head[0].length - 1);
    const parts = end < 0 ? null : topLevelParts(type.slice(head[0].length, end));
    if (parts === null) return base;
    rest = type.slice(end + 1);
    if (head[1] === 'MAP') {
      if (parts.length !== 2) return base;
      base = { kind: 'map', key: parseType(parts[0]!), value: parseType(parts[1]!) };
    } else {
      base = {
        kind: 'struct',
        fields: parts.map((part) => {
          // A named field reads `name TYPE`; an unnamed one is the type alone (which may hold spaces itself).
          const named = /^("(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_]*)\s+(.+)$/s.exec(part);
          if (named === null || /^(TIMESTAMP|TIME|DOUBLE)$/i.test(named[1]!)) return { name: null, type: parseType(part) };
          return { name: named[1]!, type: parseType(named[2]!) };
        }),
      };
    }
  } else {
    const bracket = /\[\d*\](\[\d*\])*$/.exec(type);
    if (bracket === null) return base;
    base = { kind: 'other', text: type.slice(0, bracket.index) };
    rest = bracket[0];
  }
  // Suffixes `[]` (a list) and `[n]` (an array), innermost first.
  for (const suffix of rest.match(/\[\d*\]/g) ?? []) base = { kind: 'list', element: base, size: suffix === '[]' ? null : suffix.slice(1, -1) };
  return rest.replace(/\[\d*\]/g, '') === '' ? base : { kind: 'other', text: type };
}

/** Whether a value of this type holds an unnamed struct that staging must name. */
function holdsUnnamedStruct(type: TypeNode): boolean {
  switch (type.kind) {
    case 'struct':
      return type.fields.some((f) => f.name === null || holdsUnnamedStruct(f.type));
    case 'map':
      return holdsUnnamedStruct(type.key) || holdsUnnamedStruct(type.value);
    case 'list':
      return holdsUnnamedStruct(type.element);
    case 'other':
      return false;
  }
}

/** Whether the value can be turned back: a fixed-size array of unnamed structs has no type DuckDB can spell. */
function restorable(type: TypeNode): boolean {
  switch (type.kind) {
    case 'struct':
      return type.fields.every((f) => restorable(f.type));
    case 'map':
      return restorable(type.key) && restorable(type.value);
    case 'list':
      return (type.size === null || !holdsUnnamedStruct(type.element)) && restorable(type.element);
    case 'other':
      return true;
  }
}

/** The type with every unnamed struct's fields named v1, v2 ... */
function stagedTypeOf(type: TypeNode): string {
  switch (type.kind) {
    case 'struct':
      return `STRUCT(${type.fields.map((f, i) => `${f.name ?? `v${i + 1}`} ${stagedTypeOf(f.type)}`).join(', ')})`;
    case 'map':
      return `MAP(${stagedTypeOf(type.key)}, ${stagedTypeOf(type.value)})`;
    case 'list':
      return `${stagedTypeOf(type.element)}[${type.size ?? ''}]`;
    case 'other':
      return type.text;
  }
}

/** SQL turning the staged value back into the original; `depth` numbers the lambda variables. */
function restoreOf(value: string, type: TypeNode, depth: number): string {
  if (!holdsUnnamedStruct(type)) return value;
  const e = `${tempPrefix}e${depth}`;
  switch (type.kind) {
    case 'struct': {
      const values = type.fields.map((f, i) => restoreOf(`${value}.${f.name ?? `v${i + 1}`}`, f.type, depth));
      const built = type.fields.every((f) => f.name === null)
        ? `row(${values.join(', ')})`
        : `struct_pack(${type.fields.map((f, i) => `${f.name ?? `v${i + 1}`} := ${values[i]}`).join(', ')})`;
      // A NULL struct stays NULL (row() of its NULL fields would be a struct of NULLs).
      return `CASE WHEN ${value} IS NULL THEN NULL ELSE ${built} END`;
    }
    case 'map':
      return `map_from_entries(list_transform(map_entries(${value}), ${e} -> struct_pack(key := ${restoreOf(`${e}.key`, type.key, depth + 1)}, value := ${restoreOf(`${e}.value`, type.value, depth + 1)})))`;
    case 'list':
      return `list_transform(${value}, ${e} -> ${restoreOf(e, type.element, depth + 1)})`;
    case 'other':
      return value;
  }
}

/** The column as staging must treat it, or null when it holds no unnamed struct (or one that cannot be turned back). */
export function unnamedStructColumn(name: string, typeName: string): UnnamedStructColumn | null {
  const type = parseType(typeName);
  if (!holdsUnnamedStruct(type) || !restorable(type)) return null;
  return { column: name, stagedType: stagedTypeOf(type), restore: restoreOf('%', type, 1) };
}

/** `* EXCLUDE (...) REPLACE (...)` items that stage the unnamed structs as named ones, or leave them out. */
export function namedStructs(columns: readonly UnnamedStructColumn[]): string {
  const left = columns.filter((c) => c.stagedType === null).map((c) => c.column);
  const named = columns.flatMap((c) => (c.stagedType === null ? [] : [`CAST(${c.column} AS ${c.stagedType}) AS ${c.column}`]));
  return `${left.length === 0 ? '' : ` EXCLUDE (${left.join(', ')})`}${named.length === 0 ? '' : ` REPLACE (${named.join(', ')})`}`;
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
  const restored = unnamed.flatMap((c) => (c.stagedType === null ? [] : [`${c.restore.replaceAll('%', `${rows}.${c.column}`)} AS ${c.column}`]));
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
