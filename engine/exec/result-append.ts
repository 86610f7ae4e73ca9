// Model results -> a DuckDB table, in input order. Each result column is written into the list
// vectors of a data chunk with bulk copies (offsets, lengths, floats, validity), then appended.
import { DuckDBDataChunk, DuckDBVector, FLOAT, LIST, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import type { ResultColumn } from '../../udfs/model-function.js';

/** Creates (or replaces) the table a level's results go to: one FLOAT[] column per call. */
export async function createResultTable(connection: DuckDBConnection, table: string, columns: readonly string[]): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE ${table} (${columns.map((c) => `${c} FLOAT[]`).join(', ')})`);
}

export class ResultAppender {
  private readonly chunkRows = DuckDBVector.standardSize();
  private rows = 0;

  private constructor(
    private readonly appender: DuckDBAppender,
    private readonly columnCount: number,
  ) {}

  /** `table` is `name` or `catalog.name` (in the catalog's main schema). */
  static async open(connection: DuckDBConnection, table: string, columnCount: number): Promise<ResultAppender> {
    const dot = table.indexOf('.');
    const appender =
      dot < 0 ? await connection.createAppender(table) : await connection.createAppender(table.slice(dot + 1), 'main', table.slice(0, dot));
    return new ResultAppender(appender, columnCount);
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Appends one batch's rows: `columns[i]` is call i's result for the same rows. */
  append(columns: readonly ResultColumn[], rowCount: number): void {
    if (columns.length !== this.columnCount) throw new Error(`expected ${this.columnCount} result columns, got ${columns.length}`);
    for (let from = 0; from < rowCount; from += this.chunkRows) {
      const to = Math.min(rowCount, from + this.chunkRows);
      const chunk = DuckDBDataChunk.create(columns.map(() => LIST(FLOAT)), to - from);
      columns.forEach((column, i) => writeListColumn(chunk, i, column, from, to));
      this.appender.appendDataChunk(chunk);
    }
    this.rows += rowCount;
  }

  close(): void {
    this.appender.closeSync();
  }
}

function writeListColumn(chunk: DuckDBDataChunk, index: number, column: ResultColumn, from: number, to: number): void {
  const rows = to - from;
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, index);
  const base = column.offsets[from]!;
  const total = column.offsets[to]! - base;
  duckdb.list_vector_reserve(vector, total);
  duckdb.list_vector_set_size(vector, total);
  if (total > 0) {
    const child = duckdb.list_vector_get_child(vector);
    const values = column.values;
    duckdb.copy_data_to_vector(child, 0, values.buffer as ArrayBuffer, values.byteOffset + base * 4, total * 4);
  }
  const entries = new BigUint64Array(rows * 2);
  let invalid = false;
  for (let r = 0; r < rows; r++) {
    const valid = column.valid[from + r] === 1;
    invalid ||= !valid;
    entries[r * 2] = BigInt(column.offsets[from + r]! - base);
    entries[r * 2 + 1] = valid ? BigInt(column.offsets[from + r + 1]! - column.offsets[from + r]!) : 0n;
  }
  duckdb.copy_data_to_vector(vector, 0, entries.buffer, 0, entries.byteLength);
  if (invalid) {
    const mask = new Uint8Array(Math.ceil(rows / 64) * 8);
    for (let r = 0; r < rows; r++) if (column.valid[from + r] === 1) mask[r >> 3]! |= 1 << (r & 7);
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer, 0, mask.byteLength);
  }
}
