// Shared fixtures for the model-path tests: an in-memory DuckDB, Parquet files with many row groups in a
// temp dir, and test-only model functions that count the rows they see.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { executeModelStatement, type ModelStatementContext } from '../../engine/exec/model-statement.js';
import { parseStatement } from '../../engine/sql/parser.js';
import {
  RowError,
  type ArgBatch,
  type ArgSpec,
  type ModelFunction,
  type ModelSettings,
  type ResultColumn,
} from '../../udfs/model-function.js';
import { tempDir } from './cli.js';

export interface Fixture {
  readonly dir: string;
  readonly connection: DuckDBConnection;
  /** Opens a second connection to the same database, as the engine does for appending results. */
  openConnection(): Promise<DuckDBConnection>;
  readonly registry: TestRegistry;
  readonly scale2: CountingFunction;
  readonly blobLen: CountingFunction;
  close(): void;
}

export interface CountingFunction extends ModelFunction {
  /** Rows passed to run(), over all statements. */
  rows: number;
  batches: number;
  /** Each run()'s rows, in order. */
  batchSizes: number[];
  prepared: number;
  /** run() rejects with a RowError for a row whose first value is this. */
  failOn: number | null;
  /** Called at the start of every run(), e.g. to abort the statement mid-way. */
  onRun: (() => void) | null;
}

export class TestRegistry {
  private readonly functions = new Map<string, ModelFunction>();
  constructor(functions: readonly ModelFunction[]) {
    for (const f of functions) this.functions.set(f.name, f);
  }
  get(name: string): ModelFunction | undefined {
    return this.functions.get(name.toLowerCase());
  }
  has(name: string): boolean {
    return this.functions.has(name.toLowerCase());
  }
}

export function settings(batchSize = 7, threads = 2): ModelSettings {
  return { batchSize, threads, get: () => undefined };
}

/** `scale2(x FLOAT[] [, factor INTEGER constant]) -> FLOAT[]`: every value times 2 (or factor). */
export function scale2(): CountingFunction {
  const args: ArgSpec[] = [
    { name: 'x', kinds: ['float-list'], optional: false, constant: false },
    { name: 'factor', kinds: ['integer'], optional: true, constant: true },
  ];
  const fn: CountingFunction = {
    name: 'scale2',
    description: 'test: doubles every value',
    args,
    resultType: 'FLOAT[]',
    rows: 0,
    batches: 0,
    batchSizes: [],
    prepared: 0,
    failOn: null,
    onRun: null,
    async prepare() {
      fn.prepared++;
      return {
        description: 'scale2 in-process',
        resultType: 'FLOAT[]',
        async run(batch: ArgBatch): Promise<ResultColumn> {
          fn.onRun?.();
          fn.rows += batch.rowCount;
          fn.batches++;
          fn.batchSizes.push(batch.rowCount);
          const x = batch.columns[0]!;
          const factorArg = batch.columns[1];
          const factor = factorArg?.kind === 'constant' && typeof factorArg.value === 'number' ? factorArg.value : 2;
          if (x.kind !== 'float-list') throw new Error(`expected a float-list, got ${x.kind}`);
          for (let r = 0; r < batch.rowCount; r++) {
            if (fn.failOn !== null && x.valid[r] && x.values[x.offsets[r]!] === fn.failOn) {
              throw new RowError(batch.firstRow + r, `value ${fn.failOn} is not allowed`);
            }
          }
          await new Promise((resolve) => setImmediate(resolve));
          return { kind: 'float-list', values: x.values.map((v) => v * factor), offsets: x.offsets.slice(), valid: x.valid.slice() };
        },
      };
    },
  };
  return fn;
}

/** `blob_len(b BLOB) -> FLOAT[]`: [byte length, first byte]. */
export function blobLen(): CountingFunction {
  const fn: CountingFunction = {
    name: 'blob_len',
    description: 'test: length of a blob',
    args: [{ name: 'b', kinds: ['blob'], optional: false, constant: false }],
    resultType: 'FLOAT[2]',
    rows: 0,
    batches: 0,
    batchSizes: [],
    prepared: 0,
    failOn: null,
    onRun: null,
    async prepare() {
      fn.prepared++;
      return {
        description: 'blob_len in-process',
        resultType: 'FLOAT[2]',
        async run(batch: ArgBatch): Promise<ResultColumn> {
          fn.rows += batch.rowCount;
          fn.batches++;
          fn.batchSizes.push(batch.rowCount);
          const b = batch.columns[0]!;
          if (b.kind !== 'blob') throw new Error(`expected a blob, got ${b.kind}`);
          const values = new Float32Array(batch.rowCount * 2);
          const offsets = new Int32Array(batch.rowCount + 1);
          let at = 0;
          for (let r = 0; r < batch.rowCount; r++) {
            if (b.valid[r]) {
              values[at] = b.offsets[r + 1]! - b.offsets[r]!;
              values[at + 1] = b.values[b.offsets[r]!] ?? 0;
              at += 2;
            }
            offsets[r + 1] = at;
          }
          return { kind: 'float-list', values: values.slice(0, at), offsets, valid: b.valid.slice() };
        },
      };
    },
  };
  return fn;
}

export async function fixture(): Promise<Fixture> {
  // tempDir(): removed at exit as well, in case setup fails and there is no fixture to close().
  const dir = tempDir('sqlinfer-model-path-');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  // 1000 rows in row groups of 10; every 7th row's data is NULL.
  await connection.run(
    `COPY (SELECT i AS id, CASE WHEN i % 7 = 3 THEN NULL ELSE [i::FLOAT, (i * 10)::FLOAT] END AS data, 'f' || i AS filename
           FROM range(1000) t(i)) TO '${join(dir, 'image_data.parquet')}' (ROW_GROUP_SIZE 10)`,
  );
  const s2 = scale2();
  const bl = blobLen();
  return {
    dir,
    connection,
    openConnection: () => instance.connect(),
    registry: new TestRegistry([s2, bl]),
    scale2: s2,
    blobLen: bl,
    close() {
      try {
        connection.closeSync();
        instance.closeSync();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface RunOutcome {
  /** As node-api's getRowsJson() gives them: BIGINT as strings, lists as arrays. */
  readonly rows: unknown[][];
  readonly columns: string[];
}

/** Runs a whole model statement as the engine does: every chunk of its output read, then finished. */
export async function execute(ctx: ModelStatementContext, sql: string): Promise<RunOutcome> {
  const execution = await executeModelStatement(ctx, sql, parseStatement(sql));
  let ok = false;
  try {
    const rows: unknown[][] = [];
    for await (const chunk of execution.run.chunks()) for (const row of chunk) rows.push(row.map(asJson));
    // COPY, CREATE TABLE AS and INSERT: the count row DuckDB's own result holds.
    if (execution.run.kind === 'count') rows.push([String(execution.run.rowsChanged)]);
    ok = true;
    return { rows, columns: execution.run.columns.map((c) => c.name) };
  } finally {
    await execution.finish(ok);
  }
}

/** A DuckDB value as getRowsJson() writes it. */
function asJson(value: unknown): unknown {
  if (typeof value === 'bigint') return String(value);
  if (value === null || typeof value !== 'object') return value;
  if ('items' in value && Array.isArray(value.items)) return value.items.map(asJson);
  if ('entries' in value && typeof value.entries === 'object' && value.entries !== null && !Array.isArray(value.entries)) {
    return Object.fromEntries(Object.entries(value.entries).map(([k, v]) => [k, asJson(v)]));
  }
  return String(value);
}

/** Runs a model statement on the fixture's registry. */
export function run(f: Fixture, sql: string, batchSize = 7, signal?: AbortSignal): Promise<RunOutcome> {
  return execute({ connection: f.connection, registry: f.registry, settings: settings(batchSize), signal, openConnection: f.openConnection }, sql);
}

/** How many staged tables are left in the staging database (0 once a statement has finished). */
export async function stagedTables(f: Fixture): Promise<number> {
  const rows = await duck(f, `SELECT count(*) FROM duckdb_tables() WHERE database_name = '__sqlinfer' OR table_name LIKE '__sqlinfer%'`);
  return Number(rows[0]![0]);
}

/** Runs plain DuckDB SQL, for expected values. */
export async function duck(f: Fixture, sql: string): Promise<unknown[][]> {
  return (await f.connection.runAndReadAll(sql)).getRowsJson() as unknown[][];
}
