// `sqlinfer --arrow-stream -c "SELECT ... FROM batch"`: the model step of a Spark job (or any Arrow
// tool). An Arrow IPC stream comes in on stdin; each record batch becomes the table `batch` and the
// statement runs over it; its result goes out on stdout as one record batch, in order, in one Arrow IPC
// stream. The earlier -c scripts (SET ...) run once, first. A failure ends the process with the error on
// stderr and status 1; stdout then holds only whole batches and no end-of-stream marker, so no reader can
// take a cut stream for a finished one.
import { RecordBatchReader, RecordBatchStreamWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { _InternalEmptyPlaceholderRecordBatch as NoBatch } from 'apache-arrow/recordbatch';
import { ArrowBatchTable, splitStatements, SqlError, type Engine, type ResultColumnInfo, type SqlValue } from '../engine/index.js';
import { arrowBatch, arrowSchema } from './arrow-result.js';

/** The table name the statement reads. */
const BATCH_TABLE = 'batch';
/** The Arrow IPC stream's end: a continuation marker and a zero length. */
const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

export class ArrowStreamError extends Error {
  override readonly name = 'ArrowStreamError';
}

export interface ArrowStreamOptions {
  readonly engine: Engine;
  /** The -c/-f texts: all but the last run once (settings); the last is the statement run per batch. */
  readonly scripts: readonly string[];
  readonly input: AsyncIterable<Uint8Array> & NodeJS.ReadableStream & { destroy(): void };
  readonly output: NodeJS.WritableStream;
}

export async function runArrowStream(options: ArrowStreamOptions): Promise<void> {
  try {
    await streamBatches(options);
  } finally {
    // The writer of stdin may keep it open after a failure: stop reading, or the process would not end.
    options.input.destroy();
  }
}

async function streamBatches({ engine, scripts, input, output }: ArrowStreamOptions): Promise<void> {
  const statement = scripts.at(-1);
  if (statement === undefined || splitStatements(statement).length !== 1) {
    throw new ArrowStreamError('--arrow-stream needs the statement to run over each batch as its last -c, one statement reading the table batch');
  }
  for (const setup of scripts.slice(0, -1)) await engine.run(setup);
  const reader = await openReader(input);
  const table = await ArrowBatchTable.create(engine.connection, engine.arrowTables, BATCH_TABLE, reader.schema);
  const out = new ByteOutput(output);
  try {
    let stream: ResultStream | null = null;
    let count = 0;
    for (;;) {
      const next = await readBatch(reader, count);
      if (next === null) break;
      table.set([next]);
      const { columns, rows } = await runStatement(engine, statement);
      stream ??= new ResultStream(columns, out);
      await stream.write(columns, rows, count);
      count++;
    }
    // No batch came: the statement still runs once, over no rows, for the result's schema.
    stream ??= new ResultStream((await runStatement(engine, statement)).columns, out);
    await stream.end();
  } finally {
    await table.close();
  }
}

async function openReader(input: NodeJS.ReadableStream): Promise<RecordBatchReader> {
  try {
    const reader = await RecordBatchReader.from(input as AsyncIterable<Uint8Array>);
    await reader.open();
    if (reader.schema === undefined || reader.schema === null) throw new Error('no schema message (empty input)');
    return reader;
  } catch (error) {
    throw new ArrowStreamError(`stdin is not an Arrow IPC stream: ${(error as Error).message}`);
  }
}

async function readBatch(reader: RecordBatchReader, index: number): Promise<RecordBatch | null> {
  try {
    const next = await reader.next();
    // A stream without batches yields one placeholder (not a batch of the stream) before it ends.
    return next.done === true || next.value instanceof NoBatch ? null : next.value;
  } catch (error) {
    throw new ArrowStreamError(`stdin: Arrow record batch ${index + 1} cannot be read: ${(error as Error).message}`);
  }
}

async function runStatement(engine: Engine, sql: string): Promise<{ columns: readonly ResultColumnInfo[]; rows: SqlValue[][] }> {
  for await (const statement of engine.stream(sql)) {
    const rows: SqlValue[][] = [];
    for await (const chunk of statement.chunks()) rows.push(...(chunk as SqlValue[][]));
    return { columns: statement.columns, rows };
  }
  throw new SqlError({ phase: 'execute', code: 'arrow-input', detail: 'the --arrow-stream statement gave no result' });
}

/** The output stream: the schema before the first batch, whole batches after it, the end marker last. */
class ResultStream {
  private readonly schema: Schema;
  private readonly header: Uint8Array;

  constructor(
    private readonly columns: readonly ResultColumnInfo[],
    private readonly out: ByteOutput,
  ) {
    this.schema = arrowSchema(columns);
    this.header = new RecordBatchStreamWriter().reset(undefined, this.schema).toUint8Array(true);
    this.out.pending(this.header);
  }

  /** One batch's bytes (the header first, once), written whole before the next batch is read. */
  async write(columns: readonly ResultColumnInfo[], rows: readonly (readonly SqlValue[])[], index: number): Promise<void> {
    const changed = columns.length !== this.columns.length || columns.some((c, i) => c.name !== this.columns[i]!.name || c.type !== this.columns[i]!.type);
    if (changed) {
      throw new ArrowStreamError(
        `the result of batch ${index + 1} has columns (${columnsText(columns)}), not those of the first batch (${columnsText(this.columns)})`,
      );
    }
    // Each batch is written as a stream of its own (schema, batch) by apache-arrow; the shared schema
    // message is dropped after the first time, which leaves the batch's message, whole.
    const writer = new RecordBatchStreamWriter();
    writer.write(arrowBatch(this.schema, this.columns, rows));
    const bytes = writer.toUint8Array(true);
    await this.out.write(bytes.subarray(this.header.byteLength));
  }

  async end(): Promise<void> {
    await this.out.write(END_OF_STREAM);
  }
}

function columnsText(columns: readonly ResultColumnInfo[]): string {
  return columns.map((c) => `${c.name} ${c.type}`).join(', ');
}

/** stdout with backpressure; the schema is held back until the first write, so a failure leaves nothing. */
class ByteOutput {
  private held: Uint8Array | null = null;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  pending(bytes: Uint8Array): void {
    this.held = bytes;
  }

  write(bytes: Uint8Array): Promise<void> {
    const whole = this.held === null ? bytes : Buffer.concat([this.held, bytes]);
    this.held = null;
    return new Promise((resolve, reject) => {
      this.stream.write(whole, (error) => (error ? reject(error) : resolve()));
    });
  }
}
