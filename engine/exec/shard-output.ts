// Under `--shard I/N`, a model statement's COPY writes its part of the target folder: `part-IIIII-of-NNNNN.<ext>`
// (always, even with no rows) and, beside it, `_shards/IIIII-of-NNNNN.json`, a marker with the plan's
// fingerprint (the input files' paths, sizes and modification times, the SQL, N, the version) and the
// shard's figures. Both are written under temporary names ending in `.tmp`, which no `*.parquet` glob
// matches (DuckDB's globs match dotfiles), then renamed into place: a part appears only complete, and a
// retried or duplicated attempt of the same shard replaces it with the same rows.
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Statement } from '../sql/ast.js';
import { renderOutput, type ModelPlan } from '../plan/model-plan.js';
import { LeafSharder, type ShardedInput } from '../plan/shard-leaf.js';
import { shardName, type ShardSpec } from '../plan/shard-split.js';
import { SqlError } from '../sql/sql-error.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AtomicOutput } from './copy-output.js';
import { hostId } from './copy-output.js';
import type { DuckDBStatementRun } from './duckdb-statement.js';
import { shardCatalog } from './shard-catalog.js';
import { isRunning } from './stale-temp-files.js';

/** The shard in force for a session: which one, and the sqlinfer version its markers record. */
export interface ShardOptions extends ShardSpec {
  readonly version: string;
}

/** What the model statement tells the marker once its stages have run. */
export interface ShardFacts {
  /** Rows the model stage read (after the WHERE pushed below it). */
  readonly rowsIn: number;
  /** Rows that failed in a model under model_errors = 'null'. */
  readonly rowErrors: number;
}

/** The marker beside each part (see README "Many machines"); `sqlinfer commit` reads these. */
export interface ShardMarker {
  readonly part: string;
  readonly shard: number;
  readonly count: number;
  /**
   * SHA-256 of the plan: the SQL, N, the version, and every input file's absolute path, size and
   * modification time. Every shard of one run has the same.
   */
  readonly fingerprint: string;
  /** The plan, without the list of every input file (which would make each marker as long as the input). */
  readonly plan: { readonly sql: string; readonly count: number; readonly version: string; readonly inputFiles: number; readonly inputBytes: number };
  /** This shard's rows [start, end) of the input, and the files it read: rows [from, to) of each. */
  readonly input: { readonly relation: string; readonly start: number; readonly end: number; readonly files: readonly MarkerFile[] };
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly rowErrors: number;
  readonly timings: { readonly startedAt: string; readonly endedAt: string; readonly planMs: number; readonly stagesMs: number; readonly outputMs: number; readonly totalMs: number };
  readonly attempt: { readonly host: string; readonly pid: number };
}

export interface MarkerFile {
  /** Absolute. */
  readonly path: string;
  readonly bytes: number;
  readonly modifiedMs: number;
  readonly from: number;
  readonly to: number;
}

/** One model statement run as a shard: its split (through the planner) and its part. */
export class ShardRun {
  readonly sharder: LeafSharder;
  private readonly startedAt = new Date();
  private readonly started = performance.now();
  private plannedAt = this.started;

  constructor(
    readonly options: ShardOptions,
    private readonly source: string,
    statement: Statement,
    connection: DuckDBConnection,
  ) {
    this.sharder = new LeafSharder(source, statement, options, shardCatalog(connection));
  }

  planned(): void {
    this.plannedAt = performance.now();
  }

  /** The part this shard writes for `plan`'s COPY, its folder made if missing. */
  async openOutput(plan: ModelPlan, facts: () => ShardFacts): Promise<ShardOutput> {
    const { input, part } = this.sharder;
    const target = plan.output.target;
    // The planner called the sharder for the COPY's relation, which checked the statement and its target.
    if (input === null || part === null || target === null) throw new Error('internal error: a sharded statement was planned without its split');
    const dir = resolve(target);
    try {
      await mkdir(join(dir, '_shards'), { recursive: true });
      // The folder is being rewritten: it is complete again only when `sqlinfer commit` says so.
      await rm(join(dir, '_SUCCESS'), { force: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new SqlError({ phase: 'execute', code: code === 'EEXIST' || code === 'ENOTDIR' ? 'shard-output' : 'copy-output', detail: `cannot make the folder of parts '${target}' (${code}): under --shard the COPY target is a folder`, cause: error });
    }
    const options = part.addFormat ? [...plan.copyOptions, { name: 'FORMAT', value: part.format }] : plan.copyOptions;
    return new ShardOutput(this, dir, `part-${shardName(this.options)}.${part.extension}`, input, (tempPath) => {
      // The temporary name does not tell DuckDB the format: the options always name it.
      const copy = renderOutput({ ...plan, output: { ...plan.output, after: '' } }, tempPath);
      return `${copy} (${options.map((o) => (o.value === null ? o.name : `${o.name} ${o.value}`)).join(', ')})`;
    }, facts);
  }

  /** The marker's plan and its fingerprint, the same for every shard of one run. */
  fingerprinted(input: ShardedInput): Pick<ShardMarker, 'plan' | 'fingerprint'> {
    const { count, version } = this.options;
    const inputs = input.files.map((f) => ({ path: resolve(f.path), bytes: f.bytes, modifiedMs: f.modifiedMs }));
    const fingerprint = createHash('sha256').update(JSON.stringify({ sql: this.source, count, version, inputs })).digest('hex');
    return { plan: { sql: this.source, count, version, inputFiles: inputs.length, inputBytes: inputs.reduce((sum, f) => sum + f.bytes, 0) }, fingerprint };
  }

  timings(outputStarted: number): ShardMarker['timings'] {
    const now = performance.now();
    return {
      startedAt: this.startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      planMs: Math.round(this.plannedAt - this.started),
      stagesMs: Math.round(outputStarted - this.plannedAt),
      outputMs: Math.round(now - outputStarted),
      totalMs: Math.round(now - this.started),
    };
  }
}

/** A shard's part while it is written: DuckDB writes `tempPath`; commit() puts the part and its marker in place. */
export class ShardOutput implements AtomicOutput {
  readonly tempPath: string;
  /** The output statement, writing to `tempPath`. */
  readonly sql: string;
  private readonly outputStarted = performance.now();
  private readonly attempt: string;
  private rowsOut = 0;

  constructor(
    private readonly run: ShardRun,
    private readonly dir: string,
    private readonly part: string,
    private readonly input: ShardedInput,
    render: (tempPath: string) => string,
    private readonly facts: () => ShardFacts,
  ) {
    this.attempt = `sqlinfer-${hostId()}-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    this.tempPath = join(dir, `.${part}.${this.attempt}`);
    this.sql = render(this.tempPath);
  }

  /** The COPY's count of rows written: DuckDB reports it as rows changed (or as a row, read as it goes by). */
  observe(run: DuckDBStatementRun): DuckDBStatementRun {
    if (run.kind === 'count') {
      this.rowsOut = run.rowsChanged;
      return run;
    }
    const counted = (rows: number) => (this.rowsOut += rows);
    return {
      ...run,
      async *chunks() {
        for await (const chunk of run.chunks()) {
          for (const row of chunk) counted(Number(row[0] ?? 0));
          yield chunk;
        }
      },
    };
  }

  /** EXPLAIN ANALYZE reads the COPY's count itself. */
  wrote(rows: number): void {
    this.rowsOut = rows;
  }

  async commit(): Promise<void> {
    const name = shardName(this.run.options);
    const marker: ShardMarker = {
      part: this.part,
      shard: this.run.options.index,
      count: this.run.options.count,
      ...this.run.fingerprinted(this.input),
      input: {
        relation: this.input.relation,
        start: this.input.range.start,
        end: this.input.range.end,
        files: this.input.range.files.map((f) => ({ path: resolve(f.path), bytes: f.bytes, modifiedMs: f.modifiedMs, from: f.from, to: f.to })),
      },
      rowsIn: this.facts().rowsIn,
      rowsOut: this.rowsOut,
      rowErrors: this.facts().rowErrors,
      timings: this.run.timings(this.outputStarted),
      attempt: { host: hostname(), pid: process.pid },
    };
    const markerTemp = join(this.dir, '_shards', `.${name}.json.${this.attempt}`);
    try {
      await rename(this.tempPath, join(this.dir, this.part));
      await writeFile(markerTemp, `${JSON.stringify(marker, null, 2)}\n`);
      await rename(markerTemp, join(this.dir, '_shards', `${name}.json`));
    } catch (error) {
      await rm(markerTemp, { force: true });
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new SqlError({ phase: 'execute', code: 'copy-output', detail: `could not put part ${this.part} in place in '${this.dir}' (${code})`, cause: error });
    }
    await this.removeDeadAttempts();
  }

  async discard(): Promise<void> {
    await rm(this.tempPath, { force: true });
    await this.removeDeadAttempts();
  }

  /** Temporary files of this shard left by killed attempts on this machine (a pid means nothing elsewhere). */
  private async removeDeadAttempts(): Promise<void> {
    const name = shardName(this.run.options);
    const host = hostId();
    for (const [dir, prefix] of [[this.dir, `.${this.part}.`], [join(this.dir, '_shards'), `.${name}.json.`]] as const) {
      for (const entry of await readdir(dir).catch(() => [] as string[])) {
        const match = new RegExp(`^sqlinfer-${host}-(\\d+)-[0-9a-f]{8}\\.tmp$`).exec(entry.slice(prefix.length));
        if (!entry.startsWith(prefix) || match === null || isRunning(Number(match[1]))) continue;
        if ((await lstat(join(dir, entry)).catch(() => null))?.isFile() === true) await rm(join(dir, entry), { force: true });
      }
    }
  }
}

/** `predictions/part-00003-of-00016.parquet` and the like; `_shards/00003-of-00016.json` for markers. */
export const PART_PATTERN = /^part-(\d+)-of-(\d+)\.(parquet|csv|json)$/;
export const MARKER_PATTERN = /^(\d+)-of-(\d+)\.json$/;
/** Temporary files of shard writes: dotfiles ending in `.tmp`. */
export const SHARD_TEMP_PATTERN = /^\.(part-\d+-of-\d+\.[a-z]+|\d+-of-\d+\.json)\.sqlinfer-[0-9a-f]{8}-\d+-[0-9a-f]{8}\.tmp$/;
