// The model stage of one level of calls over one relation: stream the input query's chunks out of DuckDB,
// cut them into batches, run every call on each batch with a bounded number of batches in flight (the cap
// bounds memory), and append the results in input order to the level's table (result-store.ts: written out
// to the spill folder as they outgrow memory).
//
// DuckDB ends a connection's streaming result, silently, when an appender on that same connection
// flushes (it does so by itself every ~200k rows). So staged rows go through a second connection when the
// engine provides one; without one they are held until the input is read, then appended.
import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import { RowError, type ModelResult, type PreparedCall, type RowErrorPolicy, type RowFailure } from '../../udfs/index.js';
import { inputSelectList, type ModelLevel, type PlannedCall } from '../plan/model-plan.js';
import { SqlError, sqlErrorAt } from '../sql/sql-error.js';
import { ArgBatcher, asArgBatch, callBatch, type ColumnsBatch } from './arg-columns.js';
import type { ArrowTables } from './arrow-batch.js';
import { executeThen } from './execute-then.js';
import { interruptible, interrupted, throwIfAborted } from './interruptible.js';
import { LateTensorColumns } from './late-tensors.js';
import { NativeChunkReclaimer } from './native-memory.js';
import { resultRowCount } from './result-vectors.js';
import { ResultStore } from './result-store.js';
import type { SpillFolder } from './spill-folder.js';
import { StagedRowsAppender } from './staged-rows-append.js';

export interface ModelStageOptions {
  /** Runs the input query. */
  readonly connection: DuckDBConnection;
  /** Appends the staged rows while the input streams; null to append them after the input is read. */
  readonly appendConnection: DuckDBConnection | null;
  readonly level: ModelLevel;
  /** The row key's column name: the results table stores each result with its row's key under it. */
  readonly key: string;
  /** The prepared call for each of `level.calls`, same order; awaited when the first batch is ready. */
  readonly prepared: Promise<readonly PreparedCall[]>;
  readonly batchSize: number;
  /** Where results go once they outgrow memory. */
  readonly spill: SpillFolder;
  /**
   * Full batches' worth of rows dispatched and not yet appended, at most (the batch being sent may pass
   * it). Counted in rows: the small batches at the input's end go out together, so a worker done early
   * takes the next one rather than waiting for an earlier batch's result to be appended.
   */
  readonly maxInFlight: number;
  /** The statement's text, for errors pointing at a call. */
  readonly source: string;
  readonly signal?: AbortSignal;
  /** SET model_errors: 'fail' (the default) stops at the first bad row, 'null' gives NULL for it. */
  readonly onRowError?: RowErrorPolicy;
  /** Called after each batch is done with the number of rows done so far. */
  onRows?(done: number): void;
  /** Under 'null': the rows of a call that gave NULL because they failed, batch by batch in input order. */
  onRowFailures?(call: PlannedCall, failures: readonly RowFailure[]): void;
  /** Called once DuckDB is executing the input query (on its own threads). */
  onInputStarted?(): void;
  /** The Arrow batches of --arrow-stream, for arguments read from them. */
  readonly arrowTables?: ArrowTables;
}

/** A row the model failed on under model_errors = 'fail': the statement names the row and places the error. */
export class CallRowError extends Error {
  constructor(
    readonly call: PlannedCall,
    readonly rowError: RowError,
  ) {
    super(`${call.fn.name} failed on row ${rowError.row + 1}: ${rowError.reason}`, { cause: rowError });
    this.name = 'CallRowError';
  }
}

interface InFlight {
  readonly batch: ColumnsBatch;
  readonly results: Promise<ModelResult[]>;
}

export interface ModelStageResult {
  /** Rows the model ran on. */
  readonly rows: number;
  /** When DuckDB handed over the first input rows (performance.now()), null when the input had none. */
  readonly firstRowsAt: number | null;
  /** When the first batch went to the model, its values read (performance.now()), null without rows. */
  readonly firstBatchAt: number | null;
  /** Milliseconds spent reading arguments late (Parquet pages, Arrow batches); null when none is. */
  readonly pagesMs: number | null;
  /** The results written out as they outgrew memory: parts and bytes (0 and 0 when they stayed in memory). */
  readonly spilled: { readonly parts: number; readonly bytes: number };
  /** The results, which DuckDB scans as the level's table until they are forgotten. */
  readonly results: ResultStore;
}

/** Runs the level. */
export async function runModelStage(options: ModelStageOptions): Promise<ModelStageResult> {
  let firstRowsAt: number | null = null;
  let firstBatchAt: number | null = null;
  const { connection, appendConnection, level, signal } = options;
  // Awaited before the first batch; a stage that ends without one leaves the load's failure to its caller.
  options.prepared.catch(() => undefined);
  let prepared: readonly PreparedCall[] | null = null;
  const store = new ResultStore(level.table, options.key, level.calls.map((c) => ({ name: c.column, type: c.fn.resultType })), options.spill);
  let staged: StagedRowsAppender | null = null;
  const argColumns = inputSelectList(level.inputColumns).length;
  const late = new LateTensorColumns(level, options.source, options.arrowTables);
  let rowsRead = 0n;
  const inFlight: InFlight[] = [];
  const maxInFlightRows = options.maxInFlight * options.batchSize;
  const rowsInFlight = () => inFlight.reduce((rows, f) => rows + f.batch.rowCount, 0);
  let done = 0;
  let prefetch: Promise<DuckDBDataChunk | null> | null = null;
  let fetching = false;
  try {
    // A level that reads the relation itself stages its rows' other columns as they stream, keyed by
    // their order: the input's columns after the arguments.
    staged = level.stages === null ? null : await StagedRowsAppender.open(appendConnection, level.stages.table, argColumns, level.stages.columns);
    const result = await interruptible(connection, signal, () =>
      executeThen(connection, level.inputSql, (statement) => statement.stream(), () => options.onInputStarted?.()),
    );
    // The input's chunks hold the rows' locations, not their values, when every list is read late.
    const cheapChunks = level.inputColumns.every((c) => c.source !== undefined || (c.kind === 'tensor-list' && c.scalar));
    const batcher = new ArgBatcher(level.inputColumns, options.batchSize, argColumns, cheapChunks);
    // Counts the chunks read and the chunks results are appended in: both hold native memory.
    const reclaimer = new NativeChunkReclaimer();
    const dispatch = (batch: ColumnsBatch, calls: readonly PreparedCall[]) => {
      firstBatchAt ??= performance.now();
      const results = Promise.all(level.calls.map((call, i) => runCall(calls[i]!, call, batch, options)));
      // Failures are reported when the batch's turn comes; until then nobody awaits this promise.
      results.catch(() => undefined);
      inFlight.push({ batch, results });
    };
    const completeNext = async () => {
      const next = inFlight.shift()!;
      const columns = await next.results;
      throwIfAborted(signal);
      columns.forEach((column, i) => {
        if (column.rowErrors !== undefined && column.rowErrors.length > 0) options.onRowFailures?.(level.calls[i]!, column.rowErrors);
      });
      reclaimer.read(await store.append(next.batch.keys, columns, next.batch.rowCount));
      done += next.batch.rowCount;
      options.onRows?.(done);
    };
    const send = async (batch: ColumnsBatch) => {
      reclaimer.read(batchBytes(batch));
      // Values read from pages arrive here, while earlier batches run.
      dispatch(await late.materialize(batch), (prepared ??= await options.prepared));
      while (rowsInFlight() >= maxInFlightRows) await completeNext();
    };
    const fetchNext = () => {
      const chunk = interruptible(connection, signal, () => result.fetchChunk());
      fetching = true;
      // Awaited in turn, or settled before the connection is used again when the stage fails.
      const settled = () => void (fetching = false);
      chunk.then(settled, settled);
      return chunk;
    };
    prefetch = fetchNext();
    for (;;) {
      const chunk = await prefetch;
      throwIfAborted(signal);
      if (chunk === null || chunk.rowCount === 0) break;
      firstRowsAt ??= performance.now();
      let keys: BigInt64Array | undefined;
      if (staged !== null) {
        keys = BigInt64Array.from({ length: chunk.rowCount }, (_, r) => rowsRead + BigInt(r) + 1n);
        rowsRead += BigInt(chunk.rowCount);
        staged.append(chunk, keys);
      }
      const batches = batcher.add(chunk, keys);
      // DuckDB decodes the next chunk (up to 2048 rows, seconds of work for wide rows) while the model
      // runs this one's batches, rather than after them with the model idle. At most one chunk is read
      // ahead, so memory stays bounded.
      prefetch = fetchNext();
      for (const batch of batches) await send(batch);
    }
    prefetch = null;
    for (const batch of batcher.finish()) await send(batch);
    while (inFlight.length > 0) await completeNext();
    await late.close(false);
    // The input's connection is free now.
    await store.finish(connection);
    await staged?.appendHeld(connection);
    return { rows: done, firstRowsAt, firstBatchAt, pagesMs: late.any ? late.ms : null, spilled: store.spilled, results: store };
  } catch (error) {
    // A failing stage does not wait for DuckDB to finish decoding a chunk it will never use.
    if (fetching) connection.interrupt();
    await Promise.allSettled([...inFlight.map((f) => f.results), prefetch]);
    await late.close(true);
    throw error;
  } finally {
    staged?.close();
  }
}

async function runCall(prepared: PreparedCall, call: PlannedCall, batch: ColumnsBatch, options: ModelStageOptions): Promise<ModelResult> {
  let column: ModelResult;
  try {
    const args = callBatch(batch, call.args);
    const policed = options.onRowError === undefined ? args : { ...args, onRowError: options.onRowError };
    column =
      prepared.runModel !== undefined ? await prepared.runModel(policed, options.signal) : await prepared.run(asArgBatch(policed), options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw interrupted(error);
    if (error instanceof RowError) throw new CallRowError(call, error);
    if (error instanceof SqlError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw sqlErrorAt('execute', 'model-error', `${call.fn.name} failed: ${message}`, options.source, call.span, error);
  }
  if (resultRowCount(column) !== batch.rowCount) {
    throw sqlErrorAt(
      'execute',
      'model-result-shape',
      `${call.fn.name} returned ${column.valid.length} rows for a batch of ${batch.rowCount} (rows ${batch.firstRow + 1} to ${batch.firstRow + batch.rowCount})`,
      options.source,
      call.span,
    );
  }
  return column;
}

/** The bytes of a batch's input columns: what it took out of DuckDB's chunks. */
function batchBytes(batch: ColumnsBatch): number {
  return batch.columns.reduce((sum, column) => sum + (column.kind === 'late' ? column.row.byteLength : column.values.byteLength + column.offsets.byteLength), 0);
}
