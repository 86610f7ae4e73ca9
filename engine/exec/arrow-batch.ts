// Arrow record batches as the relation `batch` of `sqlinfer --arrow-stream`: a view over a table function
// that hands DuckDB the current batches' rows, chunk by chunk, straight from Arrow's buffers. Nothing is
// stored in a DuckDB table (appending a 150528-float list per ResNet-50 row to a table, and scanning it
// back, cost about 20 ms a row here). Column buffers are copied into the scan's vectors in bulk: a tensor
// column is never turned into JS numbers, only its offsets are rewritten; strings and binaries are copied
// row by row as bytes. Only the columns the statement reads are copied (projection pushdown).
import {
  BIGINT,
  BLOB,
  BOOLEAN,
  DATE,
  DECIMAL,
  DOUBLE,
  DuckDBTableFunction,
  FLOAT,
  INTEGER,
  LIST,
  SMALLINT,
  TIMESTAMP,
  TIMESTAMP_MS,
  TIMESTAMP_NS,
  TIMESTAMP_S,
  TIMESTAMPTZ,
  TINYINT,
  UBIGINT,
  UINTEGER,
  USMALLINT,
  UTINYINT,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBType,
} from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { DataType, DateUnit, TimeUnit, Type, type Data, type Field, type RecordBatch, type Schema } from 'apache-arrow';
import { SqlError } from '../sql/sql-error.js';
import { duckdbError } from './duckdb-error.js';

/** How one Arrow column is written into a DuckDB vector. */
interface ColumnWriter {
  readonly name: string;
  readonly duckdbType: DuckDBType;
  /** Writes rows [start, start + rows) of `data` into `vector`. */
  write(vector: duckdb.Vector, data: Data, start: number, rows: number): void;
}

/** Where one scan of the current batches is. */
interface ScanState {
  readonly batches: readonly RecordBatch[];
  /** Each batch's first row among all of them. */
  readonly starts: readonly number[];
  readonly columns: readonly number[];
  batch: number;
  next: number;
}

/** The Arrow batch tables of an engine, by lower-case name: the planner reads their tensors late. */
export class ArrowTables {
  private readonly tables = new Map<string, ArrowBatchTable>();

  get(name: string): ArrowBatchTable | undefined {
    return this.tables.get(name.toLowerCase());
  }

  /** Each table once. */
  list(): ArrowBatchTable[] {
    return [...new Set(this.tables.values())];
  }

  /** @internal ArrowBatchTable registers itself on create and leaves on close. */
  set(name: string, table: ArrowBatchTable | null): void {
    if (table === null) this.tables.delete(name.toLowerCase());
    else this.tables.set(name.toLowerCase(), table);
  }
}

/**
 * The relation `name`, of an Arrow schema's columns, whose rows are those of the batches last set, one
 * batch after the other. The scan under the view has one more column, `rowColumn`: each row's position
 * among those rows, which the model stage uses to read a tensor straight from the batch (late), and which
 * the view `withPositions` shows, so that a row-wise statement's results can be split back by batch.
 */
export class ArrowBatchTable {
  /** No rows until the first batches: the statement can run (for its result's schema) before any. */
  private current: readonly RecordBatch[] = [];
  private starts: readonly number[] = [0];
  /** Where the current batches are in the whole stream: the first one's number and first row, from 0. */
  private first = { batch: 0, row: 0 };

  private constructor(
    readonly connection: DuckDBConnection,
    private readonly tables: ArrowTables,
    readonly name: string,
    readonly schema: Schema,
    /** The table function under the view. */
    readonly functionName: string,
    readonly rowColumn: string,
  ) {}

  /** The view of the same rows with `rowColumn`. */
  get withPositions(): string {
    return `__sqlinfer_arrow_rows_${this.name}`;
  }

  /**
   * Registers the scan and creates (or replaces) the view `name` over it; a column type it cannot hold
   * is an error naming the column.
   */
  static async create(connection: DuckDBConnection, tables: ArrowTables, name: string, schema: Schema): Promise<ArrowBatchTable> {
    const writers = schema.fields.map((field) => columnWriter(field));
    const taken = new Set(schema.fields.map((f) => f.name.toLowerCase()));
    let rowColumn = '__sqlinfer_arrow_row';
    for (let n = 1; taken.has(rowColumn); n++) rowColumn = `__sqlinfer_arrow_row${n}`;
    const table = new ArrowBatchTable(connection, tables, name, schema, `__sqlinfer_arrow_${name}`, rowColumn);
    connection.registerTableFunction(
      DuckDBTableFunction.create({
        name: table.functionName,
        supportsProjectionPushdown: true,
        bindFunction: (info) => {
          for (const w of writers) info.addResultColumn(w.name, w.duckdbType);
          info.addResultColumn(rowColumn, BIGINT);
          info.setCardinality(table.rowCount, true);
        },
        initFunction: (info) => {
          info.setMaxThreads(1);
          info.setInitData({ batches: table.current, starts: table.starts, columns: info.getColumnIndexes(), batch: 0, next: 0 } satisfies ScanState);
        },
        mainFunction: (info, output) => {
          const state = info.getInitData() as ScanState;
          while (state.batch < state.batches.length && state.next === state.batches[state.batch]!.numRows) {
            state.batch++;
            state.next = 0;
          }
          const batch = state.batches[state.batch];
          // A chunk holds rows of one batch: the column writers copy from one batch's buffers.
          const rows = batch === undefined ? 0 : Math.min(duckdb.vector_size(), batch.numRows - state.next);
          output.rowCount = rows;
          if (batch === undefined || rows === 0) return;
          try {
            state.columns.forEach((column, i) => {
              const vector = duckdb.data_chunk_get_vector(output.chunk, i);
              if (column === writers.length) writeRowNumbers(vector, state.starts[state.batch]! + state.next, rows);
              else writers[column]!.write(vector, batch.data.children[column]!, state.next, rows);
            });
          } catch (error) {
            info.setError(`cannot read the Arrow batch: ${(error as Error).message}`);
          }
          state.next += rows;
        },
      }),
    );
    try {
      await connection.run(`CREATE OR REPLACE VIEW ${quoteIdentifier(name)} AS SELECT * EXCLUDE (${quoteIdentifier(rowColumn)}) FROM ${table.functionName}()`);
      await connection.run(`CREATE OR REPLACE VIEW ${table.withPositions} AS SELECT * FROM ${table.functionName}()`);
    } catch (error) {
      throw duckdbError(error);
    }
    tables.set(name, table);
    tables.set(table.withPositions, table);
    return table;
  }

  /**
   * Makes `batches`, one after the other, the relation's rows, for the statements run from now on; `first`
   * says where they are in the whole stream (for naming rows).
   */
  set(batches: readonly RecordBatch[], first = { batch: 0, row: 0 }): void {
    const starts = [0];
    for (const b of batches) starts.push(starts.at(-1)! + b.numRows);
    this.current = batches;
    this.starts = starts;
    this.first = first;
  }

  /** A row, by its position among the current batches' rows, as the stream's reader finds it. */
  rowName(position: number): string {
    const { batch, row } = this.locate(position);
    return `row ${row + 1} of Arrow record batch ${this.first.batch + batch + 1} (row ${this.first.row + position + 1} of the stream)`;
  }

  get rowCount(): number {
    return this.starts.at(-1)!;
  }

  /** The batch (an index into those set) and its row that `row`, a position among all their rows, is. */
  locate(row: number): { readonly batch: number; readonly row: number } {
    let lo = 0;
    let hi = this.current.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return { batch: lo, row: row - this.starts[lo]! };
  }

  /** Column `column` of each batch set, with its first row among all. */
  columnParts(column: number): readonly { readonly data: Data; readonly start: number }[] {
    return this.current.map((b, i) => ({ data: b.data.children[column]!, start: this.starts[i]! }));
  }

  async close(): Promise<void> {
    this.current = [];
    this.starts = [0];
    this.tables.set(this.name, null);
    this.tables.set(this.withPositions, null);
    await this.connection.run(`DROP VIEW IF EXISTS ${quoteIdentifier(this.name)}`);
    await this.connection.run(`DROP VIEW IF EXISTS ${this.withPositions}`);
  }
}

/** Positions `first`, `first + 1` ... of `rows` rows (the hidden row column). */
function writeRowNumbers(vector: duckdb.Vector, first: number, rows: number): void {
  const numbers = new BigInt64Array(rows);
  for (let r = 0; r < rows; r++) numbers[r] = BigInt(first + r);
  copyInto(vector, numbers, 0, numbers.byteLength);
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function unsupported(field: Field, why = ''): SqlError {
  return new SqlError({
    phase: 'execute',
    code: 'arrow-column-type',
    detail: `column '${field.name}' of the Arrow input has type ${String(field.type)}, which batch cannot hold${why}; cast it before it reaches sqlinfer (numbers, booleans, strings, binaries, dates, timestamps, decimals, and lists of numbers are supported)`,
  });
}

/** Fixed-width Arrow numbers and their DuckDB types of the same layout. */
function numberType(type: DataType): DuckDBType | null {
  if (DataType.isInt(type)) {
    const signed = [TINYINT, SMALLINT, INTEGER, BIGINT];
    const unsigned = [UTINYINT, USMALLINT, UINTEGER, UBIGINT];
    return (type.isSigned ? signed : unsigned)[Math.log2(type.bitWidth / 8)] ?? null;
  }
  if (DataType.isFloat(type)) return type.precision === 1 ? FLOAT : type.precision === 2 ? DOUBLE : null;
  return null;
}

function columnWriter(field: Field): ColumnWriter {
  const { name, type } = field;
  const number = numberType(type);
  if (number !== null) return { name, duckdbType: number, write: writeFixed };
  switch (type.typeId) {
    case Type.Bool:
      return { name, duckdbType: BOOLEAN, write: writeBool };
    case Type.Utf8:
    case Type.LargeUtf8:
      return { name, duckdbType: VARCHAR, write: writeBytes };
    case Type.Binary:
    case Type.LargeBinary:
      return { name, duckdbType: BLOB, write: writeBytes };
    case Type.Date:
      return type.unit === DateUnit.DAY ? { name, duckdbType: DATE, write: writeFixed } : { name, duckdbType: DATE, write: writeDateFromMillis };
    case Type.Timestamp: {
      if (type.timezone) {
        const unit = type.unit as TimeUnit;
        return { name, duckdbType: TIMESTAMPTZ, write: unit === TimeUnit.MICROSECOND ? writeFixed : (v, d, s, r) => writeMicros(v, d, s, r, unit) };
      }
      const duckdbType = [TIMESTAMP_S, TIMESTAMP_MS, TIMESTAMP, TIMESTAMP_NS][type.unit as TimeUnit]!;
      return { name, duckdbType, write: writeFixed };
    }
    case Type.Decimal:
      if (type.bitWidth !== 128 || type.precision > 38) throw unsupported(field);
      return { name, duckdbType: DECIMAL(type.precision, type.scale), write: decimalWriter(type.precision) };
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList: {
      const element = numberType((type.children[0] as Field).type);
      if (element === null) throw unsupported(field, ' (only lists of numbers)');
      return { name, duckdbType: LIST(element), write: writeNumberList };
    }
    default:
      throw unsupported(field);
  }
}

/** Marks the NULL rows of `data` in [start, start + rows) as invalid in `vector`. */
function writeValidity(vector: duckdb.Vector, data: Data, start: number, rows: number): void {
  if (data.nullCount === 0) return;
  // vector_get_validity gives a copy: the mask is built here and copied in.
  const mask = new Uint8Array(Math.ceil(rows / 64) * 8).fill(0xff);
  for (let r = 0; r < rows; r++) if (!data.getValid(start + r)) mask[r >> 3]! &= ~(1 << (r & 7));
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer, 0, mask.byteLength);
}

function copyInto(vector: duckdb.Vector, values: ArrayBufferView, byteOffset: number, byteCount: number): void {
  if (byteCount > 0) duckdb.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset + byteOffset, byteCount);
}

/**
 * Numbers, days and timestamps: Arrow's and DuckDB's layouts agree, the buffer is copied as it is. (apache-
 * arrow has already sliced value and offset buffers to the Data's rows; only bitmaps keep `data.offset`.)
 */
function writeFixed(vector: duckdb.Vector, data: Data, start: number, rows: number): void {
  const values = data.values as unknown as ArrayBufferView & { BYTES_PER_ELEMENT: number };
  const width = values.BYTES_PER_ELEMENT * (data.stride ?? 1);
  copyInto(vector, values, start * width, rows * width);
  writeValidity(vector, data, start, rows);
}

function writeBool(vector: duckdb.Vector, data: Data, start: number, rows: number): void {
  const bytes = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) bytes[r] = bitIsSet(data.values as Uint8Array, data.offset + start + r) ? 1 : 0;
  copyInto(vector, bytes, 0, rows);
  writeValidity(vector, data, start, rows);
}

function bitIsSet(bits: Uint8Array, index: number): boolean {
  return ((bits[index >> 3]! >> (index & 7)) & 1) === 1;
}

function writeDateFromMillis(vector: duckdb.Vector, data: Data, start: number, rows: number): void {
  const millis = data.values as unknown as BigInt64Array;
  const days = new Int32Array(rows);
  for (let r = 0; r < rows; r++) days[r] = Math.floor(Number(millis[start + r]!) / 86_400_000);
  copyInto(vector, days, 0, rows * 4);
  writeValidity(vector, data, start, rows);
}

/** Timestamps with a time zone in seconds, milliseconds or nanoseconds, as DuckDB's microseconds. */
function writeMicros(vector: duckdb.Vector, data: Data, start: number, rows: number, unit: TimeUnit): void {
  const values = data.values as unknown as BigInt64Array;
  const out = new BigInt64Array(rows);
  const factor = [1_000_000n, 1_000n, 1n, 1n][unit]!;
  const divisor = unit === TimeUnit.NANOSECOND ? 1_000n : 1n;
  for (let r = 0; r < rows; r++) out[r] = (values[start + r]! * factor) / divisor;
  copyInto(vector, out, 0, rows * 8);
  writeValidity(vector, data, start, rows);
}

/** DuckDB keeps DECIMAL(p, s) in 2, 4, 8 or 16 bytes by p; Arrow sends 16 little-endian bytes. */
function decimalWriter(precision: number): ColumnWriter['write'] {
  return (vector, data, start, rows) => {
    const words = data.values as unknown as Uint32Array;
    const first = start * 4;
    if (precision > 18) {
      copyInto(vector, words, first * 4, rows * 16);
    } else {
      const wide = new BigInt64Array(words.buffer, words.byteOffset + first * 4, rows * 2);
      const out = precision <= 4 ? new Int16Array(rows) : precision <= 9 ? new Int32Array(rows) : new BigInt64Array(rows);
      for (let r = 0; r < rows; r++) {
        if (out instanceof BigInt64Array) out[r] = wide[r * 2]!;
        else out[r] = Number(wide[r * 2]!);
      }
      copyInto(vector, out, 0, out.byteLength);
    }
    writeValidity(vector, data, start, rows);
  };
}

/** Strings and binaries: each row's bytes, straight from Arrow's data buffer. */
function writeBytes(vector: duckdb.Vector, data: Data, start: number, rows: number): void {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const bytes = data.values as Uint8Array;
  for (let r = 0; r < rows; r++) {
    const i = start + r;
    if (!data.getValid(i)) continue;
    const from = Number(offsets[i]!);
    duckdb.vector_assign_string_element_len(vector, r, bytes.subarray(from, Number(offsets[i + 1]!)));
  }
  writeValidity(vector, data, start, rows);
}

/**
 * Lists and fixed-size lists of numbers: the list entries (offset, length) are computed from Arrow's
 * offsets, and the values, all rows' at once, are one copy into the child vector.
 */
function writeNumberList(vector: duckdb.Vector, data: Data, start: number, rows: number): void {
  const child = data.children[0]!;
  const size = data.type.typeId === Type.FixedSizeList ? (data.type as unknown as { listSize: number }).listSize : 0;
  const offsets = data.valueOffsets as Int32Array | BigInt64Array | undefined;
  const at = (row: number) => (size > 0 ? row * size : Number(offsets![row]!));
  const first = at(start);
  const total = at(start + rows) - first;
  const entries = new BigUint64Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    const from = at(start + r);
    entries[r * 2] = BigInt(from - first);
    entries[r * 2 + 1] = BigInt(data.getValid(start + r) ? at(start + r + 1) - from : 0);
  }
  copyInto(vector, entries, 0, entries.byteLength);
  writeValidity(vector, data, start, rows);
  duckdb.list_vector_reserve(vector, total);
  const childVector = duckdb.list_vector_get_child(vector);
  writeFixed(childVector, child, first, total);
  duckdb.list_vector_set_size(vector, total);
}
