// The columns a streamed relation stages, appended chunk by chunk with their rows' keys as the rows go
// by the model stage. They are narrow (numbers, text, dates: see the planner), so converting them through
// JavaScript values costs little next to copying the relation whole in DuckDB first.
import { BIGINT, DuckDBDataChunk, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';

export class StagedRowsAppender {
  private readonly held: DuckDBDataChunk[] = [];

  private constructor(
    private readonly table: string,
    /** The staged columns in the input chunks: `first`, `first + 1` ... */
    private readonly first: number,
    private readonly count: number,
    /** Appends as the rows come; null to hold them until the input is read (see appendHeld). */
    private readonly appender: DuckDBAppender | null,
  ) {}

  /** `table` is `catalog.name`; without a connection to append on, the rows are held. */
  static async open(connection: DuckDBConnection | null, table: string, first: number, count: number): Promise<StagedRowsAppender> {
    return new StagedRowsAppender(table, first, count, connection === null ? null : await appenderFor(connection, table));
  }

  append(chunk: DuckDBDataChunk, keys: BigInt64Array): void {
    const columns = Array.from({ length: this.count }, (_, i) => this.first + i);
    const staged = DuckDBDataChunk.create([...columns.map((c) => chunk.getColumnVector(c).type), BIGINT], chunk.rowCount);
    columns.forEach((c, i) => staged.setColumnValues(i, chunk.getColumnValues(c)));
    staged.setColumnValues(this.count, Array.from(keys));
    if (this.appender === null) this.held.push(staged);
    else this.appender.appendDataChunk(staged);
  }

  /** Appends what was held, on `connection` (the one that streamed the input: it is free now). */
  async appendHeld(connection: DuckDBConnection): Promise<void> {
    if (this.held.length === 0) return;
    const appender = await appenderFor(connection, this.table);
    try {
      for (const chunk of this.held.splice(0)) appender.appendDataChunk(chunk);
    } finally {
      appender.closeSync();
    }
  }

  close(): void {
    this.appender?.closeSync();
  }
}

function appenderFor(connection: DuckDBConnection, table: string): Promise<DuckDBAppender> {
  const dot = table.indexOf('.');
  return connection.createAppender(table.slice(dot + 1), 'main', table.slice(0, dot));
}
