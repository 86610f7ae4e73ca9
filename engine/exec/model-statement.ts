// A statement that calls model functions, owned from start to end by one object, in the order it runs:
//   plan    -> which relations feed models, what is pushed below them, the SQL of every stage (plain data)
//   begin   -> where staged tables go (a transaction of the user's keeps them in `temp`), insertion order
//   stages  -> each relation read once into numbered rows; the model levels over them, while the models load
//              (results that outgrow memory are written to a spill folder as they come)
//   output  -> DuckDB runs the user's statement over the staged rows (a COPY writes to a hidden file)
//   finish  -> the COPY's file moved into place or removed, staged tables and spilled results dropped,
//              notices told
import type { DuckDBConnection } from '@duckdb/node-api';
import { batchRows, MODEL_ERRORS, PARQUET_PAGES, type ModelSettings, type PrepareProgress } from '../../udfs/index.js';
import { explainRows, explainSql } from '../plan/explain-plan.js';
import { renderOutput, type ModelLevel, type ModelPlan, type RelationStage } from '../plan/model-plan.js';
import type { ModelRegistryView } from '../plan/model-calls.js';
import { withOneRowFrom } from '../plan/one-row-from.js';
import { planModelStatement, type StagingCatalog } from '../plan/planner.js';
import type { Statement } from '../sql/ast.js';
import { SqlError, sqlErrorAt } from '../sql/sql-error.js';
import type { ArrowTables } from './arrow-batch.js';
import { copyOutput, type AtomicOutput } from './copy-output.js';
import { runDuckDBStatement, type DuckDBStatementRun } from './duckdb-statement.js';
import { duckdbError } from './duckdb-error.js';
import { readsCatalog } from '../plan/catalog-reads.js';
import { executeThen } from './execute-then.js';
import { analyzedRows, StageFigures } from './explain-analyze.js';
import { interruptible } from './interruptible.js';
import { duckdbCatalog } from './duckdb-plan-catalog.js';
import { ModelLoad } from './model-load.js';
import { CallRowError, runModelStage } from './model-stage.js';
import { reclaimNativeMemory } from './native-memory.js';
import { RowFailureSummary } from './row-failure-summary.js';
import { ShardRun, type ShardFacts, type ShardOptions, type ShardOutput } from './shard-output.js';
import { registerResultScan } from './result-scan.js';
import type { ResultStore } from './result-store.js';
import { SpillFolder } from './spill-folder.js';

export interface ModelStatementContext {
  readonly connection: DuckDBConnection;
  readonly registry: ModelRegistryView;
  readonly settings: ModelSettings;
  readonly signal?: AbortSignal;
  /**
   * A second connection to the same database, for appending model results while the input streams
   * (memory then stays bounded by the batches in flight). Without it, a level's results are held in
   * memory until its input is read.
   */
  openConnection?(): Promise<DuckDBConnection>;
  /** Model loading (from prepare) and rows done by the model stages (label: the function's name). */
  onProgress?(progress: PrepareProgress): void;
  /** Lines for the user once the statement has succeeded, e.g. rows that gave NULL under model_errors = 'null'. */
  onNotice?(notice: string): void;
  /** `--shard I/N`: the statement reads its shard of the input and writes its part (shard-output.ts). */
  readonly shard?: ShardOptions;
  /** The Arrow batches of --arrow-stream: their list columns are read late, from Arrow's buffers. */
  readonly arrowTables?: ArrowTables;
}

/** The statement's result as DuckDB streams it, and the end the caller reports once it is read (or not). */
export interface ModelExecution {
  readonly run: DuckDBStatementRun;
  /** finish(true) after the output was read through, finish(false) after it failed or was abandoned. */
  finish(ok: boolean): Promise<void>;
}

export async function executeModelStatement(ctx: ModelStatementContext, source: string, parsed: Statement): Promise<ModelExecution> {
  const oneRow = withOneRowFrom(source, parsed, ctx.registry);
  if (oneRow === null) return execute(ctx, source, parsed);
  try {
    return await execute(ctx, oneRow.source, oneRow.statement);
  } catch (error) {
    throw oneRow.placeError(error);
  }
}

async function execute(ctx: ModelStatementContext, source: string, parsed: Statement, inTemp = false): Promise<ModelExecution> {
  // The retry in temp below follows a statement staged outside the user's transaction.
  const inTransaction = !inTemp && (await insideTransaction(ctx.connection));
  // A statement that lists the catalog stages in temp: the staging database attached for it would be listed.
  const staging = inTemp || inTransaction || readsCatalog(source) ? 'temp' : '__sqlinfer';
  const shard = ctx.shard === undefined ? null : new ShardRun(ctx.shard, source, parsed, ctx.connection);
  const plan = await planModelStatement(source, parsed, ctx.registry, duckdbCatalog(ctx.connection, pagesSetting(ctx.settings.get(PARQUET_PAGES)), ctx.arrowTables), staging, shard?.sharder);
  shard?.planned();
  if (plan.explain === 'plan') {
    const run = await runDuckDBStatement(ctx.connection, explainSql(explainRows(plan, ctx.settings), false), { signal: ctx.signal });
    return { run, finish: async () => {} };
  }
  const statement = new ModelStatement(ctx, plan, staging, shard);
  try {
    await statement.begin();
    await statement.runStages();
    return plan.explain === 'analyze' ? await statement.analyze() : await statement.output();
  } catch (error) {
    // The statement's own error is the one to tell; cleaning up after it may fail too (an aborted transaction).
    await statement.finish(false).catch(() => undefined);
    // The input writes to the user's database (nextval, perhaps inside a macro) and a DuckDB transaction
    // writes to one attached database only, the temp catalog aside: staged in temp, the input runs.
    if (staging === '__sqlinfer' && error instanceof SqlError && error.detail.includes('can only write to a single attached database')) {
      return execute(ctx, source, parsed, true);
    }
    if (inTransaction) await abortTransaction(ctx.connection, error);
    throw error;
  }
}

class ModelStatement {
  private readonly figures = new StageFigures();
  private readonly failures = new RowFailureSummary();
  private readonly onRowError: 'fail' | 'null';
  private readonly spill: SpillFolder = new SpillFolder();
  /** Every level's results, scanned by DuckDB until the statement ends. */
  private readonly results: ResultStore[] = [];
  private notices: readonly string[] = [];
  private copy: AtomicOutput | null = null;
  private shardOutput: ShardOutput | null = null;
  private restoreOrder = false;
  private ended: Promise<void> | null = null;

  constructor(
    private readonly ctx: ModelStatementContext,
    private readonly plan: ModelPlan,
    private readonly staging: StagingCatalog,
    private readonly shard: ShardRun | null,
  ) {
    this.onRowError = ctx.settings.get(MODEL_ERRORS) === 'null' ? 'null' : 'fail';
  }

  /**
   * The staged rows are numbered in the order the relation gives them and the output keeps that order
   * only while DuckDB preserves insertion order: turned on for the statement if the session turned it off.
   */
  async begin(): Promise<void> {
    registerResultScan(this.ctx.connection);
    const reader = await this.ctx.connection.runAndReadAll(`SELECT current_setting('preserve_insertion_order')`);
    if (reader.getRows()[0]?.[0] === false) {
      await this.ctx.connection.run('SET preserve_insertion_order = true');
      this.restoreOrder = true;
    }
    // READ_WRITE: in a database opened read-only, an attached one is read-only too unless told otherwise.
    if (this.staging === '__sqlinfer') await this.ctx.connection.run(`ATTACH IF NOT EXISTS ':memory:' AS __sqlinfer (READ_WRITE)`);
  }

  /**
   * Each relation is read once into its staged rows, then its model levels run over them. The models load
   * meanwhile: the load starts once DuckDB executes the first query (building a graph holds the main
   * thread; DuckDB then works on its own threads rather than waiting for it), and the first batch waits
   * for it. When a stage fails first, the load is stopped rather than waited for.
   */
  async runStages(): Promise<void> {
    const origin = performance.now();
    const load = new ModelLoad(this.plan, this.ctx, origin);
    // Inside a transaction the staged tables are the connection's own: no second connection sees them.
    const appendConnection = this.staging === 'temp' || this.ctx.openConnection === undefined ? null : await this.ctx.openConnection();
    try {
      await this.spill.readSetting(this.ctx.connection);
      for (const stage of this.plan.stages) {
        await this.stageRows(stage, load);
        const total = this.ctx.onProgress === undefined ? null : await this.countRows(stage);
        for (const level of stage.levels) await this.runLevel(stage, level, load, appendConnection, total, origin);
      }
      await load.ready();
      this.figures.loaded(load.loadedAfterMs);
      this.notices = await this.failures.notices((stage, row) => this.rowName(stage, row));
    } catch (error) {
      await load.abort(error);
      throw error;
    } finally {
      appendConnection?.closeSync();
    }
    // The stages' last chunks are garbage now; left for V8 to find, their native memory slowed DuckDB's
    // next scan of wide rows by half or more (measured here).
    reclaimNativeMemory();
  }

  /** The output stage, streamed to the caller. */
  async output(): Promise<ModelExecution> {
    this.copy = await this.openCopy();
    const sql = this.shardOutput?.sql ?? renderOutput(this.plan, this.copy?.tempPath);
    let run: DuckDBStatementRun;
    try {
      run = await runDuckDBStatement(this.ctx.connection, sql, { signal: this.ctx.signal });
    } catch (error) {
      throw this.outputError(error);
    }
    if (this.shardOutput !== null) run = this.shardOutput.observe(run);
    const outputError = (error: unknown) => this.outputError(error);
    async function* chunks() {
      try {
        yield* run.chunks();
      } catch (error) {
        throw outputError(error);
      }
    }
    return { run: { ...run, chunks }, finish: (ok) => this.finish(ok) };
  }

  /** EXPLAIN ANALYZE: runs the output stage too, then reports every stage with its rows and time. */
  async analyze(): Promise<ModelExecution> {
    this.copy = await this.openCopy();
    const started = performance.now();
    let rows = 0;
    try {
      const result = await this.duckdb(() => this.ctx.connection.stream(this.shardOutput?.sql ?? renderOutput(this.plan, this.copy?.tempPath)));
      let firstValue: unknown = null;
      for (;;) {
        const chunk = await this.duckdb(() => result.fetchChunk());
        if (chunk === null || chunk.rowCount === 0) break;
        if (rows === 0) firstValue = chunk.getColumnVector(0).getItem(0);
        rows += chunk.rowCount;
      }
      // COPY, CREATE TABLE AS and INSERT report the rows they wrote, as a count row or as rows changed.
      if (this.plan.statementKind !== 'select') rows = rows === 1 ? Number(firstValue) : result.rowsChanged;
    } catch (error) {
      throw this.outputError(error);
    }
    this.figures.add('output', rows, performance.now() - started);
    this.shardOutput?.wrote(rows);
    await this.finish(true);
    const sql = explainSql(analyzedRows(explainRows(this.plan, this.ctx.settings), this.figures), true);
    return { run: await runDuckDBStatement(this.ctx.connection, sql, { signal: this.ctx.signal }), finish: async () => {} };
  }

  /** Where a COPY writes: a hidden file to move into place at the end, or null (not a COPY, or written in place). */
  private async openCopy(): Promise<AtomicOutput | null> {
    if (this.shard !== null) return (this.shardOutput = await this.shard.openOutput(this.plan, () => this.shardFacts()));
    return this.plan.output.target === null ? null : copyOutput(this.plan.output.target, this.plan.copyOptions);
  }

  /** What a shard's marker records of the stages. */
  private shardFacts(): ShardFacts {
    return { rowsIn: this.figures.get(`stage ${this.plan.stages[0]?.id}`)?.rows ?? 0, rowErrors: this.failures.failedRows };
  }

  /** Ends the statement once: the COPY's file committed or discarded, the staged tables dropped. */
  finish(ok: boolean): Promise<void> {
    this.ended ??= this.end(ok);
    return this.ended;
  }

  private async end(ok: boolean): Promise<void> {
    try {
      if (this.copy !== null) await (ok ? this.copy.commit() : this.copy.discard());
    } finally {
      // A level's results are a table, or a view over their spilled parts.
      for (const table of [...this.plan.tempTables].reverse()) {
        await this.ctx.connection.run(`DROP TABLE IF EXISTS ${table}`).catch(() => this.ctx.connection.run(`DROP VIEW IF EXISTS ${table}`)).catch(() => undefined);
      }
      for (const results of this.results.splice(0)) results.forget();
      await this.spill.remove();
      if (this.restoreOrder) await this.ctx.connection.run('SET preserve_insertion_order = false').catch(() => undefined);
      // Attached only while the statement runs: the user's catalog listings never show it.
      if (this.staging === '__sqlinfer') await this.ctx.connection.run('DETACH DATABASE IF EXISTS __sqlinfer').catch(() => undefined);
    }
    if (ok) for (const notice of this.notices) this.ctx.onNotice?.(notice);
  }

  /**
   * The relation, read once: its rows after the pushed WHERE and LIMIT, numbered, into the stage's table;
   * or, when the first level streams them, the empty table it fills.
   */
  private async stageRows(stage: RelationStage, load: ModelLoad): Promise<void> {
    if (stage.stage.streamed) {
      await this.duckdb(() => this.ctx.connection.run(stage.stage.sql)).catch((error: unknown) => {
        throw this.inputError(stage, error);
      });
      return;
    }
    const started = performance.now();
    const rows = await (stage.stage.listingFirst === null
      ? this.duckdb(() => executeThen(this.ctx.connection, stage.stage.sql, (statement) => statement.run(), () => load.start())).then((r) => r.rowsChanged)
      : this.stageListing(stage, stage.stage.listingFirst, load)
    ).catch((error: unknown) => {
      throw this.inputError(stage, error);
    });
    this.figures.add(`stage ${stage.id}`, rows, performance.now() - started);
  }

  /** A listing of the catalog, read before its table is made (a listing is small: it is held meanwhile). */
  private async stageListing(stage: RelationStage, listing: string, load: ModelLoad): Promise<number> {
    load.start();
    const result = await this.duckdb(() => this.ctx.connection.run(listing));
    const chunks = await this.duckdb(() => result.fetchAllChunks());
    await this.duckdb(() => this.ctx.connection.run(`${stage.stage.sql} LIMIT 0`));
    const [catalog, table] = stage.stage.table.split('.') as [string, string];
    const appender = await this.ctx.connection.createAppender(table, 'main', catalog);
    try {
      for (const chunk of chunks) appender.appendDataChunk(chunk);
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return chunks.reduce((sum, chunk) => sum + chunk.rowCount, 0);
  }

  private async runLevel(
    stage: RelationStage,
    level: ModelLevel,
    load: ModelLoad,
    appendConnection: DuckDBConnection | null,
    total: number | null,
    origin: number,
  ): Promise<void> {
    const started = performance.now();
    const label = level.calls.map((c) => c.fn.name).join(', ');
    this.ctx.onProgress?.({ label, done: 0, total });
    const { rows, firstRowsAt, firstBatchAt, pagesMs, spilled, results } = await runModelStage({
      connection: this.ctx.connection,
      appendConnection,
      level,
      key: stage.key,
      prepared: load.callsOf(level),
      batchSize: Math.min(...level.calls.map((c) => batchRows(c.fn, this.ctx.settings))),
      spill: this.spill,
      maxInFlight: Math.max(2, 2 * this.ctx.settings.threads),
      source: this.plan.source,
      signal: this.ctx.signal,
      onRowError: this.onRowError,
      onRows: (done) => this.ctx.onProgress?.({ label, done, total }),
      onRowFailures: (call, rowFailures) => this.failures.add(call.text, stage, rowFailures),
      onInputStarted: () => load.start(),
      ...(this.ctx.arrowTables === undefined ? {} : { arrowTables: this.ctx.arrowTables }),
    }).catch(async (error: unknown) => {
      throw this.inputError(stage, await this.rowErrorOf(stage, error));
    });
    this.failures.rowsRead(level.calls.map((c) => c.text), rows);
    // A streamed relation was staged by this level, as its rows went by.
    if (level.stages !== null) this.figures.add(`stage ${stage.id}`, rows, null);
    const since = (at: number | null) => (at === null ? null : at - origin);
    if (pagesMs !== null) this.figures.add(`read ${level.id}`, rows, pagesMs);
    this.figures.addLevel(level.id, level.calls.length, rows, performance.now() - started, since(firstRowsAt), since(firstBatchAt));
    this.figures.spilled(level.id, spilled.parts, spilled.bytes);
    this.results.push(results);
  }

  /** The rows the stage's levels will read, for progress. A streamed relation is counted on its own. */
  private async countRows(stage: RelationStage): Promise<number> {
    const reader = await this.duckdb(() => this.ctx.connection.runAndReadAll(stage.countSql)).catch((error: unknown) => {
      throw this.inputError(stage, error);
    });
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  /** A bad row's error, made once it is known which row it was: its number, and its filename when it has one. */
  private async rowErrorOf(stage: RelationStage, error: unknown): Promise<unknown> {
    if (!(error instanceof CallRowError)) return error;
    const { call, rowError } = error;
    const row = await this.rowName(stage, rowError.row);
    return sqlErrorAt('execute', 'model-row-error', `${call.fn.name} failed on ${row}: ${rowError.reason}`, this.plan.source, call.span, rowError);
  }

  /**
   * `row N`, with the row's filename when the relation has a `filename` column (read_blob, read_parquet(...,
   * filename = true)); a row of the Arrow batches of --arrow-stream, read with its position, by its batch
   * and row in the stream.
   */
  private async rowName(stage: RelationStage, row: number): Promise<string> {
    for (const table of this.ctx.arrowTables?.list() ?? []) {
      try {
        const reader = await this.ctx.connection.runAndReadAll(`SELECT "${table.rowColumn}" FROM ${stage.stage.table} WHERE ${stage.key} = ${row + 1}`);
        const position = reader.getRows()[0]?.[0];
        if (typeof position === 'bigint') return table.rowName(Number(position));
      } catch {
        // The statement read the batch without the positions (it runs batch by batch).
      }
    }
    try {
      const reader = await this.ctx.connection.runAndReadAll(
        `SELECT CAST(filename AS VARCHAR) FROM ${stage.stage.table} WHERE ${stage.key} = ${row + 1}`,
      );
      const filename = reader.getRows()[0]?.[0];
      if (typeof filename === 'string') return `row ${row + 1} (filename '${filename}')`;
    } catch {
      // No filename column: the position alone names the row.
    }
    return `row ${row + 1}`;
  }

  /**
   * DuckDB's failures while reading a relation (a corrupt file, a bad cast) carry no position and often
   * no file name: they are placed at the relation and say which one was being read.
   */
  private inputError(stage: RelationStage, error: unknown): unknown {
    if (!(error instanceof SqlError) || error.span !== undefined || !error.code.startsWith('duckdb-')) return error;
    const detail = `reading ${stage.relation}: ${error.detail}`;
    return new SqlError({ phase: error.phase, code: error.code, detail, span: stage.span, source: this.plan.source, cause: error.cause });
  }

  /** An output-stage error as the user should read it: the staged columns named by the calls they hold. */
  private outputError(error: unknown): unknown {
    const wrapped = duckdbError(error);
    if (wrapped.code === 'interrupted' || wrapped.span !== undefined) return wrapped;
    let detail = wrapped.detail;
    // DuckDB names the file it was writing: the user knows their target, not the hidden temporary path.
    if (this.copy !== null && this.plan.output.target !== null) detail = detail.split(this.copy.tempPath).join(this.plan.output.target);
    for (const [column, call] of this.plan.callNames) {
      detail = detail.replace(new RegExp(`(?:"?[A-Za-z_][A-Za-z0-9_]*"?\\.)?"?${column}"?(?![0-9])`, 'g'), call);
    }
    return new SqlError({ phase: 'execute', code: wrapped.code, detail, cause: error });
  }

  private duckdb<T>(call: () => Promise<T>): Promise<T> {
    return interruptible(this.ctx.connection, this.ctx.signal, call);
  }
}

/**
 * True inside the user's BEGIN ... COMMIT: two statements then share one transaction id, while in
 * auto-commit each has its own. (A probe that fails, such as a second BEGIN, would abort the user's
 * transaction.)
 */
async function insideTransaction(connection: DuckDBConnection): Promise<boolean> {
  const id = async () => (await connection.runAndReadAll('SELECT txid_current()')).getRows()[0]?.[0];
  try {
    return (await id()) === (await id());
  } catch (error) {
    // Under PRAGMA enable_verification DuckDB runs the probe again and compares: it differs, and DuckDB
    // says so, only when each run has a transaction of its own, in auto-commit.
    if (error instanceof Error && error.message.includes('Copied statement differs from original result')) return false;
    throw error;
  }
}

/**
 * DuckDB aborts the user's transaction when a statement fails as it runs (not when it fails to parse or
 * bind), so that COMMIT keeps nothing of it: a model statement that fails as it runs, on a row or in a
 * model, does the same. A DuckDB error has done it already (the query below then fails too); a failing
 * query does it for the others.
 */
async function abortTransaction(connection: DuckDBConnection, error: unknown): Promise<void> {
  if (error instanceof SqlError && error.phase !== 'execute') return;
  await connection.run(`SELECT error('sqlinfer: a model statement failed in this transaction')`).catch(() => undefined);
}

function pagesSetting(value: string | undefined): 'auto' | 'always' | 'never' {
  return value === 'always' || value === 'never' ? value : 'auto';
}
