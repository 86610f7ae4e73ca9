// The models users register: CREATE MODEL, DROP MODEL, SHOW MODELS and DESCRIBE MODEL, and their
// persistence. Each model is a row of the table `sqlinfer_models` in the database (a file database keeps
// them for the next session; an in-memory one for this session), and a function in the registry, which
// is filled from the table when the engine starts. With a database file, a relative path means relative to
// the file's folder, when the model is created and in every later session, whatever the current folder:
// the database and its models move together. In memory, it is relative to the current folder.
// A model made FROM a built-in one (resnet50 in int8) is a row too, whose spec holds its calibration.
// The table is the truth: a stored model that cannot be loaded, a table of that name that is not ours, or
// the table dropped under the session are told to the user, never passed over in silence.
import type { DuckDBConnection } from '@duckdb/node-api';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import {
  CalibrationError,
  describeUserModel,
  type ConstantValue,
  type DeriveModelRequest,
  type ModelFunction,
  type ModelSettings,
  type PrepareProgress,
  type QuantizedResnet50,
  type QuantizedResnet50Spec,
  type Registry,
  type UserModel,
  type UserModelSpec,
} from '../../udfs/index.js';
import { quoteString } from '../plan/sql-text.js';
import type { LexedStatement } from '../sql/lexer.js';
import { parseModelStatement, type ModelStatement } from '../sql/model-catalog-syntax.js';
import { SqlError, sqlErrorAt, type SqlErrorCode } from '../sql/sql-error.js';
import type { Span } from '../sql/span.js';
import { calibrationRows } from './calibration-rows.js';
import { runDuckDBStatement, type DuckDBStatementRun } from './duckdb-statement.js';
import { duckdbError } from './duckdb-error.js';
import { interrupted } from './interruptible.js';

/** What the catalog needs of udfs/: a registry it may change, and user models (createUdfs() has both). */
export interface ModelCatalogUdfs {
  readonly registry: Registry;
  inspectModel(name: string, path: string, options: Readonly<Record<string, ConstantValue>>): Promise<UserModelSpec>;
  createModel(spec: UserModelSpec): UserModel;
  /** Models made FROM a built-in one (resnet50 in int8), when the udfs have them. */
  deriveModel?(request: DeriveModelRequest): Promise<QuantizedResnet50Spec>;
  createDerivedModel?(spec: QuantizedResnet50Spec): QuantizedResnet50;
}

/** The format column of a model made FROM resnet50 in int8. */
const DERIVED_FORMAT = 'resnet50-int8';

/** What a statement about models may need besides its text: the session's settings, progress. */
export interface ModelStatementContext {
  readonly settings: ModelSettings;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: PrepareProgress) => void) | undefined;
}

/** A registered model, whether a file (UserModel) or derived from a built-in (QuantizedResnet50). */
interface CatalogModel {
  readonly fn: ModelFunction;
  readonly format: string;
  /** The file SHOW MODELS shows: the model's, or the weights' of a derived model. */
  readonly file: string;
  release(): void;
  checkFiles(): Promise<void>;
  describe(): Promise<[string, string][]>;
}

function fileModel(model: UserModel): CatalogModel {
  return { fn: model, format: model.spec.format, file: model.spec.path, release: () => model.release(), checkFiles: () => model.checkFiles(), describe: () => describeUserModel(model) };
}

function derivedModel(model: QuantizedResnet50): CatalogModel {
  return {
    fn: model,
    format: DERIVED_FORMAT,
    file: model.spec.weightsSource,
    release: () => model.release(),
    checkFiles: () => model.checkFiles(),
    describe: async () => model.describeRows(),
  };
}

const TABLE = 'sqlinfer_models';

/** The columns the catalog reads and writes (all VARCHAR); the table may have more. */
const COLUMNS = ['name', 'path', 'format', 'options', 'spec'] as const;

const CREATE_TABLE_COLUMNS =
  'name VARCHAR PRIMARY KEY, path VARCHAR NOT NULL, format VARCHAR NOT NULL, options VARCHAR NOT NULL, spec VARCHAR NOT NULL, created_at TIMESTAMP DEFAULT current_timestamp';

/** A stored model that could not be loaded when the database opened, and why. */
export interface StoredModelProblem {
  readonly name: string;
  readonly reason: string;
}

/** The table's state: not there, sqlinfer's, or another table of that name (described by its columns). */
type TableState = { readonly kind: 'absent' } | { readonly kind: 'ours' } | { readonly kind: 'foreign'; readonly columns: string };

/** Where notices go when the caller gives no other place: stderr, as the shell prints its notices. */
function toStderr(notice: string): void {
  process.stderr.write(`${notice}\n`);
}

export class ModelCatalog {
  private readonly models = new Map<string, CatalogModel>();
  /** Stored models that are not registered (their row could not make a function); DROP MODEL still removes them. */
  private readonly unusable = new Map<string, StoredModelProblem>();
  private readonly loadProblems: StoredModelProblem[] = [];
  /** Whether the table held models during this session: if it disappears, the user must hear of it. */
  private tableSeen = false;

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly udfs: ModelCatalogUdfs,
    /** The folder relative paths are stored against: the database file's, or null in memory. */
    private readonly base: string | null,
    /** The database the table lives in (the one current when the catalog opened). */
    private readonly databaseName: string,
    private readonly table: string,
    private readonly notify: (notice: string) => void,
  ) {}

  /**
   * Registers the models stored in the database (their files are checked, not read: that waits for a
   * call). A model that cannot be loaded, or a table of that name that is not sqlinfer's, is reported
   * through `notify` (default stderr), and the database opens all the same.
   */
  static async open(connection: DuckDBConnection, udfs: ModelCatalogUdfs, database: string, notify: (notice: string) => void = toStderr): Promise<ModelCatalog> {
    const reader = await connection.runAndReadAll('SELECT current_database()');
    const databaseName = String(reader.getRows()[0]?.[0] ?? 'memory');
    const table = `"${databaseName.replace(/"/g, '""')}".main.${TABLE}`;
    const inMemory = database === ':memory:' || database === '';
    const catalog = new ModelCatalog(connection, udfs, inMemory ? null : dirname(resolve(database)), databaseName, table, notify);
    for (const notice of await catalog.load()) notify(notice);
    return catalog;
  }

  /** Names and reasons of the stored models that could not be loaded when the database opened. */
  get problems(): readonly StoredModelProblem[] {
    return this.loadProblems;
  }

  async execute(source: string, lexed: LexedStatement, context: ModelStatementContext): Promise<DuckDBStatementRun> {
    const { signal } = context;
    const statement = parseModelStatement(source, lexed);
    await this.checkTableKept(source);
    switch (statement.kind) {
      case 'CreateModel':
        await this.create(source, statement, context);
        return nothing();
      case 'DropModel':
        await this.drop(source, statement);
        return nothing();
      case 'ShowModels':
        return this.rows(['name', 'format', 'file', 'arguments', 'result_type'], this.showRows(), signal);
      case 'DescribeModel':
        return this.rows(['property', 'value'], await this.describeRows(source, statement), signal);
    }
  }

  /** Registers the stored models; returns what the user must be told. */
  private async load(): Promise<string[]> {
    const state = await this.tableState();
    if (state.kind === 'absent') return [];
    if (state.kind === 'foreign') return [`${foreignTableText(state.columns)}: no model of this database is loaded`];
    this.tableSeen = true;
    const notices: string[] = [];
    const reader = await this.connection.runAndReadAll(`SELECT name, path, format, spec FROM ${this.table} ORDER BY name`);
    for (const [name, path, format, spec] of reader.getRows()) {
      const stored = String(name);
      try {
        const model = String(format) === DERIVED_FORMAT ? this.addDerived({ ...(JSON.parse(String(spec)) as QuantizedResnet50Spec), name: stored }) : this.add({ ...(JSON.parse(String(spec)) as UserModelSpec), name: stored, path: this.resolveStored(String(path)) });
        try {
          await model.checkFiles();
        } catch (error) {
          // Kept registered: the file may come back, and DROP MODEL works on it.
          this.loadProblems.push({ name: stored, reason: (error as Error).message });
          notices.push(`model ${stored} cannot be loaded: ${(error as Error).message}; its calls fail until the file is back (DROP MODEL ${stored} removes it)`);
        }
      } catch (error) {
        const problem = { name: stored, reason: (error as Error).message };
        this.unusable.set(stored.toLowerCase(), problem);
        this.loadProblems.push(problem);
        notices.push(`model ${stored} cannot be loaded and is not registered: ${problem.reason} (CREATE OR REPLACE MODEL ${stored} re-creates it, DROP MODEL ${stored} removes it)`);
      }
    }
    return notices;
  }

  /**
   * The table is looked up by an appender, which finds it by name without listing the catalog: a listing
   * (duckdb_columns(), or the "did you mean" of a failed SELECT) makes DuckDB create its built-in views,
   * which shifts the object ids of everything created after, as DuckDB alone would not. A read-only
   * database has no appenders: there the listing is read.
   */
  private async tableState(): Promise<TableState> {
    let columns: { readonly name: string; readonly type: string }[];
    try {
      (await this.connection.createAppender(TABLE, 'main', this.databaseName)).closeSync();
      const reader = await this.connection.runAndReadAll(`SELECT * FROM ${this.table} LIMIT 0`);
      const types = reader.columnTypes();
      columns = reader.columnNames().map((name, i) => ({ name, type: types[i]!.toString() }));
    } catch (error) {
      if (/could not be found/.test((error as Error).message)) return { kind: 'absent' };
      const reader = await this.connection.runAndReadAll(
        `SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = $1 AND schema_name = 'main' AND table_name = '${TABLE}' ORDER BY column_index`,
        [this.databaseName],
      );
      columns = reader.getRows().map(([name, type]) => ({ name: String(name), type: String(type) }));
    }
    if (columns.length === 0) return { kind: 'absent' };
    const ours = COLUMNS.every((c) => columns.some((column) => column.name === c && column.type === 'VARCHAR'));
    return ours ? { kind: 'ours' } : { kind: 'foreign', columns: columns.map((c) => `${c.name} ${c.type}`).join(', ') };
  }

  /**
   * DROP TABLE sqlinfer_models removes every model from the database: the next model statement says so
   * (once), naming the models and their files, and the session unregisters them, as the next one would.
   */
  private async checkTableKept(source: string): Promise<void> {
    if (!this.tableSeen || (await this.tableState()).kind !== 'absent') return;
    this.tableSeen = false;
    const lost = [...this.models.values()].map((m) => `${m.fn.name} ('${m.file}')`);
    for (const [name, model] of this.models) {
      this.udfs.registry.unregister(name);
      model.release();
    }
    this.models.clear();
    this.unusable.clear();
    if (lost.length === 0) return;
    throw new SqlError({
      phase: 'plan',
      code: 'model-table-dropped',
      detail:
        `the table ${TABLE}, where this database keeps its models, was dropped, and with it the models ${lost.join(', ')}: ` +
        `they are unregistered now (CREATE MODEL them again to keep them; DROP MODEL removes one model)`,
      source,
      span: { start: 0, end: source.length },
    });
  }

  /** Fails, naming the table and what it should hold, when the table of that name is not sqlinfer's. */
  private async tableForWriting(source: string, span: Span): Promise<void> {
    const state = await this.tableState();
    if (state.kind === 'foreign') {
      throw sqlErrorAt(
        'plan',
        'model-table-foreign',
        `${foreignTableText(state.columns)}: rename or drop that table to keep models in this database`,
        source,
        span,
      );
    }
  }

  private add(spec: UserModelSpec): CatalogModel {
    return this.register(spec.name, fileModel(this.udfs.createModel(spec)));
  }

  private addDerived(spec: QuantizedResnet50Spec): CatalogModel {
    if (this.udfs.createDerivedModel === undefined) throw new Error('this engine has no built-in models to derive from');
    return this.register(spec.name, derivedModel(this.udfs.createDerivedModel(spec)));
  }

  private register(name: string, model: CatalogModel): CatalogModel {
    this.udfs.registry.register(model.fn);
    this.models.set(name.toLowerCase(), model);
    return model;
  }

  private async create(source: string, s: Extract<ModelStatement, { kind: 'CreateModel' }>, context: ModelStatementContext): Promise<void> {
    const at = (span: Span, code: SqlErrorCode, detail: string, cause?: unknown) => sqlErrorAt('plan', code, detail, source, span, cause);
    const existing = this.udfs.registry.get(s.name);
    if (existing !== undefined) {
      if (!this.models.has(s.name)) {
        throw at(s.nameSpan, 'model-name-taken', `${s.name} is a built-in model function and cannot be replaced: choose another name`);
      }
      if (s.ifNotExists) return;
      if (!s.orReplace) throw at(s.nameSpan, 'model-name-taken', `a model named ${s.name} already exists: use CREATE OR REPLACE MODEL, or DROP MODEL ${s.name} first`);
    } else if (this.unusable.has(s.name) && !s.orReplace) {
      // Its row is still the user's: replacing it takes OR REPLACE, as for any model.
      const reason = this.unusable.get(s.name)!.reason;
      throw at(s.nameSpan, 'model-name-taken', `a model named ${s.name} is stored but cannot be loaded (${reason}): use CREATE OR REPLACE MODEL, or DROP MODEL ${s.name} first`);
    } else if (await this.isDuckDBFunction(s.name)) {
      throw at(s.nameSpan, 'model-name-taken', `${s.name} is a DuckDB function: choose another name for the model`);
    }
    const options = Object.fromEntries(s.options.map((o) => [o.name, o.value]));
    const invalid = (error: unknown) => {
      if (context.signal?.aborted) return interrupted(error);
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof CalibrationError) {
        const calibrate = s.options.find((o) => o.name === 'calibrate');
        return at(calibrate?.valueSpan ?? s.pathSpan, 'model-calibration', message, error);
      }
      const option = /^(?:unknown )?option (\w+)/.exec(message)?.[1];
      const span = s.options.find((o) => o.name === option?.toLowerCase())?.[option !== undefined && message.startsWith('unknown') ? 'nameSpan' : 'valueSpan'] ?? s.pathSpan;
      return at(span, 'model-invalid', message, error);
    };
    let made: { model: CatalogModel; spec: UserModelSpec | QuantizedResnet50Spec; path: string; format: string };
    try {
      made = s.fromModel ? await this.derive(s.name, s.path, options, context) : await this.inspect(s.name, s.path, options);
    } catch (error) {
      throw invalid(error);
    }
    const { model, spec } = made;
    const stored = s.fromModel || isAbsolute(s.path) || this.base === null ? made.path : relative(this.base, made.path);
    await this.tableForWriting(source, s.nameSpan);
    try {
      await this.connection.run(`CREATE TABLE IF NOT EXISTS ${this.table} (${CREATE_TABLE_COLUMNS})`);
      await this.connection.run(`DELETE FROM ${this.table} WHERE name = $1`, [s.name]);
      await this.connection.run(`INSERT INTO ${this.table} (name, path, format, options, spec) VALUES ($1, $2, $3, $4, $5)`, [
        s.name,
        stored,
        made.format,
        JSON.stringify(options),
        JSON.stringify(spec),
      ]);
    } catch (error) {
      throw duckdbError(error);
    }
    this.tableSeen = true;
    this.unusable.delete(s.name);
    if (existing !== undefined) {
      this.udfs.registry.unregister(s.name);
      this.models.get(s.name)?.release();
    }
    this.register(s.name, model);
  }

  /** A model file, read and checked; its function is made before anything is stored, so a layout it rejects fails first. */
  private async inspect(name: string, path: string, options: Readonly<Record<string, ConstantValue>>) {
    const spec = await this.udfs.inspectModel(name, this.resolveStored(path), options);
    return { model: fileModel(this.udfs.createModel(spec)), spec, path: spec.path, format: spec.format as string };
  }

  /** A model FROM a built-in one: its calibration query runs here, on the database's connection. */
  private async derive(name: string, base: string, options: Readonly<Record<string, ConstantValue>>, context: ModelStatementContext) {
    if (this.udfs.deriveModel === undefined || this.udfs.createDerivedModel === undefined) throw new Error('this engine has no built-in models to derive from');
    const spec = await this.udfs.deriveModel({
      base,
      name,
      options,
      rows: (sql) => calibrationRows(this.connection, sql, (fn) => this.udfs.registry.has(fn), context.signal),
      settings: context.settings,
      onNotice: this.notify,
      ...(context.signal ? { signal: context.signal } : {}),
      ...(context.onProgress ? { onProgress: context.onProgress } : {}),
    });
    return { model: derivedModel(this.udfs.createDerivedModel(spec)), spec, path: spec.weightsSource, format: DERIVED_FORMAT };
  }

  private async drop(source: string, s: Extract<ModelStatement, { kind: 'DropModel' }>): Promise<void> {
    if (!this.models.has(s.name) && !this.unusable.has(s.name)) {
      if (this.udfs.registry.has(s.name)) {
        throw sqlErrorAt('plan', 'model-builtin', `${s.name} is a built-in model function and cannot be dropped`, source, s.nameSpan);
      }
      if (s.ifExists) return;
      throw sqlErrorAt('plan', 'model-not-found', `there is no model named ${s.name}`, source, s.nameSpan);
    }
    await this.tableForWriting(source, s.nameSpan);
    try {
      await this.connection.run(`DELETE FROM ${this.table} WHERE name = $1`, [s.name]);
    } catch (error) {
      throw duckdbError(error);
    }
    this.unusable.delete(s.name);
    const model = this.models.get(s.name);
    if (model === undefined) return;
    this.udfs.registry.unregister(s.name);
    model.release();
    this.models.delete(s.name);
  }

  private showRows(): (string | null)[][] {
    return this.udfs.registry.list().map((fn) => {
      const model = this.models.get(fn.name);
      const args = fn.args.map((a) => (a.optional ? `[${a.name}]` : a.name)).join(', ');
      return [fn.name, model?.format ?? 'built-in', model?.file ?? null, args, fn.resultType];
    });
  }

  private async describeRows(source: string, s: Extract<ModelStatement, { kind: 'DescribeModel' }>): Promise<(string | null)[][]> {
    const model = this.models.get(s.name);
    if (model !== undefined) return model.describe();
    const fn = this.udfs.registry.get(s.name);
    if (fn === undefined) throw sqlErrorAt('plan', 'model-not-found', `there is no model named ${s.name}`, source, s.nameSpan);
    return [
      ['name', fn.name],
      ['format', 'built-in'],
      ['description', fn.description],
      ...fn.args.map((a) => [`argument ${a.name}`, `${a.kinds.join(' or ')}${a.optional ? ' (optional)' : ''}${a.constant ? ', a constant' : ''}`]),
      ['result type', fn.resultType],
    ];
  }

  private async isDuckDBFunction(name: string): Promise<boolean> {
    const reader = await this.connection.runAndReadAll('SELECT count(*) FROM duckdb_functions() WHERE lower(function_name) = $1', [name.toLowerCase()]);
    return Number(reader.getRows()[0]?.[0] ?? 0) > 0;
  }

  private resolveStored(path: string): string {
    return isAbsolute(path) || this.base === null ? resolve(path) : resolve(this.base, path);
  }

  /** A result with VARCHAR columns, through DuckDB so that it has DuckDB's column types and values. */
  private rows(columns: readonly string[], rows: readonly (readonly (string | null)[])[], signal: AbortSignal | undefined): Promise<DuckDBStatementRun> {
    const names = columns.map((c) => `"${c}"`).join(', ');
    const literal = (v: string | null) => (v === null ? 'NULL::VARCHAR' : `${quoteString(v)}::VARCHAR`);
    const sql =
      rows.length === 0
        ? `SELECT * FROM (VALUES (${columns.map(() => 'NULL::VARCHAR').join(', ')})) AS t(${names}) WHERE false`
        : `SELECT * FROM (VALUES ${rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ')}) AS t(${names})`;
    return runDuckDBStatement(this.connection, sql, signal === undefined ? {} : { signal });
  }
}

function foreignTableText(columns: string): string {
  return (
    `the table ${TABLE} in this database is not sqlinfer's table of models: it has the columns (${columns}), ` +
    `where sqlinfer keeps models in (${COLUMNS.map((c) => `${c} VARCHAR`).join(', ')}, created_at TIMESTAMP)`
  );
}

function nothing(): DuckDBStatementRun {
  return { kind: 'nothing', columns: [], rowsChanged: 0, chunks: async function* () {} };
}

/** A model statement without the model runtime (an engine made without udfs). */
export function modelStatementsUnavailable(source: string): SqlError {
  return new SqlError({ phase: 'plan', code: 'models-unavailable', detail: 'model statements need the model runtime (udfs), which this engine was made without', source, span: { start: 0, end: source.length } });
}
