// A level's results, in input order, kept where DuckDB can read them as the level's table: batches are
// merged into parts of about PART_BYTES, each written to the statement's spill folder once full (v8's
// serialization keeps the typed arrays as they are); the last, partial one stays in memory.
// DuckDB scans them through the table function of result-scan.ts, one part in memory at a time, so the
// results of a long job never sit in memory whole. In a DuckDB table instead, a COPY of wide results
// peaked at twice what DuckDB alone needs (the table, and the POSITIONAL JOIN's copy of it); in Parquet
// parts, DuckDB's writer took 26 s for 400 MB of float lists, doubling the statement's time.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import type { ModelResult, TensorValues } from '../../udfs/index.js';
import { createResultTable, duckdbTypeOf, resultBytes } from './result-vectors.js';
import { resultScanSql, type ResultPart, type ScannedResults } from './result-scan.js';
import type { SpillFolder } from './spill-folder.js';

/** Result bytes merged into one part. */
export const PART_BYTES = 8 * 1024 * 1024;

/** A part written to its file, or the last one, held. */
type StoredPart = { readonly file: string } | { readonly part: ResultPart };

export class ResultStore implements ScannedResults {
  private pending: ResultPart[] = [];
  private pendingBytes = 0;
  private readonly parts: StoredPart[] = [];
  private written = 0;
  private rowCount = 0;
  private readonly forgets: (() => void)[] = [];
  /** The calls' DuckDB types, from the first part. */
  private types: readonly DuckDBType[] = [];

  constructor(
    /** The level's table name (`catalog.name`), which becomes a view over the scan. */
    private readonly table: string,
    private readonly key: string,
    private readonly columns: readonly { readonly name: string; readonly type: string }[],
    private readonly spill: SpillFolder,
  ) {}

  /** Appends one batch's rows: their keys, and `columns[i]`, call i's result for the same rows. Returns their bytes. */
  async append(keys: BigInt64Array, columns: readonly ModelResult[], rows: number): Promise<number> {
    const bytes = partBytes({ keys, columns, rows });
    this.pending.push({ keys, columns, rows });
    this.pendingBytes += bytes;
    this.rowCount += rows;
    if (this.pendingBytes >= PART_BYTES) await this.seal();
    return bytes;
  }

  /**
   * The level's rows are all in: its table becomes the view over the scan, or, with no rows, an empty
   * table of the result types. `connection` must be free for statements.
   */
  async finish(connection: DuckDBConnection): Promise<void> {
    if (this.pending.length > 0) this.parts.push({ part: this.merged() });
    if (this.rowCount === 0) {
      await createResultTable(connection, this.table, this.key, this.columns);
      return;
    }
    // A temporary view is named without its catalog: DuckDB puts it in temp.main.
    const view = this.table.startsWith('temp.') ? `TEMP VIEW ${this.table.slice('temp.'.length)}` : `VIEW ${this.table}`;
    // Cast to the calls' declared types: a FLOAT[2] result is a list in the scan (a no-op cast otherwise).
    const columns = [this.key, ...this.columns.map((c) => `CAST(${c.name} AS ${c.type}) AS ${c.name}`)];
    try {
      await connection.run(`CREATE OR REPLACE ${view} AS SELECT ${columns.join(', ')} FROM ${resultScanSql(this)}`);
    } catch (error) {
      this.forget();
      throw error;
    }
  }

  /** The parts written out, and the result bytes they hold. */
  get spilled(): { readonly parts: number; readonly bytes: number } {
    return { parts: this.parts.filter((p) => 'file' in p).length, bytes: this.written };
  }

  get rows(): number {
    return this.rowCount;
  }

  get columnNames(): readonly string[] {
    return [this.key, ...this.columns.map((c) => c.name)];
  }

  get columnTypes(): readonly DuckDBType[] {
    return this.types;
  }

  get partCount(): number {
    return this.parts.length;
  }

  /** Part `i`, read back from its file when it was written out. */
  part(i: number): ResultPart {
    const stored = this.parts[i]!;
    return 'part' in stored ? stored.part : (deserialize(readFileSync(stored.file)) as ResultPart);
  }

  onForget(forget: () => void): void {
    this.forgets.push(forget);
  }

  forget(): void {
    for (const forget of this.forgets.splice(0)) forget();
  }

  private async seal(): Promise<void> {
    const bytes = this.pendingBytes;
    const part = this.merged();
    const folder = await this.spill.folder();
    if (folder === null) {
      this.parts.push({ part });
      return;
    }
    const file = this.spill.file(folder);
    await writeFile(file, serialize(part));
    this.written += bytes;
    this.parts.push({ file });
  }

  /** The pending batches as one part (the row failures, already reported, are left behind). */
  private merged(): ResultPart {
    const batches = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const keys = new BigInt64Array(batches.reduce((sum, b) => sum + b.rows, 0));
    let at = 0;
    for (const b of batches) {
      keys.set(b.keys.subarray(0, b.rows), at);
      at += b.rows;
    }
    const columns = batches[0]!.columns.map((_, i) => concatResults(batches.map((b) => b.columns[i]!)));
    if (this.types.length === 0) this.types = columns.map(duckdbTypeOf);
    return { keys, columns, rows: keys.length };
  }
}

/** The bytes of a part's keys and results. */
function partBytes(part: ResultPart): number {
  return part.rows * 8 + part.columns.reduce((sum, column) => sum + resultBytes(column), 0);
}

/** Results of consecutive batches as one: values and validity joined, offsets moved along. */
function concatResults(results: readonly ModelResult[]): ModelResult {
  const first = results[0]!;
  const valid = concatArrays(results.map((r) => r.valid)) as Uint8Array;
  if (first.kind === 'struct') {
    const fields = first.fields.map((field, i) => ({
      name: field.name,
      column: concatResults(results.map((r) => (r as typeof first).fields[i]!.column)) as typeof field.column,
    }));
    return { kind: 'struct', fields, valid };
  }
  const lists = results as readonly (typeof first)[];
  const values = concatArrays(lists.map((r) => r.values.subarray(r.offsets[0]!, r.offsets[r.valid.length]!) as TensorValues));
  const offsets = new Int32Array(valid.length + 1);
  let row = 0;
  let base = 0;
  for (const r of lists) {
    const rows = r.valid.length;
    for (let i = 0; i < rows; i++) offsets[row + i] = base + r.offsets[i]! - r.offsets[0]!;
    base += r.offsets[rows]! - r.offsets[0]!;
    row += rows;
  }
  offsets[row] = base;
  return first.kind === 'float-list'
    ? { kind: 'float-list', values: values as Float32Array, offsets, valid }
    : { kind: 'tensor', element: first.element, scalar: first.scalar, values: values as TensorValues, offsets, valid };
}

function concatArrays<T extends TensorValues>(arrays: readonly T[]): T {
  const out = new (arrays[0]!.constructor as new (length: number) => T)(arrays.reduce((sum, a) => sum + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    (out as unknown as { set(a: T, at: number): void }).set(a, at);
    at += a.length;
  }
  return out;
}
