// The models users register: CREATE MODEL, DROP MODEL, SHOW MODELS and DESCRIBE MODEL, and their
// persistence. Each model is a row of the table `sqlinfer_models` in the database (a file database keeps
// them for the next session; an in-memory one for this session), and a function in the registry, which
// is filled from the table when the engine starts. With a database file, a relative path means relative to
// the file's folder, when the model is created and in every later session, whatever the current folder:
// the database and its models move together. In memory, it is relative to the current folder.
import type { DuckDBConnection } from '@duckdb/node-api';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ConstantValue, ModelFunction } from '../../udfs/model-function.js';
import type { UserModel, UserModelSpec } from '../../udfs/models/user-model/user-model.js';
import { describeUserModel } from '../../udfs/models/user-model/user-model.js';
import { quoteString } from '../plan/sql-text.js';
import type { ModelStatement } from '../sql/model-statements.js';
import { parseModelStatement } from '../sql/model-statements.js';
import { SqlError, sqlErrorAt, type SqlErrorCode } from '../sql/sql-error.js';
import type { Span } from '../sql/span.js';
import { runDuckDBStatement, type DuckDBStatementRun } from './duckdb-statement.js';
import { duckdbError } from './duckdb-error.js';

/** What the catalog needs of udfs/: a registry it may change, and user models (createUdfs() has both). */
export interface ModelCatalogUdfs {
  readonly registry: {
    register(fn: ModelFunction): void;
    unregister(name: string): boolean;
    get(name: string): ModelFunction | undefined;
    has(name: string): boolean;
    list(): readonly ModelFunction[];
  };
  inspectModel(name: string, path: string, options: Readonly<Record<string, ConstantValue>>): Promise<UserModelSpec>;
  createModel(spec: UserModelSpec): UserModel;
}

const TABLE = 'sqlinfer_models';

/** A stored model whose function could not be made (a model file changed in a way its layout rejects). */
interface Unusable {
  readonly name: string;
  readonly reason: string;
}

export class ModelCatalog {
  private readonly models = new Map<string, UserModel>();
  private readonly unusable: Unusable[] = [];

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly udfs: ModelCatalogUdfs,
    /** The folder relative paths are stored against: the database file's, or null in memory. */
    private readonly base: string | null,
    private readonly table: string,
  ) {}

  /** Registers the models stored in the database (without reading their files: that waits for a call). */
  static async open(connection: DuckDBConnection, udfs: ModelCatalogUdfs, database: string): Promise<ModelCatalog> {
    const reader = await connection.runAndReadAll('SELECT current_database()');
    const catalogName = String(reader.getRows()[0]?.[0] ?? 'memory');
    const table = `"${catalogName.replace(/"/g, '""')}".main.${TABLE}`;
    const inMemory = database === ':memory:' || database === '';
    const catalog = new ModelCatalog(connection, udfs, inMemory ? null : dirname(resolve(database)), table);
    await catalog.load();
    return catalog;
  }

  /** Names and reasons of stored models that could not be registered. */
  get problems(): readonly Unusable[] {
    return this.unusable;
  }

  async execute(source: string, signal: AbortSignal | undefined): Promise<DuckDBStatementRun> {
    const statement = parseModelStatement(source);
    switch (statement.kind) {
      case 'CreateModel':
        await this.create(source, statement);
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

  private async load(): Promise<void> {
    const exists = await this.connection.runAndReadAll(
      `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = '${TABLE}'`,
    );
    if (Number(exists.getRows()[0]?.[0] ?? 0) === 0) return;
    const reader = await this.connection.runAndReadAll(`SELECT name, path, spec FROM ${this.table} ORDER BY name`);
    for (const [name, path, spec] of reader.getRows()) {
      try {
        const stored = JSON.parse(String(spec)) as UserModelSpec;
        this.add({ ...stored, name: String(name), path: this.resolveStored(String(path)) });
      } catch (error) {
        this.unusable.push({ name: String(name), reason: (error as Error).message });
      }
    }
  }

  private add(spec: UserModelSpec): UserModel {
    const model = this.udfs.createModel(spec);
    this.udfs.registry.register(model);
    this.models.set(spec.name.toLowerCase(), model);
    return model;
  }

  private async create(source: string, s: Extract<ModelStatement, { kind: 'CreateModel' }>): Promise<void> {
    const at = (span: Span, code: SqlErrorCode, detail: string, cause?: unknown) => sqlErrorAt('plan', code, detail, source, span, cause);
    const existing = this.udfs.registry.get(s.name);
    if (existing !== undefined) {
      if (!this.models.has(s.name)) {
        throw at(s.nameSpan, 'model-name-taken', `${s.name} is a built-in model function and cannot be replaced: choose another name`);
      }
      if (s.ifNotExists) return;
      if (!s.orReplace) throw at(s.nameSpan, 'model-name-taken', `a model named ${s.name} already exists: use CREATE OR REPLACE MODEL, or DROP MODEL ${s.name} first`);
    } else if (await this.isDuckDBFunction(s.name)) {
      throw at(s.nameSpan, 'model-name-taken', `${s.name} is a DuckDB function: choose another name for the model`);
    }
    const options = Object.fromEntries(s.options.map((o) => [o.name, o.value]));
    const path = this.resolveStored(s.path);
    let spec: UserModelSpec;
    try {
      spec = await this.udfs.inspectModel(s.name, path, options);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const option = /^(?:unknown )?option (\w+)/.exec(message)?.[1];
      const span = s.options.find((o) => o.name === option?.toLowerCase())?.[option !== undefined && message.startsWith('unknown') ? 'nameSpan' : 'valueSpan'] ?? s.pathSpan;
      throw at(span, 'model-invalid', message, error);
    }
    // The function is made first: a layout it rejects must fail before anything is stored.
    const model = this.udfs.createModel(spec);
    const stored = isAbsolute(s.path) || this.base === null ? spec.path : relative(this.base, spec.path);
    try {
      await this.connection.run(
        `CREATE TABLE IF NOT EXISTS ${this.table} (name VARCHAR PRIMARY KEY, path VARCHAR NOT NULL, format VARCHAR NOT NULL, ` +
          `options VARCHAR NOT NULL, spec VARCHAR NOT NULL, created_at TIMESTAMP DEFAULT current_timestamp)`,
      );
      await this.connection.run(`DELETE FROM ${this.table} WHERE name = $1`, [s.name]);
      await this.connection.run(`INSERT INTO ${this.table} (name, path, format, options, spec) VALUES ($1, $2, $3, $4, $5)`, [
        s.name,
        stored,
        spec.format,
        JSON.stringify(options),
        JSON.stringify(spec),
      ]);
    } catch (error) {
      throw duckdbError(error);
    }
    if (existing !== undefined) {
      this.udfs.registry.unregister(s.name);
      this.models.get(s.name)?.release();
    }
    this.udfs.registry.register(model);
    this.models.set(s.name, model);
  }

  private async drop(source: string, s: Extract<ModelStatement, { kind: 'DropModel' }>): Promise<void> {
    if (!this.models.has(s.name)) {
      if (this.udfs.registry.has(s.name)) {
        throw sqlErrorAt('plan', 'model-builtin', `${s.name} is a built-in model function and cannot be dropped`, source, s.nameSpan);
      }
      if (s.ifExists) return;
      throw sqlErrorAt('plan', 'model-not-found', `there is no model named ${s.name}`, source, s.nameSpan);
    }
    try {
      await this.connection.run(`DELETE FROM ${this.table} WHERE name = $1`, [s.name]);
    } catch (error) {
      throw duckdbError(error);
    }
    this.udfs.registry.unregister(s.name);
    this.models.get(s.name)?.release();
    this.models.delete(s.name);
  }

  private showRows(): (string | null)[][] {
    return this.udfs.registry.list().map((fn) => {
      const model = this.models.get(fn.name);
      const args = fn.args.map((a) => (a.optional ? `[${a.name}]` : a.name)).join(', ');
      return [fn.name, model?.spec.format ?? 'built-in', model?.spec.path ?? null, args, fn.resultType];
    });
  }

  private async describeRows(source: string, s: Extract<ModelStatement, { kind: 'DescribeModel' }>): Promise<(string | null)[][]> {
    const model = this.models.get(s.name);
    if (model !== undefined) return describeUserModel(model);
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

function nothing(): DuckDBStatementRun {
  return { kind: 'nothing', columns: [], rowsChanged: 0, chunks: async function* () {} };
}

/** A model statement without the model runtime (an engine made without udfs). */
export function modelStatementsUnavailable(source: string): SqlError {
  return new SqlError({ phase: 'plan', code: 'models-unavailable', detail: 'model statements need the model runtime (udfs), which this engine was made without', source, span: { start: 0, end: source.length } });
}
