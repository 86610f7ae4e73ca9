// Model results -> DuckDB vectors. Each result column is written into a vector with bulk copies (offsets,
// lengths, values, validity): lists of any element type, one value per row (scalar results), and STRUCTs
// of those (a model's several outputs).
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBStructType,
  FLOAT,
  INTEGER,
  LIST,
  UTINYINT,
  type DuckDBConnection,
  type DuckDBType,
} from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import type { ElementType, ModelResult, ResultColumn, TensorResultColumn } from '../../udfs/index.js';

/**
 * Creates (or replaces) the table a level's results go to: the row key, then one column per call, of its
 * result type.
 */
export async function createResultTable(
  connection: DuckDBConnection,
  table: string,
  key: string,
  columns: readonly { readonly name: string; readonly type: string }[],
): Promise<void> {
  // The `temp` catalog (inside the user's transaction) takes temporary tables only.
  await connection.run(`CREATE OR REPLACE ${table.startsWith('temp.') ? 'TEMP ' : ''}TABLE ${table} (${[`${key} BIGINT NOT NULL`, ...columns.map((c) => `${c.name} ${c.type}`)].join(', ')})`);
}

/** The rows a result holds, or -1 when its parts disagree. */
export function resultRowCount(result: ModelResult): number {
  const rows = result.valid.length;
  const parts = result.kind === 'struct' ? result.fields.map((f) => f.column) : [result];
  return parts.every((p) => p.valid.length === rows && p.offsets.length === rows + 1) ? rows : -1;
}

/** The bytes of a result's values and offsets. */
export function resultBytes(result: ModelResult): number {
  if (result.kind === 'struct') return result.fields.reduce((sum, field) => sum + resultBytes(field.column), 0);
  return result.values.byteLength + result.offsets.byteLength;
}

const ELEMENT_TYPES: Readonly<Record<ElementType, DuckDBType>> = {
  float32: FLOAT,
  float64: DOUBLE,
  int64: BIGINT,
  int32: INTEGER,
  uint8: UTINYINT,
  bool: BOOLEAN,
};

/** The DuckDB type a result's values take. */
export function duckdbTypeOf(result: ModelResult): DuckDBType {
  switch (result.kind) {
    case 'float-list':
      return LIST(FLOAT);
    case 'tensor':
      return result.scalar ? ELEMENT_TYPES[result.element] : LIST(ELEMENT_TYPES[result.element]);
    case 'struct':
      // By arrays, not a record: field names like '12' would be reordered as object keys.
      return new DuckDBStructType(result.fields.map((f) => f.name), result.fields.map((f) => duckdbTypeOf(f.column)));
  }
}

/** Rows [from, to) of `result` into `vector`, from its first row. */
export function writeResult(vector: duckdb.Vector, result: ModelResult, from: number, to: number): void {
  switch (result.kind) {
    case 'float-list':
      return writeList(vector, result, 4, from, to);
    case 'tensor':
      return result.scalar ? writeScalars(vector, result, from, to) : writeList(vector, result, result.values.BYTES_PER_ELEMENT, from, to);
    case 'struct':
      result.fields.forEach((field, i) => writeResult(duckdb.struct_vector_get_child(vector, i), field.column, from, to));
      return writeValidity(vector, result.valid, from, to);
  }
}

function writeList(vector: duckdb.Vector, column: ResultColumn | TensorResultColumn, bytes: number, from: number, to: number): void {
  const rows = to - from;
  const base = column.offsets[from]!;
  const total = column.offsets[to]! - base;
  duckdb.list_vector_reserve(vector, total);
  duckdb.list_vector_set_size(vector, total);
  if (total > 0) {
    const child = duckdb.list_vector_get_child(vector);
    const values = column.values;
    duckdb.copy_data_to_vector(child, 0, values.buffer as ArrayBuffer, values.byteOffset + base * bytes, total * bytes);
  }
  const entries = new BigUint64Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    const valid = column.valid[from + r] === 1;
    entries[r * 2] = BigInt(column.offsets[from + r]! - base);
    entries[r * 2 + 1] = valid ? BigInt(column.offsets[from + r + 1]! - column.offsets[from + r]!) : 0n;
  }
  duckdb.copy_data_to_vector(vector, 0, entries.buffer, 0, entries.byteLength);
  writeValidity(vector, column.valid, from, to);
}

/** One value per row: the non-NULL rows' values are spread to their rows' slots. */
function writeScalars(vector: duckdb.Vector, column: TensorResultColumn, from: number, to: number): void {
  const rows = to - from;
  const bytes = column.values.BYTES_PER_ELEMENT;
  const dense = new Uint8Array(rows * bytes);
  const source = new Uint8Array(column.values.buffer, column.values.byteOffset, column.values.byteLength);
  for (let r = 0; r < rows; r++) {
    if (column.valid[from + r] !== 1) continue;
    const at = column.offsets[from + r]! * bytes;
    dense.set(source.subarray(at, at + bytes), r * bytes);
  }
  duckdb.copy_data_to_vector(vector, 0, dense.buffer, 0, dense.byteLength);
  writeValidity(vector, column.valid, from, to);
}

function writeValidity(vector: duckdb.Vector, valid: Uint8Array, from: number, to: number): void {
  const rows = to - from;
  let invalid = false;
  for (let r = 0; r < rows && !invalid; r++) invalid = valid[from + r] !== 1;
  if (!invalid) return;
  const mask = new Uint8Array(Math.ceil(rows / 64) * 8);
  for (let r = 0; r < rows; r++) if (valid[from + r] === 1) mask[r >> 3]! |= 1 << (r & 7);
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer, 0, mask.byteLength);
}
