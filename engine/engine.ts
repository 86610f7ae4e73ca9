// The engine's public face: one DuckDB database and connection, sqlinfer's settings, and the model
// function registry. Each statement of the SQL text is routed: sqlinfer settings are handled here, model
// statements go through the model path (input and model stages, then an output stage on DuckDB), and
// everything else goes to DuckDB as the user wrote it.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { PrepareProgress, Registry, SqlSetup } from '../udfs/index.js';
import { duckdbError } from './exec/duckdb-error.js';
import { runDuckDBStatement, type DuckDBStatementRun } from './exec/duckdb-statement.js';
import { throwIfAborted } from './exec/interruptible.js';
import type { SqlValue, StatementResult, StreamedStatement } from './exec/result.js';
import { ArrowTables } from './exec/arrow-batch.js';
import { executeModelStatement } from './exec/model-statement.js';
import type { ShardOptions } from './exec/shard-output.js';
import { settingsRun } from './exec/result-settings.js';
import { storedStatementError } from './plan/stored-statements.js';
import { endsTransaction, namesAnyOf, routeStatement, streamsRows, type ModelRegistry } from './router.js';
import { ModelCatalog, modelStatementsUnavailable, type ModelCatalogUdfs } from './exec/user-models.js';
import { EngineSettings, type SettingValue } from './settings.js';
import { parseStatement } from './sql/parser.js';
import { splitStatements, type SplitStatement } from './sql/split-statements.js';
import type { LexedStatement } from './sql/lexer.js';
import { StatementQueue } from './statement-queue.js';
import { SqlError } from './sql/sql-error.js';
import type { Span } from './sql/span.js';

export interface EngineOptions {
  /** A DuckDB database file (created if missing), or ':memory:' (the default). */
  readonly database?: string;
  /** Opens `database` read-only (it must exist): statements that would change it fail, as in DuckDB's own read-only mode. */
  readonly readOnly?: boolean;
  /** The model functions statements may call; without them, every statement goes to DuckDB. */
  readonly udfs?: EngineUdfs;
  /** Initial sqlinfer settings, e.g. `{ model_threads: 4, resnet50_weights: 'random' }`. */
  readonly settings?: Readonly<Record<string, SettingValue | undefined>>;
  /** Reports slow preparation work (loading or downloading a model). */
  readonly onProgress?: (progress: PrepareProgress) => void;
  /**
   * A line for the user after a statement succeeded, e.g. how many rows failed and gave NULL under
   * `SET model_errors = 'null'`; the shell prints it on stderr.
   */
  readonly onNotice?: (notice: string) => void;
  /** `--shard I/N`: every model statement reads shard I of N of its input and writes its part (README "Many machines"). */
  readonly shard?: ShardOptions;
}

/** What the engine needs of udfs/ (createUdfs() gives all of it). */
export interface EngineUdfs {
  readonly registry: ModelRegistry;
  /**
   * Macros over the model functions' results, made before the first statement that names one: a session
   * that never names them leaves DuckDB's catalog as DuckDB alone would (its object ids included).
   */
  readonly setup?: SqlSetup;
  /** User models (CREATE MODEL ...): with these and a registry that can change, model statements work. */
  inspectModel?: ModelCatalogUdfs['inspectModel'];
  createModel?: ModelCatalogUdfs['createModel'];
  deriveModel?: ModelCatalogUdfs['deriveModel'];
  createDerivedModel?: ModelCatalogUdfs['createDerivedModel'];
  /** Stops the model runtime (its worker threads); called by Engine.close(). */
  close?(): Promise<void>;
}

export interface RunOptions {
  /** Aborting interrupts the running statement; it fails with SqlError code 'interrupted'. */
  readonly signal?: AbortSignal;
}

export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const database = options.database ?? ':memory:';
  const settings = new EngineSettings(options.settings);
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(database, options.readOnly === true ? { access_mode: 'READ_ONLY' } : {});
  } catch (error) {
    throw new SqlError({
      phase: 'execute',
      code: 'open-database',
      detail: `cannot open database '${database}': ${(error as Error).message}`,
      cause: error,
    });
  }
  const connection = await instance.connect();
  let catalog: ModelCatalog | null = null;
  const udfs = catalogUdfs(options.udfs);
  if (udfs !== null) {
    try {
      catalog = await ModelCatalog.open(connection, udfs, database, ...(options.onNotice === undefined ? [] : [options.onNotice]));
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw duckdbError(error);
    }
  }
  return new Engine(instance, connection, settings, options, catalog);
}

export class Engine {
  private closed = false;

  /** @internal use createEngine(). */
  constructor(
    private readonly instance: DuckDBInstance,
    /** The engine's DuckDB connection, for tools and tests; statements should go through run()/stream(). */
    readonly connection: DuckDBConnection,
    readonly settings: EngineSettings,
    private readonly options: EngineOptions,
    /** The user models of the database (null when the engine has no model runtime). */
    readonly models: ModelCatalog | null = null,
  ) {}

  /** Runs every `;`-separated statement in order and returns one materialized result per statement. */
  async run(sql: string, options: RunOptions = {}): Promise<StatementResult[]> {
    const results: StatementResult[] = [];
    for await (const statement of this.stream(sql, options)) {
      const rows: (readonly SqlValue[])[] = [];
      for await (const chunk of statement.chunks()) rows.push(...chunk);
      const { sql: text, span, kind, columns, rowsChanged } = statement;
      results.push({ sql: text, span, kind, columns, rowsChanged, rows });
    }
    return results;
  }

  /**
   * Runs the statements one at a time as the caller iterates: each yielded statement has run up to its
   * first rows, and its rows come chunk by chunk, so big results are never held whole. A failing
   * statement throws a SqlError (positions relative to `sql`) and the statements after it never run.
   */
  async *stream(sql: string, options: RunOptions = {}): AsyncGenerator<StreamedStatement> {
    this.assertOpen();
    const { signal } = options;
    for (const statement of splitStatements(sql)) {
      throwIfAborted(signal);
      const placed = (error: unknown) => placeError(placeError(error, statement.written.text, sql, statement.written.start), statement.text, sql, statement.span.start);
      // A statement submitted while another runs waits for it to finish: they share one connection.
      const release = await this.queue.acquire(signal);
      let execution: Execution;
      try {
        execution = await this.execute(statement, signal);
      } catch (error) {
        release();
        throw placed(error);
      }
      let ok = false;
      let failed = false;
      const failedChunk = (error: unknown) => {
        failed = true;
        return placed(error);
      };
      try {
        const { run } = execution;
        yield {
          sql: statement.text,
          span: statement.span,
          kind: run.kind,
          columns: run.columns,
          rowsChanged: run.rowsChanged,
          chunks: () => placeChunkErrors(run.chunks(), failedChunk),
        };
        ok = !failed;
      } finally {
        try {
          await execution.finish(ok);
        } finally {
          release();
        }
      }
    }
  }

  /** Closes the connection, the database and the model runtime. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.options.udfs?.close?.();
    } finally {
      this.connection.closeSync();
      this.instance.closeSync();
    }
  }

  private readonly queue = new StatementQueue();
  /** The Arrow batch tables made on this engine's connection (ArrowBatchTable.create). */
  readonly arrowTables = new ArrowTables();

  /** Whether the udfs' setup macros exist on the connection; a rollback may take them away. */
  private setupMade = false;

  /** Makes the udfs' macros when the statement names one of them and they may not exist. */
  private async setUp(lexed: LexedStatement): Promise<void> {
    const setup = this.options.udfs?.setup;
    if (setup === undefined) return;
    if (endsTransaction(lexed)) this.setupMade = false;
    if (this.setupMade || !namesAnyOf(lexed, setup.names)) return;
    try {
      for (const sql of setup.sql) await this.connection.run(sql);
    } catch (error) {
      throw duckdbError(error);
    }
    this.setupMade = true;
  }

  private async execute(statement: SplitStatement, signal: AbortSignal | undefined): Promise<Execution> {
    const { text, lexed, written } = statement;
    await this.setUp(lexed);
    const route = routeStatement(text, this.options.udfs?.registry, lexed);
    switch (route.kind) {
      case 'duckdb':
        return {
          run: await runDuckDBStatement(this.connection, written.text, { signal, errorSource: written.text, plain: !streamsRows(lexed) }),
          finish: async () => {},
        };
      case 'set-setting':
        try {
          this.settings.set(route.name, route.value);
        } catch (error) {
          throw positioned(error, text, route.valueSpan);
        }
        return { run: settingsRun(), finish: async () => {} };
      case 'reset-setting':
        this.settings.reset(route.name);
        return { run: settingsRun(), finish: async () => {} };
      case 'show-settings':
        return { run: settingsRun(this.settings.list()), finish: async () => {} };
      case 'model-catalog':
        if (this.models === null) throw modelStatementsUnavailable(text);
        return { run: await this.models.execute(text, lexed, { settings: this.settings, signal, onProgress: this.options.onProgress }), finish: async () => {} };
      case 'model': {
        const refused = storedStatementError(text, lexed.tokens, route.calls);
        if (refused !== null) throw refused;
        return this.executeModel(statement, signal);
      }
    }
  }

  private executeModel({ text, lexed }: SplitStatement, signal: AbortSignal | undefined): Promise<Execution> {
    return executeModelStatement(
      {
        connection: this.connection,
        registry: this.options.udfs!.registry,
        settings: this.settings,
        signal,
        onProgress: this.options.onProgress,
        onNotice: this.options.onNotice,
        ...(this.options.shard === undefined ? {} : { shard: this.options.shard }),
        arrowTables: this.arrowTables,
        // Results are appended on a connection of their own: an appender flushing on the connection
        // that streams the input ends that stream early, silently.
        openConnection: () => this.instance.connect(),
      },
      text,
      parseStatement(text, lexed),
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new SqlError({ phase: 'execute', code: 'engine-closed', detail: 'the engine is closed' });
  }
}

interface Execution {
  readonly run: DuckDBStatementRun;
  finish(ok: boolean): Promise<void>;
}

/** The udfs as the model catalog needs them, or null when they cannot hold user models. */
function catalogUdfs(udfs: EngineUdfs | undefined): ModelCatalogUdfs | null {
  if (udfs === undefined || udfs.inspectModel === undefined || udfs.createModel === undefined) return null;
  const registry = udfs.registry as Partial<Registry> & ModelRegistry;
  if (registry.register === undefined || registry.unregister === undefined) return null;
  const derived = udfs.deriveModel && udfs.createDerivedModel ? { deriveModel: udfs.deriveModel, createDerivedModel: udfs.createDerivedModel } : {};
  return { registry: registry as Registry, inspectModel: udfs.inspectModel, createModel: udfs.createModel, ...derived };
}

/** Errors whose positions refer to the statement are moved into the whole text given to run()/stream(). */
function placeError(error: unknown, statementText: string, source: string, offset: number): unknown {
  if (error instanceof SqlError && error.span !== undefined && error.source === statementText) {
    return error.rebase(source, offset);
  }
  return error;
}

/** A statement-level SqlError (no position yet) pointed at `at` in the statement's text. */
function positioned(error: unknown, text: string, at: Span): unknown {
  if (!(error instanceof SqlError) || error.span !== undefined) return error;
  return new SqlError({ phase: error.phase, code: error.code, detail: error.detail, span: at, source: text, cause: error.cause });
}

async function* placeChunkErrors(
  chunks: AsyncGenerator<SqlValue[][]>,
  placed: (error: unknown) => unknown,
): AsyncGenerator<SqlValue[][]> {
  try {
    yield* chunks;
  } catch (error) {
    throw placed(error);
  }
}

