// A list column's rows read from Parquet pages, by file and row number (DuckDB's `filename` and
// `file_row_number`), into one flat typed array per batch. Rows usually come in file order: a cursor per
// file moves forward, skipping what it passes; a row behind the cursor reopens its row group.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { FileMetaData } from 'hyparquet';
import type { ElementType, TensorValues } from '../../udfs/index.js';
import { allocateValues, nullElementValue } from '../../udfs/index.js';
import { ColumnPages } from './column-pages.js';
import { ConversionError } from './element-conversion.js';
import { listLeaf, type ListLeaf } from './list-leaf.js';
import { ListRows } from './list-rows.js';
import { PageFault } from './page-fault.js';
import { readFooter, samePath, type PlannedFile } from './parquet-footer.js';
import { RecycledBuffers } from './recycled-buffers.js';

/** A fault reading a file's pages: names the file, row group and column. */
export class TensorReadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TensorReadError';
  }
}

/** Rows of a batch to read: per row, the file (an index into `files`) and its row number; `valid` 0 for none. */
export interface RowLocations {
  readonly files: readonly string[];
  readonly file: Int32Array;
  readonly row: Float64Array;
  readonly valid: Uint8Array;
}

export interface TensorRows {
  readonly values: TensorValues;
  readonly offsets: Int32Array;
  readonly valid: Uint8Array;
}

interface OpenFile {
  readonly path: string;
  readonly handle: FileHandle;
  readonly metadata: FileMetaData;
  readonly leaf: ListLeaf;
  /** First row of each row group, and the file's row count at the end. */
  readonly groupStarts: readonly number[];
  cursor: { readonly group: number; next: number; readonly rows: ListRows } | null;
}

export class ParquetTensorReader {
  private readonly files = new Map<string, OpenFile>();
  /** The last row's length: a batch's buffer is sized for its rows at that length, grown if need be. */
  private rowLength = 0;
  private readonly buffers = new RecycledBuffers();
  /** Takes back a batch's buffer once nothing reads its values any more, for a later batch. */
  readonly recycle = this.buffers.giveBack;

  constructor(
    /** The column as the statement names it. */
    private readonly column: string,
    private readonly element: ElementType,
    /** What the plan saw of each file, by the name DuckDB gives it. */
    private readonly planned: ReadonlyMap<string, PlannedFile>,
  ) {}

  async read(locations: RowLocations): Promise<TensorRows> {
    const rows = locations.valid.length;
    const offsets = new Int32Array(rows + 1);
    const valid = new Uint8Array(rows);
    let values = this.buffers.values(this.element, rows * this.rowLength);
    let total = 0;
    const place = (length: number) => {
      if (total + length > values.length) {
        const grown = allocateValues(this.element, Math.max(total + length, values.length * 2, rows * length));
        grown.set(values.subarray(0, total) as never);
        values = grown;
      }
      this.rowLength = length;
      return { values, at: total };
    };
    for (let r = 0; r < rows; r++) {
      if (locations.valid[r]) {
        const length = await this.readRow(locations.files[locations.file[r]!]!, locations.row[r]!, place);
        if (length !== null) {
          valid[r] = 1;
          total += length;
        }
      }
      offsets[r + 1] = total;
    }
    return { values: values.subarray(0, total) as TensorValues, offsets, valid };
  }

  /** Checks no file changed while the statement read it, then closes them. */
  async close(): Promise<void> {
    this.buffers.close();
    const files = [...this.files.values()];
    this.files.clear();
    for (const file of files) {
      file.cursor?.rows.close();
      await file.handle.close();
    }
    for (const file of files) await this.checkUnchanged(file.path, await stat(file.path).catch(() => null));
  }

  private async readRow(path: string, row: number, place: Parameters<ListRows['readRow']>[0]): Promise<number | null> {
    const file = this.files.get(path) ?? (await this.openFile(path));
    const group = groupOf(file.groupStarts, row);
    if (group < 0) throw new TensorReadError(`${path}: row ${row + 1} is past the file's ${file.groupStarts.at(-1)} rows`);
    const where = () => `${path}, row group ${group + 1}, column ${this.column}`;
    try {
      const inGroup = row - file.groupStarts[group]!;
      if (file.cursor === null || file.cursor.group !== group || file.cursor.next > inGroup) {
        file.cursor?.rows.close();
        const meta = file.metadata.row_groups[group]!.columns.find((c) => samePath(c.meta_data?.path_in_schema, file.leaf.path))?.meta_data;
        if (meta === undefined) throw new PageFault('the row group has no such column chunk');
        const rows = new ListRows(new ColumnPages(file.handle, meta, file.leaf, this.element), file.leaf, nullElementValue(this.element));
        file.cursor = { group, next: 0, rows };
      }
      const cursor = file.cursor;
      await cursor.rows.skipRows(inGroup - cursor.next);
      cursor.next = inGroup + 1;
      return await cursor.rows.readRow(place);
    } catch (error) {
      if (file.cursor !== null) {
        file.cursor.rows.close();
        file.cursor = null;
      }
      if (error instanceof ConversionError) throw new TensorReadError(`${where()}, row ${row + 1}: ${error.message}`, { cause: error });
      throw new TensorReadError(`${where()}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  private async openFile(path: string): Promise<OpenFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new TensorReadError(`${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)} (it was there when the statement was planned)`, { cause: error });
    }
    try {
      await this.checkUnchanged(path, await handle.stat());
      const metadata = await readFooter(handle, path).catch((error: unknown) => {
        throw new TensorReadError(error instanceof Error ? error.message : String(error), { cause: error });
      });
      const leaf = listLeaf(metadata, this.column);
      if ('reason' in leaf) throw new TensorReadError(`${path}: ${leaf.reason}`);
      const groupStarts = [0];
      for (const group of metadata.row_groups) groupStarts.push(groupStarts.at(-1)! + Number(group.num_rows));
      const file: OpenFile = { path, handle, metadata, leaf, groupStarts, cursor: null };
      this.files.set(path, file);
      return file;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private async checkUnchanged(path: string, now: { size: number; mtimeMs: number } | null): Promise<void> {
    const planned = this.planned.get(path);
    // Its element type and conversion were never checked: DuckDB found it by a glob after the plan did.
    if (planned === undefined) throw new TensorReadError(`${path} was not among the files when the statement was planned (added since?): run the statement again`);
    if (now === null) throw new TensorReadError(`${path} was removed while the statement read it`);
    if (now.size !== planned.size || now.mtimeMs !== planned.mtimeMs) {
      throw new TensorReadError(`${path} changed while the statement read it (size or modification time differ from when it was planned): run the statement again`);
    }
  }
}

/** The row group holding `row`, or -1 past the end. */
function groupOf(starts: readonly number[], row: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  if (row < 0 || row >= starts[hi]!) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= row) lo = mid;
    else hi = mid;
  }
  return lo;
}
