// `sqlinfer --arrow-stream -c "SELECT ... FROM batch"`: the model step of a Spark job (or any Arrow
// tool). An Arrow IPC stream comes in on stdin; the statement runs over its record batches as the table
// `batch`; the results go out on stdout, one record batch per input batch, in order, in one Arrow IPC
// stream. A row-wise statement (engine/plan/row-wise.ts) runs once over a group of consecutive batches, up
// to SET arrow_group_rows and arrow_group_bytes, of those that arrive within arrow_group_wait_ms of each
// other, and its results are split back by batch with each row's position; any other statement (an
// aggregate, ORDER BY ...) runs batch by batch. The earlier -c scripts
// (SET ...) run once, first. A failure ends the process with the error on stderr and status 1; stdout then
// holds only whole batches and no end-of-stream marker, so no reader can take a cut stream for a finished one.
import { setTimeout as sleep } from 'node:timers/promises';
import { RecordBatch, RecordBatchReader, RecordBatchStreamWriter, type Schema } from 'apache-arrow';
import {
  ARROW_GROUP_BYTES,
  ARROW_GROUP_ROWS,
  ARROW_GROUP_WAIT_MS,
  ArrowBatchTable,
  arrowRowWise,
  splitStatements,
  SqlError,
  type Engine,
  type ResultColumnInfo,
  type SqlValue,
} from '../engine/index.js';
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
    const rowWise = await arrowRowWise(table, statement);
    // A statement that is not row-wise sees one batch at a time.
    const setting = (name: string) => Number(engine.settings.get(name));
    const budget =
      rowWise === null
        ? { rows: 1, bytes: 1, waitMs: 0 }
        : { rows: setting(ARROW_GROUP_ROWS), bytes: setting(ARROW_GROUP_BYTES), waitMs: setting(ARROW_GROUP_WAIT_MS) };
    const batches = new BatchGroups(reader, budget);
    let stream: ResultStream | null = null;
    for (;;) {
      const first = { batch: batches.count, row: batches.rows };
      const group = await batches.next();
      if (group.length === 0) break;
      table.set(group, first);
      if (rowWise === null) {
        const { columns, rows } = await runStatement(engine, statement).catch((error: unknown) => {
          throw inBatch(error, first.batch, first.row, group[0]!.numRows);
        });
        stream ??= new ResultStream(columns, out);
        await stream.write(columns, rows, first.batch);
        continue;
      }
      const { columns, rows } = await runStatement(engine, rowWise.sql).catch((error: unknown) => {
        throw rowWise.place(error);
      });
      const shown = columns.slice(0, -1);
      stream ??= new ResultStream(shown, out);
      const parts = splitByBatch(rows, group);
      for (const [i, part] of parts.entries()) await stream.write(shown, part, first.batch + i);
    }
    // No batch came: the statement still runs once, over no rows, for the result's schema.
    stream ??= new ResultStream((await runStatement(engine, statement)).columns, out);
    await stream.end();
  } finally {
    await table.close();
  }
}

/**
 * The input's batches in groups: consecutive batches while their rows and bytes stay within the budget
 * (a batch over it alone), and while the next one arrives within `waitMs`. A group never waits longer: the
 * writer of stdin may wait for results before it sends more (sqlinfer_spark does, at the end of each
 * partition, keeping the process for the next one).
 */
class BatchGroups {
  /** Batches given out so far, and their rows. */
  count = 0;
  rows = 0;
  /** Batches read so far. */
  private read = 0;
  private held: RecordBatch | null = null;
  /** A read under way that the last group did not wait for. */
  private reading: Promise<RecordBatch | null> | null = null;
  private done = false;
  /** A read that failed after a group had begun: thrown once that group has run. */
  private failed: unknown = null;

  constructor(
    private readonly reader: RecordBatchReader,
    private readonly budget: { readonly rows: number; readonly bytes: number; readonly waitMs: number },
  ) {}

  /** The next group; empty at the end of the stream. */
  async next(): Promise<RecordBatch[]> {
    if (this.failed !== null) throw this.failed;
    const group: RecordBatch[] = [];
    let rows = 0;
    let bytes = 0;
    for (;;) {
      let batch: RecordBatch | null = this.held;
      try {
        if (batch === null && !this.done) {
          const reading = (this.reading ??= this.readBatch());
          if (group.length > 0 && !(await arrivesWithin(reading, this.budget.waitMs))) break;
          this.reading = null;
          batch = await reading;
        }
      } catch (error) {
        if (group.length === 0) throw error;
        // The whole batches before the failure still get their results.
        this.failed = error;
        break;
      }
      this.held = null;
      if (batch === null) break;
      if (group.length > 0 && (rows + batch.numRows > this.budget.rows || bytes + batch.data.byteLength > this.budget.bytes)) {
        this.held = batch;
        break;
      }
      group.push(batch);
      rows += batch.numRows;
      bytes += batch.data.byteLength;
      if (rows >= this.budget.rows || bytes >= this.budget.bytes) break;
    }
    this.count += group.length;
    this.rows += rows;
    return group;
  }

  private async readBatch(): Promise<RecordBatch | null> {
    try {
      const next = await this.reader.next();
      // A stream without batches yields one placeholder before it ends: an instance of a subclass of
      // RecordBatch (apache-arrow's own), where the batches of the stream are RecordBatches themselves.
      if (next.done === true || Object.getPrototypeOf(next.value) !== RecordBatch.prototype) {
        this.done = true;
        return null;
      }
      this.read++;
      return next.value;
    } catch (error) {
      throw new ArrowStreamError(`stdin: Arrow record batch ${this.read + 1} cannot be read: ${(error as Error).message}`);
    }
  }
}

/** Whether `promise` settles within `ms` (it is left to settle later otherwise). */
async function arrivesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = promise.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, sleep(ms, false, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

/** A grouped statement's rows (each row's position among the group's rows last) cut by input batch. */
function splitByBatch(rows: readonly (readonly SqlValue[])[], group: readonly RecordBatch[]): SqlValue[][][] {
  const ends: number[] = [];
  let total = 0;
  for (const b of group) ends.push((total += b.numRows));
  const parts: SqlValue[][][] = group.map(() => []);
  let batch = 0;
  for (const row of rows) {
    const position = Number(row.at(-1) as bigint);
    // Rows come in the input's order, mostly: move forward, or search again from the start.
    if (batch > 0 && position < ends[batch - 1]!) batch = 0;
    while (position >= ends[batch]!) batch++;
    parts[batch]!.push(row.slice(0, -1));
  }
  return parts;
}

/**
 * A bad row of a statement run over one batch: its `row N` counts the rows the statement gave the model,
 * so the error says which batch, and where it is in the stream.
 */
function inBatch(error: unknown, batch: number, firstRow: number, rows: number): unknown {
  if (!(error instanceof SqlError) || error.code !== 'model-row-error') return error;
  const where = rows === 0 ? '' : `, rows ${firstRow + 1} to ${firstRow + rows} of the stream`;
  const detail = `${error.detail} (in Arrow record batch ${batch + 1}${where})`;
  return new SqlError({ phase: error.phase, code: error.code, detail, ...(error.span === undefined ? {} : { span: error.span }), ...(error.source === undefined ? {} : { source: error.source }), cause: error.cause });
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

async function runStatement(engine: Engine, sql: string): Promise<{ columns: readonly ResultColumnInfo[]; rows: SqlValue[][] }> {
  let result: { columns: readonly ResultColumnInfo[]; rows: SqlValue[][] } | null = null;
  // Read to its end, not left early: only a statement read through ends as a success (its notices, such
  // as the rows that gave NULL under model_errors = 'null', are told then).
  for await (const statement of engine.stream(sql)) {
    const rows: SqlValue[][] = [];
    for await (const chunk of statement.chunks()) rows.push(...(chunk as SqlValue[][]));
    result = { columns: statement.columns, rows };
  }
  if (result !== null) return result;
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
