// The model path of a statement, the engine's seam: plan it, run the input and model stages, and hand
// back the output stage's SQL for the engine to run like any DuckDB statement. finish() ends the
// statement: it moves a COPY's file into place (or removes it) and drops the stages' tables.
import type { DuckDBConnection } from '@duckdb/node-api';
import { RowError, type ModelFunction, type ModelSettings, type PreparedCall, type PrepareProgress } from '../../udfs/model-function.js';
import { MODEL_ERRORS } from '../../udfs/settings-spec.js';
import { explainRows, explainSql, type AnalyzedRow } from '../plan/explain-plan.js';
import type { ModelPlan, RelationStage } from '../plan/model-plan.js';
import type { ModelRegistryView } from '../plan/model-calls.js';
import { planModelStatement, stagingCatalog } from '../plan/planner.js';
import type { Statement } from '../sql/ast.js';
import { parseStatement } from '../sql/parser.js';
import { reclaimNativeMemory } from './native-memory.js';
import { copyOutput, type AtomicOutput } from './copy-output.js';
import { SqlError, sqlErrorAt } from '../sql/sql-error.js';
import { duckdbError } from './duckdb-error.js';
import { duckdbCatalog } from './model-catalog.js';
import { interrupted, throwIfAborted } from './duckdb-statement.js';
import { executeThen } from './execute-then.js';
import { runModelStage } from './model-stage.js';
import { RowFailureSummary } from './row-failure-summary.js';

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
}

export interface StageStats {
  readonly stage: string;
  readonly detail: string;
  readonly rows: number;
  readonly ms: number;
  /** Model stages: from the start of the stages until the first input rows came out of DuckDB. */
  readonly firstRowsMs?: number | null;
}

export interface ModelStatementStats {
  /** Rows the model stages ran on, summed over calls' levels. */
  readonly modelRows: number;
  readonly stages: readonly StageStats[];
  /** From the start of the stages until every model was loaded (it loads while the first input is read). */
  readonly loadMs: number;
  /** Lines for the user once the statement has succeeded, e.g. how many rows gave NULL under model_errors = 'null'. */
  readonly notices: readonly string[];
}

export interface StagedStatement {
  /** The output stage: run it on the same connection, then call finish(). */
  readonly sql: string;
  /** finish(true) after the output stage succeeded, finish(false) after it failed or was aborted. */
  finish(ok: boolean): Promise<void>;
  readonly stats?: ModelStatementStats;
  /**
   * An error from running `sql` as the user should read it: the staged columns named by the calls they
   * hold, without DuckDB's excerpt of the generated SQL.
   */
  outputError(error: unknown): unknown;
}

export async function stageModelStatement(
  ctx: ModelStatementContext,
  source: string,
  statement: Statement = parseStatement(source),
): Promise<StagedStatement> {
  const plan = await planModelStatement(source, statement, ctx.registry, duckdbCatalog(ctx.connection));
  if (plan.explain === 'plan') {
    return { sql: explainSql(explainRows(plan, ctx.settings), false), finish: async () => {}, outputError: (e) => outputError(plan, e) };
  }
  const cleanup = new Cleanup(ctx.connection, plan);
  try {
    await cleanup.keepInsertionOrder();
    await ctx.connection.run(`ATTACH IF NOT EXISTS ':memory:' AS ${stagingCatalog}`);
    const stats = await runStages(ctx, plan);
    // The stages' last chunks are garbage now; left for V8 to find, their native memory slowed DuckDB's
    // next scan of wide rows by half or more (measured here).
    reclaimNativeMemory();
    const output = plan.copyTarget === null ? null : await copyOutput(plan.copyTarget, plan.copyOptions);
    cleanup.output = output;
    const sql = plan.output(output?.tempPath);
    if (plan.explain === 'analyze') return await analyze(ctx, plan, sql, stats, cleanup);
    return { sql, stats, finish: (ok) => cleanup.finish(ok), outputError: (e) => outputError(plan, e) };
  } catch (error) {
    await cleanup.finish(false);
    throw error;
  }
}

async function runStages(ctx: ModelStatementContext, plan: ModelPlan): Promise<ModelStatementStats> {
  // The models load (weights read, graph built, sessions made on the workers: seconds in a fresh shell)
  // while DuckDB reads the first input, which for wide rows takes seconds too; the first batch waits for
  // both. The load starts once DuckDB has the first query of the stages: building a graph holds the
  // main thread, and DuckDB then works on its own threads rather than waiting for it. When the input
  // fails first, the load is stopped rather than waited for.
  const loading = new AbortController();
  const signal = ctx.signal === undefined ? loading.signal : AbortSignal.any([ctx.signal, loading.signal]);
  const started = performance.now();
  let loadMs = 0;
  let startLoad = (): void => undefined;
  const preparing = new Promise<void>((resolve) => (startLoad = resolve))
    .then(() => prepareCalls({ ...ctx, signal }, plan))
    .then((prepared) => {
      loadMs = performance.now() - started;
      return prepared;
    });
  preparing.catch(() => undefined);
  try {
    const stats = await runPreparedStages(ctx, plan, started, preparing, startLoad);
    return { ...stats, loadMs };
  } catch (error) {
    // Either the load failed (and this is its error, met where the first batch waited for it) or the
    // input did, and the load is of no use any more.
    loading.abort(error);
    startLoad();
    await preparing.catch(() => undefined);
    throw error;
  }
}

async function runPreparedStages(
  ctx: ModelStatementContext,
  plan: ModelPlan,
  /** When the stages started (performance.now()), the origin of their first-rows times. */
  stagesStarted: number,
  preparing: Promise<Map<ModelFunction, PreparedCall>>,
  /** Starts the load (once; later calls do nothing), as soon as DuckDB executes a query of the stages. */
  startLoad: () => void,
): Promise<Omit<ModelStatementStats, 'loadMs'>> {
  const appendConnection = ctx.openConnection === undefined ? null : await ctx.openConnection();
  const onRowError = ctx.settings.get(MODEL_ERRORS) === 'null' ? 'null' : 'fail';
  const failures = new RowFailureSummary();
  try {
    const stages: StageStats[] = [];
    let modelRows = 0;
    for (const [i, stage] of plan.stages.entries()) {
      const n = i + 1;
      if (stage.materialize !== null) {
        const started = performance.now();
        const sql = stage.materialize.sql;
        const result = await duckdb(ctx, () => executeThen(ctx.connection, sql, (statement) => statement.run(), startLoad)).catch((error: unknown) => {
          throw inputError(plan, stage, error);
        });
        stages.push({ stage: `materialize ${n}`, detail: stage.materialize.table, rows: result.rowsChanged, ms: performance.now() - started });
      }
      const total = ctx.onProgress === undefined ? null : await countRows(ctx, stage.countSql, startLoad);
      for (const level of stage.levels) {
        const started = performance.now();
        const label = level.calls.map((c) => c.fn.name).join(', ');
        ctx.onProgress?.({ label, done: 0, total });
        const { rows, firstRowsAt } = await runModelStage({
          connection: ctx.connection,
          appendConnection,
          level,
          prepared: preparing.then((prepared) => level.calls.map((c) => prepared.get(c.fn)!)),
          batchSize: Math.min(...level.calls.map((c) => c.fn.batchSize ?? ctx.settings.batchSize)),
          maxInFlight: Math.max(2, 2 * ctx.settings.threads),
          source: plan.source,
          signal: ctx.signal,
          onRowError,
          onRows: (done) => ctx.onProgress?.({ label, done, total }),
          onRowFailures: (call, rowFailures) => failures.add(call.text, stage, rowFailures),
          onInputStarted: startLoad,
        }).catch(async (error: unknown) => {
          throw inputError(plan, stage, await withRowName(ctx, stage, error));
        });
        failures.rowsRead(level.calls.map((c) => c.text), rows);
        modelRows += rows * level.calls.length;
        stages.push({ stage: `model ${n}`, detail: level.calls.map((c) => c.text).join(', '), rows, ms: performance.now() - started, firstRowsMs: firstRowsAt === null ? null : firstRowsAt - stagesStarted });
      }
    }
    // An input with no rows never waited for the load: its failure is still the statement's.
    await preparing;
    return { modelRows, stages, notices: await failures.notices((stage, row) => rowName(ctx, stage, row)) };
  } finally {
    appendConnection?.closeSync();
  }
}

/** Each function is prepared (its model loaded and broadcast) once per statement. */
async function prepareCalls(ctx: ModelStatementContext, plan: ModelPlan): Promise<Map<ModelFunction, PreparedCall>> {
  const prepared = new Map<ModelFunction, PreparedCall>();
  for (const stage of plan.stages) {
    for (const level of stage.levels) {
      for (const call of level.calls) {
        if (prepared.has(call.fn)) continue;
        throwIfAborted(ctx.signal);
        try {
          // The first call's literals (e.g. a preprocess mode) are checked before any model loads; every
          // batch carries its own call's constants again, so other calls of the function are checked too.
          const constants = call.args.map((arg) => (arg.kind === 'constant' ? arg.value : undefined));
          prepared.set(call.fn, await call.fn.prepare({ settings: ctx.settings, constants, signal: ctx.signal, onProgress: ctx.onProgress }));
        } catch (error) {
          if (ctx.signal?.aborted) throw interrupted(error);
          if (error instanceof SqlError) throw error;
          // A model that cannot load (its file gone, unreadable) is the call's fault, at the call.
          const message = error instanceof Error ? error.message : String(error);
          throw sqlErrorAt('plan', 'model-unavailable', `${call.fn.name}: ${message}`, plan.source, call.span, error);
        }
      }
    }
  }
  return prepared;
}

/** `row N`, with the row's filename when the relation has a `filename` column (read_blob, read_parquet(..., filename = true)). */
async function rowName(ctx: ModelStatementContext, stage: RelationStage, row: number): Promise<string> {
  try {
    const reader = await ctx.connection.runAndReadAll(`SELECT CAST(filename AS VARCHAR) FROM (${stage.rowsSql}) LIMIT 1 OFFSET ${row}`);
    const filename = reader.getRows()[0]?.[0];
    if (typeof filename === 'string') return `row ${row + 1} (filename '${filename}')`;
  } catch {
    // No filename column (or no such row any more): the position alone names the row.
  }
  return `row ${row + 1}`;
}

/** A model stage's error for a bad row, with the row's filename added when there is one. */
async function withRowName(ctx: ModelStatementContext, stage: RelationStage, error: unknown): Promise<unknown> {
  if (!(error instanceof SqlError) || error.code !== 'model-row-error' || !(error.cause instanceof RowError)) return error;
  const named = await rowName(ctx, stage, error.cause.row);
  const detail = error.detail.replace(`row ${error.cause.row + 1}:`, `${named}:`);
  return new SqlError({ phase: error.phase, code: error.code, detail, span: error.span, source: error.source, cause: error.cause });
}

/**
 * DuckDB's failures while reading a model stage's input (a corrupt file, a bad cast) carry no position and
 * often no file name: they are placed at the relation and say which one was being read.
 */
function inputError(plan: ModelPlan, stage: RelationStage, error: unknown): unknown {
  if (!(error instanceof SqlError) || error.span !== undefined || !error.code.startsWith('duckdb-')) return error;
  const detail = `reading ${stage.relation}: ${error.detail}`;
  return new SqlError({ phase: error.phase, code: error.code, detail, span: stage.span, source: plan.source, cause: error.cause });
}

async function countRows(ctx: ModelStatementContext, sql: string, onExecuting: () => void): Promise<number> {
  const reader = await duckdb(ctx, () => executeThen(ctx.connection, sql, (statement) => statement.runAndReadAll(), onExecuting));
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

/** EXPLAIN ANALYZE: runs the output stage too, then reports every stage with its rows and time. */
async function analyze(
  ctx: ModelStatementContext,
  plan: ModelPlan,
  sql: string,
  stats: ModelStatementStats,
  cleanup: Cleanup,
): Promise<StagedStatement> {
  const started = performance.now();
  let rows = 0;
  try {
    const result = await duckdb(ctx, () => ctx.connection.stream(sql));
    let firstValue: unknown = null;
    for (;;) {
      const chunk = await duckdb(ctx, () => result.fetchChunk());
      if (chunk === null || chunk.rowCount === 0) break;
      if (rows === 0) firstValue = chunk.getColumnVector(0).getItem(0);
      rows += chunk.rowCount;
    }
    // COPY, CREATE TABLE AS and INSERT report the rows they wrote, as a count row or as rows changed.
    if (plan.statementKind !== 'select') rows = rows === 1 ? Number(firstValue) : result.rowsChanged;
  } catch (error) {
    await cleanup.finish(false);
    throw outputError(plan, error);
  }
  await cleanup.finish(true);
  const outputMs = performance.now() - started;
  const levels = new Map<string, StageStats[]>();
  for (const s of stats.stages) if (s.stage.startsWith('model ')) levels.set(s.stage, [...(levels.get(s.stage) ?? []), s]);
  let level: StageStats | undefined;
  let loadShown = false;
  const measured = explainRows(plan, ctx.settings).flatMap((row): AnalyzedRow[] => {
    if (row.stage === 'output') return [{ ...row, rows, ms: outputMs }];
    if (row.stage.startsWith('materialize ')) {
      const stat = stats.stages.find((s) => s.stage === row.stage);
      return [{ ...row, rows: stat?.rows ?? null, ms: stat?.ms ?? null }];
    }
    // A level's stats go on its input row (rows read) and its model rows (rows the model ran on, time),
    // followed by what its first batch waited for: DuckDB's first rows, and (once) the models' load.
    if (row.stage.startsWith('input ')) {
      level = levels.get(row.stage.replace('input', 'model'))?.shift();
      return [{ ...row, rows: level?.rows ?? null, ms: null }];
    }
    if (row.stage.startsWith('model ')) {
      const first = level?.firstRowsMs;
      const waits = [first == null ? 'no input rows' : `first input rows after ${Math.round(first)} ms`];
      if (!loadShown) waits.push(`models loaded after ${Math.round(stats.loadMs)} ms`);
      loadShown = true;
      return [
        { ...row, rows: level?.rows ?? null, ms: level?.ms ?? null },
        { stage: row.stage.replace('model', 'waits'), detail: waits.join(', '), rows: null, ms: null },
      ];
    }
    return [{ ...row, rows: null, ms: null }];
  });
  measured.push({ stage: 'total', detail: `the model ran on ${stats.modelRows} rows`, rows: stats.modelRows, ms: null });
  return { sql: explainSql(measured, true), stats, finish: async () => {}, outputError: (e) => outputError(plan, e) };
}

function outputError(plan: ModelPlan, error: unknown): unknown {
  const wrapped = duckdbError(error);
  if (wrapped.code === 'interrupted' || wrapped.span !== undefined) return wrapped;
  let detail = wrapped.detail.replace(/\n*LINE \d+: [^\n]*\n *\^[^\n]*/, '').trim();
  for (const [column, call] of plan.callNames) {
    detail = detail.replace(new RegExp(`(?:"?[A-Za-z_][A-Za-z0-9_]*"?\\.)?"?${column}"?(?![0-9])`, 'g'), call);
  }
  return new SqlError({ phase: 'execute', code: wrapped.code, detail, cause: error });
}

async function duckdb<T>(ctx: ModelStatementContext, call: () => Promise<T>): Promise<T> {
  throwIfAborted(ctx.signal);
  const onAbort = () => ctx.connection.interrupt();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await call();
  } catch (error) {
    if (ctx.signal?.aborted) throw interrupted(error);
    throw duckdbError(error);
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
  }
}

/** Ends the statement once: the COPY file committed or discarded, the staged tables dropped. */
class Cleanup {
  output: AtomicOutput | null = null;
  private done: Promise<void> | null = null;
  private restoreOrder = false;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly plan: ModelPlan,
  ) {}

  /**
   * The stages pair rows by position across scans, which holds only while DuckDB preserves insertion
   * order: turned on for the statement if the session turned it off.
   */
  async keepInsertionOrder(): Promise<void> {
    const reader = await this.connection.runAndReadAll(`SELECT current_setting('preserve_insertion_order')`);
    if (reader.getRows()[0]?.[0] === false) {
      await this.connection.run('SET preserve_insertion_order = true');
      this.restoreOrder = true;
    }
  }

  finish(ok: boolean): Promise<void> {
    this.done ??= this.run(ok);
    return this.done;
  }

  private async run(ok: boolean): Promise<void> {
    try {
      if (this.output !== null) await (ok ? this.output.commit() : this.output.discard());
    } finally {
      for (const table of [...this.plan.tempTables].reverse()) {
        await this.connection.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      }
      if (this.restoreOrder) await this.connection.run('SET preserve_insertion_order = false');
    }
  }
}
