// DuckDB result chunks -> the model contract's columnar batches. Float lists are read straight from the
// vectors' memory into one Float32Array per column (no per-element JS values); blobs are copied row by
// row. Batches own their buffers, so the runtime can transfer them to worker threads.
import { DuckDBBlobVector, DuckDBVarCharVector, type DuckDBDataChunk } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import {
  allocateValues,
  elementBytes,
  nullElementValue,
  valuesOver,
  type ArgBatch,
  type ArgColumn,
  type ElementType,
  type ModelArgBatch,
  type ModelArgColumn,
  type TensorListColumn,
} from '../../udfs/index.js';
import { inputSqlOf, type PlannedArg, type PlannedInputColumn } from '../plan/model-plan.js';

export type ListColumn = Extract<ArgColumn, { kind: 'float-list' | 'blob' }> | TensorListColumn;

/**
 * A column whose values are read later. From Parquet pages: each row's file (an index into `files`,
 * shared by every batch of the stage) and row number in it. From the Arrow batch: no files (`file` all 0)
 * and the row's position among the statement's Arrow rows. `valid` is 0 where the argument is NULL.
 */
export interface LateRows {
  readonly kind: 'late';
  readonly files: readonly string[];
  readonly file: Int32Array;
  readonly row: Float64Array;
  readonly valid: Uint8Array;
}

export type InputColumn = ListColumn | LateRows;

/** One chunk's rows of one input column, of which rows from `next` on are not batched yet. */
interface Segment {
  readonly column: InputColumn;
  readonly rows: number;
  next: number;
}

/** Reads column `index` of `chunk` (cast in SQL to FLOAT[], BLOB or the tensor's type) into flat arrays. */
export function readChunkColumn(chunk: DuckDBDataChunk, index: number, planned: PlannedInputColumn | 'float-list' | 'blob'): ListColumn {
  const column = typeof planned === 'string' ? { sql: '', kind: planned } : planned;
  switch (column.kind) {
    case 'float-list':
      return readFloatList(chunk, index);
    case 'blob':
      return readBlobs(chunk, index);
    case 'tensor-list':
      return column.scalar ? readScalars(chunk, index, column.element) : readTensorList(chunk, index, column.element);
  }
}

/** A column of numbers or booleans as one-value rows. */
function readScalars(chunk: DuckDBDataChunk, index: number, element: ElementType): TensorListColumn {
  const rows = chunk.rowCount;
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, index);
  const bytes = elementBytes(element);
  const data = aligned(duckdb.vector_get_data(vector, rows * bytes), bytes);
  const all = valuesOver(element, data.buffer, data.byteOffset, rows);
  const validity = duckdb.vector_get_validity(vector, validityBytes(rows));
  const valid = new Uint8Array(rows);
  const offsets = new Int32Array(rows + 1);
  const values = allocateValues(element, rows);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    if (isValid(validity, r)) {
      valid[r] = 1;
      (values as Float64Array)[total++] = (all as Float64Array)[r]!;
    }
    offsets[r + 1] = total;
  }
  return { kind: 'tensor-list', element, values: values.subarray(0, total) as typeof values, offsets, valid };
}

/** A list column of `element` values (NULL elements become 0, or NaN for floats). */
function readTensorList(chunk: DuckDBDataChunk, index: number, element: ElementType): TensorListColumn {
  const rows = chunk.rowCount;
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, index);
  const entryBytes = duckdb.vector_get_data(vector, rows * 16);
  const entries = new DataView(entryBytes.buffer, entryBytes.byteOffset, entryBytes.byteLength);
  const validity = duckdb.vector_get_validity(vector, validityBytes(rows));
  const child = duckdb.list_vector_get_child(vector);
  const childSize = duckdb.list_vector_get_size(vector);
  const bytes = elementBytes(element);
  const data = aligned(duckdb.vector_get_data(child, childSize * bytes), bytes);
  const all = valuesOver(element, data.buffer, data.byteOffset, childSize);
  const childValidity = duckdb.vector_get_validity(child, validityBytes(childSize));
  const valid = new Uint8Array(rows);
  const offsets = new Int32Array(rows + 1);
  let total = 0;
  // Rows usually lie one after the other in the child vector; then its (already copied) data is the
  // values array as it is.
  let contiguous = true;
  for (let r = 0; r < rows; r++) {
    if (isValid(validity, r)) {
      valid[r] = 1;
      contiguous &&= Number(entries.getBigUint64(r * 16, true)) === total;
      total += Number(entries.getBigUint64(r * 16 + 8, true));
    }
    offsets[r + 1] = total;
  }
  if (contiguous && childValidity === null) return { kind: 'tensor-list', element, values: all.subarray(0, total) as typeof all, offsets, valid };
  const values = allocateValues(element, total);
  const hole = nullElementValue(element);
  for (let r = 0; r < rows; r++) {
    if (!valid[r]) continue;
    const start = Number(entries.getBigUint64(r * 16, true));
    const length = offsets[r + 1]! - offsets[r]!;
    (values as Float64Array).set((all as Float64Array).subarray(start, start + length), offsets[r]!);
    if (childValidity !== null) {
      for (let e = 0; e < length; e++) if (!isValid(childValidity, start + e)) (values as unknown as (number | bigint)[])[offsets[r]! + e] = hole;
    }
  }
  return { kind: 'tensor-list', element, values, offsets, valid };
}

/**
 * `bytes` on a buffer where values of `size` bytes can be viewed in place (copied when misaligned).
 * node-bindings hands out a copy of a vector's data, so views over it are ours to keep.
 */
function aligned(bytes: Uint8Array, size: number): Uint8Array {
  return bytes.byteOffset % size === 0 ? bytes : bytes.slice();
}

/** A FLOAT[] column: the float32 case of a tensor list (NULL elements become NaN). */
function readFloatList(chunk: DuckDBDataChunk, index: number): ListColumn {
  const { values, offsets, valid } = readTensorList(chunk, index, 'float32');
  return { kind: 'float-list', values: values as Float32Array, offsets, valid };
}

function readBlobs(chunk: DuckDBDataChunk, index: number): ListColumn {
  const rows = chunk.rowCount;
  const vector = chunk.getColumnVector(index);
  if (!(vector instanceof DuckDBBlobVector)) throw new Error(`input column ${index + 1} is ${vector.type.toString()}, expected BLOB`);
  const items: (Uint8Array | null)[] = [];
  const valid = new Uint8Array(rows);
  const offsets = new Int32Array(rows + 1);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const bytes = vector.getItemBytes(r);
    items.push(bytes);
    valid[r] = bytes === null ? 0 : 1;
    total += bytes?.length ?? 0;
    offsets[r + 1] = total;
  }
  const values = new Uint8Array(total);
  items.forEach((bytes, r) => {
    if (bytes !== null) values.set(bytes, offsets[r]!);
  });
  return { kind: 'blob', values, offsets, valid };
}

function validityBytes(rows: number): number {
  return Math.ceil(rows / 64) * 8;
}

function isValid(validity: Uint8Array | null, row: number): boolean {
  return validity === null || ((validity[row >> 3]! >> (row & 7)) & 1) === 1;
}

/** The rows held back for the end (`ArgBatcher`'s `balanceEnd`) go in batches of this part of the size. */
const END_PIECES = 4;

/**
 * Collects chunks and cuts them into batches of `batchSize` rows, whatever the chunk sizes. Constant
 * arguments ride along in every batch.
 *
 * With `balanceEnd`, at least `batchSize` rows (fewer than twice that) are held back until the input is
 * known to end, then go in even batches of at most a quarter of the size: the workers take them as they
 * come free, so they finish within a small batch of each other instead of one running a whole last batch
 * alone (ResNet-50 on one core: 13 rows are 0.7 s). Only for inputs whose next chunk comes quickly (rows'
 * locations, not their values): otherwise the held rows would wait for DuckDB to decode the next chunk.
 */
export class ArgBatcher {
  private readonly pending: Segment[][];
  /** The rows' keys, chunk by chunk, from `keyOffset` on in the first. */
  private readonly keys: BigInt64Array[] = [];
  private keyOffset = 0;
  private pendingRows = 0;
  private nextRow = 0;

  /** Each input column's first column in the chunk (a column read from pages takes two). */
  private readonly chunkIndex: readonly number[];
  /** The files of late rows, by name: LateRows.file indexes `files`. */
  private readonly fileIndex = new Map<string, number>();
  private readonly files: string[] = [];

  constructor(
    private readonly inputColumns: readonly PlannedInputColumn[],
    private readonly batchSize: number,
    /** The column of the row keys, when add() is not given them. */
    private readonly keyColumn: number,
    private readonly balanceEnd = false,
  ) {
    this.pending = inputColumns.map(() => []);
    let at = 0;
    this.chunkIndex = inputColumns.map((c) => {
      const index = at;
      at += inputSqlOf(c).length;
      return index;
    });
  }

  /** Adds a chunk, with its rows' keys when they are not a column of it; returns the batches it completed. */
  add(chunk: DuckDBDataChunk, keys?: BigInt64Array): ColumnsBatch[] {
    const rows = chunk.rowCount;
    if (rows === 0) return [];
    this.inputColumns.forEach((column, i) => {
      const at = this.chunkIndex[i]!;
      const source = column.source;
      const read =
        source !== undefined && 'pages' in source ? this.readLocations(chunk, at) : source !== undefined && 'arrow' in source ? readArrowRows(chunk, at) : readChunkColumn(chunk, at, column);
      this.pending[i]!.push({ rows, column: read, next: 0 });
    });
    this.keys.push(keys ?? readKeys(chunk, this.keyColumn));
    this.pendingRows += rows;
    const held = this.balanceEnd ? this.batchSize : 0;
    const batches: ColumnsBatch[] = [];
    while (this.pendingRows >= this.batchSize + held) batches.push(this.take(this.batchSize));
    return batches;
  }

  /** The rows left at the end: a last (short) batch, or with `balanceEnd` the held rows in small batches. */
  finish(): ColumnsBatch[] {
    const pieces = Math.ceil(this.pendingRows / (this.balanceEnd ? Math.ceil(this.batchSize / END_PIECES) : this.batchSize));
    const batches: ColumnsBatch[] = [];
    // Sizes as even as they go: the first batches take one row more.
    for (let left = pieces; left > 0; left--) batches.push(this.take(Math.ceil(this.pendingRows / left)));
    return batches;
  }

  /** Rows' files (column `at`) and row numbers (column `at + 1`). */
  private readLocations(chunk: DuckDBDataChunk, at: number): LateRows {
    const rows = chunk.rowCount;
    const names = chunk.getColumnVector(at);
    if (!(names instanceof DuckDBVarCharVector)) throw new Error(`input column ${at + 1} is ${names.type.toString()}, expected VARCHAR`);
    const numbers = readKeys(chunk, at + 1);
    const file = new Int32Array(rows);
    const row = new Float64Array(rows);
    const valid = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      const name = names.getItem(r);
      if (name === null) continue;
      let index = this.fileIndex.get(name);
      if (index === undefined) {
        index = this.files.push(name) - 1;
        this.fileIndex.set(name, index);
      }
      file[r] = index;
      row[r] = Number(numbers[r]!);
      valid[r] = 1;
    }
    return { kind: 'late', files: this.files, file, row, valid };
  }

  private take(rows: number): ColumnsBatch {
    const columns = this.pending.map((segments) => takeRows(segments, rows));
    const batch = { firstRow: this.nextRow, rowCount: rows, columns, keys: this.takeKeys(rows) };
    this.nextRow += rows;
    this.pendingRows -= rows;
    return batch;
  }

  private takeKeys(rows: number): BigInt64Array {
    const keys = new BigInt64Array(rows);
    for (let at = 0; at < rows; ) {
      const head = this.keys[0]!;
      const n = Math.min(rows - at, head.length - this.keyOffset);
      keys.set(head.subarray(this.keyOffset, this.keyOffset + n), at);
      at += n;
      this.keyOffset += n;
      if (this.keyOffset === head.length) {
        this.keys.shift();
        this.keyOffset = 0;
      }
    }
    return keys;
  }
}

/** A batch of the input query's columns, before they are arranged as each call's arguments. */
export interface ColumnsBatch {
  readonly firstRow: number;
  readonly rowCount: number;
  readonly columns: readonly InputColumn[];
  /** Each row's key in its relation's staged rows: the results are stored with it. */
  readonly keys: BigInt64Array;
}

/** Rows' positions among the Arrow batch's rows (a BIGINT column, NULL where the argument is not read). */
function readArrowRows(chunk: DuckDBDataChunk, at: number): LateRows {
  const rows = chunk.rowCount;
  const positions = readKeys(chunk, at);
  const validity = duckdb.vector_get_validity(duckdb.data_chunk_get_vector(chunk.chunk, at), validityBytes(rows));
  const row = new Float64Array(rows);
  const valid = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    if (!isValid(validity, r)) continue;
    row[r] = Number(positions[r]!);
    valid[r] = 1;
  }
  return { kind: 'late', files: [], file: new Int32Array(rows), row, valid };
}

/** A BIGINT column without NULLs (the row keys). */
function readKeys(chunk: DuckDBDataChunk, index: number): BigInt64Array {
  const rows = chunk.rowCount;
  const data = aligned(duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk.chunk, index), rows * 8), 8);
  return new BigInt64Array(data.buffer, data.byteOffset, rows);
}

/** The batch of one call: its column arguments taken from the input columns, its constants added. */
export function callBatch(batch: ColumnsBatch, args: readonly PlannedArg[]): ModelArgBatch {
  return {
    firstRow: batch.firstRow,
    rowCount: batch.rowCount,
    columns: args.map((arg): ModelArgColumn => {
      if (arg.kind === 'constant') return { kind: 'constant', value: arg.value };
      const column = batch.columns[arg.column]!;
      if (column.kind === 'late') throw new Error(`input column ${arg.column + 1} was not read from its Parquet pages`);
      return column;
    }),
  };
}

/** A call's batch as run() takes it: only functions with runModel() are planned with tensor columns. */
export function asArgBatch(batch: ModelArgBatch): ArgBatch {
  const columns = batch.columns.map((column, i): ArgColumn => {
    if (column.kind === 'tensor-list') throw new Error(`argument ${i + 1} is a ${column.element} tensor column, which only runModel() takes`);
    return column;
  });
  return { ...batch, columns };
}

/** Takes the next `rows` rows from `segments` as one column, copying only those rows. */
function takeRows(segments: Segment[], rows: number): InputColumn {
  const parts: InputColumn[] = [];
  let left = rows;
  while (left > 0) {
    const head = segments[0]!;
    const n = Math.min(left, head.rows - head.next);
    parts.push(head.next === 0 && n === head.rows ? head.column : sliceRows(head.column, head.next, head.next + n));
    head.next += n;
    left -= n;
    if (head.next === head.rows) segments.shift();
  }
  if (parts.length === 1) return parts[0]!;
  return parts[0]!.kind === 'late' ? concatLate(parts as LateRows[]) : concatRows(parts as ListColumn[]);
}

function sliceRows(column: InputColumn, from: number, to: number): InputColumn {
  if (column.kind === 'late') {
    return { ...column, file: column.file.subarray(from, to), row: column.row.subarray(from, to), valid: column.valid.subarray(from, to) };
  }
  const base = column.offsets[from]!;
  const offsets = new Int32Array(to - from + 1);
  for (let i = 0; i <= to - from; i++) offsets[i] = column.offsets[from + i]! - base;
  // Views, not copies: the runtime copies each batch once anyway, on its way to a worker.
  const valid = column.valid.subarray(from, to);
  const end = column.offsets[to]!;
  switch (column.kind) {
    case 'float-list':
      return { kind: 'float-list', values: column.values.subarray(base, end), offsets, valid };
    case 'blob':
      return { kind: 'blob', values: column.values.subarray(base, end), offsets, valid };
    case 'tensor-list':
      return { kind: 'tensor-list', element: column.element, values: column.values.subarray(base, end), offsets, valid };
  }
}

function concatRows(parts: readonly ListColumn[]): ListColumn {
  const rows = parts.reduce((n, p) => n + p.valid.length, 0);
  const total = parts.reduce((n, p) => n + p.offsets[p.offsets.length - 1]!, 0);
  const offsets = new Int32Array(rows + 1);
  const valid = new Uint8Array(rows);
  const first = parts[0]!;
  const kind = first.kind;
  const values = first.kind === 'tensor-list' ? allocateValues(first.element, total) : kind === 'float-list' ? new Float32Array(total) : new Uint8Array(total);
  let row = 0;
  let at = 0;
  for (const part of parts) {
    const n = part.valid.length;
    valid.set(part.valid, row);
    for (let i = 1; i <= n; i++) offsets[row + i] = at + part.offsets[i]!;
    values.set(part.values as never, at);
    at += part.offsets[n]!;
    row += n;
  }
  if (first.kind === 'tensor-list') return { kind: 'tensor-list', element: first.element, values, offsets, valid };
  return kind === 'float-list'
    ? { kind: 'float-list', values: values as Float32Array, offsets, valid }
    : { kind: 'blob', values: values as Uint8Array, offsets, valid };
}

function concatLate(parts: readonly LateRows[]): LateRows {
  const rows = parts.reduce((n, p) => n + p.valid.length, 0);
  const file = new Int32Array(rows);
  const row = new Float64Array(rows);
  const valid = new Uint8Array(rows);
  let at = 0;
  for (const part of parts) {
    file.set(part.file, at);
    row.set(part.row, at);
    valid.set(part.valid, at);
    at += part.valid.length;
  }
  return { kind: 'late', files: parts[0]!.files, file, row, valid };
}
