// A level's results, in input order, as its table: the row key, then one column per call. Small results
// stay one in-memory DuckDB table. Past PART_BYTES the table is written out as a Parquet part to the
// statement's spill folder and emptied, and at the end the table's name becomes a view over the parts in
// order, which the output stage reads as it writes. Held in a table instead, a COPY of wide results
// peaked at twice what DuckDB alone needs for the same statement: DuckDB's writer buffers its row groups
// beside the whole table of results (measured: 2.0 GB against 1.2 GB for 100,000 rows of 1000 floats).
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ModelResult } from '../../udfs/index.js';
import { createResultTable, ResultAppender, resultBytes } from './result-append.js';
import type { SpillFolder } from './spill-folder.js';

/** Result bytes a level keeps in memory before it writes them out as a part. */
export const PART_BYTES = 8 * 1024 * 1024;

export class ResultStore {
  private bytes = 0;
  private rows = 0;
  private readonly parts: string[] = [];
  /** Result bytes written out to parts. */
  private written = 0;
  /** False once temp_directory turned out to be '' (spilling off): the results then stay in the table. */
  private spills = true;

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly table: string,
    private readonly key: string,
    private readonly columns: readonly { readonly name: string; readonly type: string }[],
    private readonly spill: SpillFolder,
    private appender: ResultAppender,
    private readonly partBytes: number,
  ) {}

  /**
   * Creates the level's table and appends to it on `connection`, which must be free for statements (not
   * streaming a result: writing a part runs a COPY on it).
   */
  static async create(
    connection: DuckDBConnection,
    table: string,
    key: string,
    columns: readonly { readonly name: string; readonly type: string }[],
    spill: SpillFolder,
    partBytes = PART_BYTES,
  ): Promise<ResultStore> {
    await createResultTable(connection, table, key, columns);
    const appender = await ResultAppender.open(connection, table, columns.length);
    return new ResultStore(connection, table, key, columns, spill, appender, partBytes);
  }

  /** Appends one batch's rows: their keys, and `columns[i]`, call i's result for the same rows. Returns their bytes. */
  async append(keys: BigInt64Array, columns: readonly ModelResult[], rowCount: number): Promise<number> {
    this.appender.append(keys, columns, rowCount);
    const bytes = rowCount * 8 + columns.reduce((sum, column) => sum + resultBytes(column), 0);
    this.rows += rowCount;
    this.bytes += bytes;
    if (this.spills && this.bytes >= this.partBytes) await this.writePart();
    return bytes;
  }

  /** The level's rows are all in: the table holds them, or is now the view over the parts. */
  async finish(): Promise<void> {
    if (this.parts.length > 0 && this.rows > 0) await this.writePart();
    this.appender.close();
    if (this.parts.length === 0) return;
    const files = this.parts.map((file) => `'${file.replaceAll("'", "''")}'`).join(', ');
    await this.connection.run(`DROP TABLE ${this.table}`);
    // A temporary view is named without its catalog: DuckDB puts it in temp.main.
    const view = this.table.startsWith('temp.') ? `TEMP VIEW ${this.table.slice('temp.'.length)}` : `VIEW ${this.table}`;
    await this.connection.run(`CREATE ${view} AS SELECT * FROM read_parquet([${files}])`);
  }

  /** The parts written, and the result bytes they hold. */
  get spilled(): { readonly parts: number; readonly bytes: number } {
    return { parts: this.parts.length, bytes: this.written };
  }

  close(): void {
    this.appender.close();
  }

  private async writePart(): Promise<void> {
    const folder = await this.spill.folder(this.connection);
    if (folder === null) {
      this.spills = false;
      return;
    }
    this.appender.close();
    const file = this.spill.file(folder);
    await this.connection.run(`COPY ${this.table} TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`);
    this.parts.push(file);
    this.written += this.bytes;
    // Replaced rather than emptied: DuckDB gives a dropped table's memory back at once.
    await createResultTable(this.connection, this.table, this.key, this.columns);
    this.appender = await ResultAppender.open(this.connection, this.table, this.columns.length);
    this.bytes = 0;
    this.rows = 0;
  }
}
