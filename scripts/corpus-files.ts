// The corpus script's child process: runs the sqllogictest files its parent sends, one after the other, on
// plain DuckDB and on sqlinfer side by side, and sends back each file's figures as soon as it is done. A
// child holds one model runtime for all its files; the parent starts a new child when one crashes, hangs
// or has run its share of files, so no file can take the rest of the run down with it.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DuckDBInstance, ResultReturnType, type DuckDBConnection } from '@duckdb/node-api';
import { createEngine, createUdfs, splitStatements, SqlError, type Engine, type EngineUdfs } from '../engine/index.js';
import { causeOf, emptyFigures, type FileReport, type ModeFigures } from './corpus-tally.js';
import { readTestFile, type Step } from './sqllogictest-file.js';

/** What the parent sends: the files, and how to run them. */
export interface ChildJob {
  readonly folder: string;
  readonly files: readonly { readonly index: number; readonly path: string }[];
  readonly work: string;
  readonly model: string;
  readonly modelPath: string;
  readonly timeoutMs: number;
  readonly fileTimeoutMs: number;
}

type Outcome = { readonly ok: true; readonly rows: readonly string[] | null } | { readonly ok: false; readonly error: string; readonly phase: string };

/** A value as text both sides render alike (@duckdb/node-api's value classes print as DuckDB does). */
function show(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return String(value);
}

function rowsOf(rows: readonly (readonly unknown[])[]): string[] {
  return rows.map((row) => row.map(show).join('|'));
}

type Sort = 'none' | 'rowsort' | 'valuesort';

function sameRows(a: readonly string[], b: readonly string[], sort: Sort): boolean {
  if (sort === 'none') return a.length === b.length && a.every((r, i) => r === b[i]);
  const key = (rows: readonly string[]) => (sort === 'rowsort' ? [...rows].sort() : rows.flatMap((r) => r.split('|')).sort()).join('\n');
  return key(a) === key(b);
}

function sameOutcome(a: Outcome, b: Outcome, sort: Sort): boolean {
  return a.ok === b.ok && (!a.ok || !b.ok || sameRows(a.rows!, b.rows!, sort));
}

/** A test file's placeholders filled in for a side's own folder. */
function filled(sql: string, dir: string): string {
  return sql.replace(/__TEST_DIR__|\{TEST_DIR\}|\{TEMP_DIR\}/g, dir).replaceAll('{DATA_DIR}', 'data').replaceAll('__WORKING_DIRECTORY__', process.cwd());
}

/** Each side writes in its own folder: its path in a result (a file name COPY reports) is put back as written. */
function ownFolder(outcome: Outcome, dir: string): Outcome {
  return outcome.ok && outcome.rows !== null ? { ok: true, rows: outcome.rows.map((r) => r.replaceAll(dir, '__TEST_DIR__')) } : outcome;
}

/**
 * An in-memory database spills to `.tmp` in the working folder, and DuckDBs spilling to one folder remove
 * each other's files: each side gets its own, which results show as `__TEST_DIR__/.tmp` on both.
 */
function ownTempDirectory(dir: string): string {
  return `SET temp_directory = '${join(dir, '.tmp')}'`;
}

/** A side runs the file's statements (placeholders not filled in yet) in a folder of its own. */
interface Side {
  run(sql: string): Promise<Outcome>;
  open(database: string, readOnly: boolean): Promise<void>;
  close(): Promise<void>;
}

class DuckDBSide implements Side {
  private instance: DuckDBInstance | null = null;
  private connection: DuckDBConnection | null = null;
  constructor(
    private readonly dir: string,
    private readonly timeoutMs: number,
  ) {}

  async open(database: string, readOnly: boolean): Promise<void> {
    await this.close();
    this.instance = await DuckDBInstance.create(filled(database, this.dir), readOnly ? { access_mode: 'READ_ONLY' } : {});
    this.connection = await this.instance.connect();
    if (database === ':memory:') await this.connection.run(ownTempDirectory(this.dir));
  }

  async run(sql: string): Promise<Outcome> {
    const connection = this.connection!;
    const timer = setTimeout(() => connection.interrupt(), this.timeoutMs);
    try {
      const reader = await connection.runAndReadAll(filled(sql, this.dir));
      // What a client of DuckDB sees: rows, a count of changed rows, or nothing (CREATE ... AS among them).
      switch (reader.returnType) {
        case ResultReturnType.QUERY_RESULT:
          return ownFolder({ ok: true, rows: rowsOf(reader.getRows()) }, this.dir);
        case ResultReturnType.CHANGED_ROWS:
          return { ok: true, rows: [`changed ${reader.rowsChanged}`] };
        default:
          return { ok: true, rows: [] };
      }
    } catch (error) {
      return { ok: false, error: (error as Error).message, phase: 'duckdb' };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.connection?.closeSync();
    this.instance?.closeSync();
    this.connection = null;
    this.instance = null;
  }
}

/**
 * Plain DuckDB, with a second opinion: asked, a second DuckDB runs everything the first one ran so far, from
 * the start of the file in a folder of its own, and from then on runs alongside it. Where the two give
 * different results for the same statements, the difference is DuckDB's own nondeterminism.
 */
class ReplayedDuckDB implements Side {
  private readonly log: ({ readonly open: string; readonly readOnly: boolean } | { readonly sql: string })[] = [];
  private readonly primary: DuckDBSide;
  private replay: DuckDBSide | null = null;
  private replayed: Outcome | null = null;

  constructor(
    dir: string,
    private readonly replayDir: string,
    private readonly timeoutMs: number,
  ) {
    this.primary = new DuckDBSide(dir, timeoutMs);
  }

  async open(database: string, readOnly: boolean): Promise<void> {
    this.log.push({ open: database, readOnly });
    await this.primary.open(database, readOnly);
    await this.replay?.open(database, readOnly);
  }

  async run(sql: string): Promise<Outcome> {
    this.log.push({ sql });
    const [outcome, replayed] = await Promise.all([this.primary.run(sql), this.replay?.run(sql)]);
    this.replayed = replayed ?? null;
    return outcome;
  }

  /** What the second DuckDB gave for the last statement, replaying the file so far if it has not yet. */
  async secondOpinion(): Promise<Outcome> {
    if (this.replay === null) {
      mkdirSync(this.replayDir, { recursive: true });
      this.replay = new DuckDBSide(this.replayDir, this.timeoutMs);
      for (const entry of this.log) {
        if ('open' in entry) await this.replay.open(entry.open, entry.readOnly);
        else this.replayed = await this.replay.run(entry.sql);
      }
    }
    return this.replayed!;
  }

  /**
   * Whether DuckDB gives another result for the last statement: on the replay, and for a query that only
   * reads (parallel hash tables leave the order of a UNION open, say), on asking the replay again.
   */
  async answersOtherwise(sql: string, outcome: Outcome, sort: Sort): Promise<boolean> {
    if (!sameOutcome(outcome, await this.secondOpinion(), sort)) return true;
    if (!readOnly.test(sql) || writes.test(sql)) return false;
    for (let i = 0; i < 4; i++) if (!sameOutcome(outcome, await this.replay!.run(sql), sort)) return true;
    return false;
  }

  async close(): Promise<void> {
    await this.primary.close();
    await this.replay?.close();
  }
}

/** A query that only reads, which the replay may run again without changing what follows. */
const readOnly = /^\s*(\(\s*)*(select|with|from|values|table|describe|summarize|show)\b/i;
const writes = /\b(nextval|setval|setseed|insert|update|delete|create|copy|drop|alter|attach|detach|checkpoint|vacuum|pragma)\b/i;

class EngineSide implements Side {
  private engine: Engine | null = null;
  constructor(
    private readonly dir: string,
    private readonly udfs: EngineUdfs,
    private readonly timeoutMs: number,
  ) {}

  async open(database: string, readOnly: boolean): Promise<void> {
    await this.close();
    this.engine = await createEngine({ database: filled(database, this.dir), readOnly, udfs: this.udfs });
    if (database === ':memory:') await this.engine.run(ownTempDirectory(this.dir));
  }

  async run(sql: string): Promise<Outcome> {
    try {
      const results = await this.engine!.run(filled(sql, this.dir), { signal: AbortSignal.timeout(this.timeoutMs) });
      const last = results.at(-1);
      if (last === undefined || last.kind === 'nothing') return { ok: true, rows: [] };
      return ownFolder({ ok: true, rows: last.kind === 'count' ? [`changed ${last.rowsChanged}`] : rowsOf(last.rows) }, this.dir);
    } catch (error) {
      return { ok: false, error: (error as Error).message, phase: error instanceof SqlError ? error.phase : 'crash' };
    }
  }

  async close(): Promise<void> {
    await this.engine?.close();
    this.engine = null;
  }
}

/** Results that differ from run to run in DuckDB itself: timings, random values, clocks, memory, threads. */
const nondeterministic = /explain\s+(\(\s*)?analy[sz]e|reservoir_|random\(|uuid|gen_random|now\(|current_(time|date|timestamp)|get_current|setseed|memory|duckdb_(temporary_files|memory|settings)|threads|pragma\s+(database_size|storage_info|metadata_info)|duckdb_(blocks|databases)|database_size|storage_info|version\(/i;

/** The statement's first word, to tell causes apart by what the statement is. */
function firstWord(sql: string): string {
  return /^\s*(\w+)/.exec(sql.replace(/^(\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/))*/, ''))?.[1]?.toUpperCase() ?? '?';
}

/** Why the rows of a query differ, by what it is. */
function rowsCause(sql: string): string {
  return `rows differ${nondeterministic.test(sql) ? ', nondeterministic in DuckDB' : ''} (${firstWord(sql)})`;
}

/** Why a statement passed through gives another result than on DuckDB, DuckDB agreeing with itself. */
function passThroughCause(sql: string, duck: Outcome, ours: Outcome, c: StepContext): string {
  if (c.logged && /log/i.test(sql)) {
    return "DuckDB's log: sqlinfer streams a query through a prepared statement, which DuckDB prepares in a transaction of its own (two transaction ids where a plain query takes one) and binds before it runs (a CSV file opened twice, a log file written later), and logs both";
  }
  if (c.modelRan && /\b(pg_\w+|\w*oid)\b/i.test(sql)) {
    return "object ids: the wrapped model statements run earlier in the file made their staging objects (an attached database, tables, a table function), and DuckDB gives every object an id from one counter";
  }
  if (!ours.ok) return `sqlinfer ${ours.phase}: ${causeOf(ours.error)}`;
  if (!duck.ok) return `DuckDB fails, sqlinfer succeeds: ${causeOf(duck.error)}`;
  if (sameRows(duck.rows!, ours.rows!, 'rowsort')) return 'rows in another order (the query leaves the order to DuckDB)';
  return rowsCause(sql);
}

/** Why a wrapped query gives another result than DuckDB's with a constant, DuckDB agreeing with itself. */
function wrappedCause(query: string, constant: Outcome, model: Outcome, c: StepContext): string {
  if (!model.ok) {
    if (c.memoryLimited && /Out of Memory Error/.test(model.error)) {
      return "out of memory under the memory limit the test file sets: the model path stages the query's rows, a constant needs no memory";
    }
    if (c.verifying && /^Failed to append/.test(model.error)) {
      return "DuckDB's appender fails under PRAGMA enable_verification (a pragma for DuckDB's own tests); sqlinfer appends on the statement's connection when it stages in temp";
    }
    return `sqlinfer ${model.phase}: ${causeOf(model.error)}`;
  }
  if (constant.ok && sameRows(constant.rows!, model.rows!, 'rowsort')) return 'rows in another order';
  if (/\b(pg_\w+|\w*oid)\b/i.test(query)) {
    return "object ids: a model statement makes its staging objects (an attached database, tables, a table function), and DuckDB gives every object an id from one counter";
  }
  if (/current_query\(/i.test(query)) return 'rows differ: current_query() shows the wrapped statement, whose text differs by construction';
  return rowsCause(query);
}

/** The cause when DuckDB, replaying the file or asked again, disagrees with itself. */
function replayCause(sql: string): string {
  return `nondeterministic in DuckDB: replayed from the start of the file or asked again, DuckDB gives another result itself (${firstWord(sql)})`;
}

async function runFile(job: ChildJob, index: number, path: string, udfs: EngineUdfs): Promise<FileReport> {
  const test = readTestFile(readFileSync(path, 'utf8'));
  if (!test.runnable) return { kind: 'skipped', index, reason: test.reason };
  const name = relative(job.folder, path);
  const passThrough = emptyFigures();
  const wrapped = emptyFigures();
  let ended: string | null = null;
  const [duckDir, oursDir, replayDir] = ['duckdb', 'sqlinfer', 'replay'].map((side) => join(job.work, `${index}-${side}`)) as [string, string, string];
  for (const dir of [duckDir, oursDir]) mkdirSync(dir, { recursive: true });
  const duck = new ReplayedDuckDB(duckDir, replayDir, job.timeoutMs);
  const ours = new EngineSide(oursDir, udfs, job.timeoutMs);
  let database = ':memory:';
  const context: StepContext = { file: name, duck, ours, passThrough, wrapped, model: job.model, memoryLimited: false, verifying: false, logging: false, logged: false, modelRan: false };
  try {
    await Promise.all([duck.open(database, false), ours.open(database, false)]);
    const fileStarted = performance.now();
    for (const step of test.steps) {
      // The rest of a file that runs too long is left out (a benchmark-sized loop, say), and said so.
      if (performance.now() - fileStarted > job.fileTimeoutMs) {
        ended = 'file took too long: the rest left out';
        break;
      }
      if (step.kind === 'load' || step.kind === 'restart') {
        if (step.kind === 'load') database = step.path ?? ':memory:';
        const readOnly = step.kind === 'load' && step.readOnly;
        await Promise.all([duck.open(database, readOnly), ours.open(database, readOnly)]);
        continue;
      }
      await runStatement(step, context);
    }
  } catch (error) {
    // A database that cannot be opened (a `load` of a file from another DuckDB version, say) ends the file.
    ended = causeOf((error as Error).message);
  } finally {
    await duck.close().catch(() => undefined);
    await ours.close().catch(() => undefined);
    for (const dir of [duckDir, oursDir, replayDir]) rmSync(dir, { recursive: true, force: true });
  }
  return { kind: 'ran', index, passThrough, wrapped, ended };
}

interface StepContext {
  readonly file: string;
  readonly duck: ReplayedDuckDB;
  readonly ours: EngineSide;
  readonly passThrough: ModeFigures;
  readonly wrapped: ModeFigures;
  readonly model: string;
  /** Whether the file has set DuckDB's memory limit (some set it to a few MB). */
  memoryLimited: boolean;
  /** Whether the file has turned on DuckDB's own verification of every query (a pragma for DuckDB's tests). */
  verifying: boolean;
  /**
   * Whether DuckDB's logging is on: queries are not wrapped then, since a wrapped statement's own work
   * (staging, the results' view) would be logged, and later statements that read the log would differ.
   */
  logging: boolean;
  /** Whether logging was ever on in the file: its log, in a table or a file, may be read later. */
  logged: boolean;
  /** Whether a wrapped model statement has run in the file (its staging objects took object ids). */
  modelRan: boolean;
}

function tally(figures: ModeFigures, agreed: boolean, cause: string, example: string): void {
  figures.total++;
  if (agreed) figures.agree++;
  else figures.disagreements.push({ cause, example });
}

async function runStatement(step: Step & { kind: 'statement' | 'query' }, c: StepContext): Promise<void> {
  const where = `${c.file}:${step.line}`;
  // The parent names the statement when the process dies in it (DuckDB itself crashes on a few).
  process.send!({ kind: 'step', line: step.line });
  if (/^\s*(SET|PRAGMA)\b[^;]*\b(memory_limit|max_memory)\b/i.test(step.sql)) c.memoryLimited = true;
  if (/^\s*PRAGMA\s+enable_verification\b/i.test(step.sql)) c.verifying = true;
  if (/\benable_logging\b/i.test(step.sql)) c.logging = c.logged = true;
  if (/\bdisable_logging\b/i.test(step.sql)) c.logging = false;
  const [duck, ours] = await Promise.all([c.duck.run(step.sql), c.ours.run(step.sql)]);
  const sort = step.kind === 'query' ? step.sort : 'none';
  const agreed = duck.ok === ours.ok && (!duck.ok || !ours.ok || step.kind === 'statement' || sameRows(duck.rows!, ours.rows!, sort));
  if (agreed) tally(c.passThrough, true, '', '');
  else {
    const cause = (await c.duck.answersOtherwise(step.sql, duck, sort)) ? replayCause(step.sql) : passThroughCause(step.sql, duck, ours, c);
    tally(c.passThrough, false, cause, `${where}: ${step.sql}${ours.ok ? '' : ` -> ${ours.error.split('\n')[0]}`}`);
  }
  if (step.kind !== 'query' || !duck.ok || c.logging) return;

  const parts = splitStatements(step.sql);
  if (parts.length !== 1) return;
  const query = parts[0]!.text;
  const constantSql = `SELECT *, 0.5::FLOAT FROM (${query}) q`;
  const constant = await c.duck.run(constantSql);
  const model = await c.ours.run(`SELECT *, ${c.model}(0.5) FROM (${query}) q`);
  c.modelRan = true;
  if (!constant.ok) return;
  const wrappedAgree = model.ok && sameRows(constant.rows!, model.rows!, sort);
  if (wrappedAgree) {
    tally(c.wrapped, true, '', '');
    return;
  }
  const cause = (await c.duck.answersOtherwise(constantSql, constant, sort)) ? replayCause(query) : wrappedCause(query, constant, model, c);
  tally(c.wrapped, false, cause, `${where}: ${query}${model.ok ? '' : ` -> ${model.error.split('\n')[0]}`}`);
}

async function runJob(job: ChildJob): Promise<void> {
  const udfs = createUdfs({ threads: 1 });
  udfs.registry.register(udfs.createModel(await udfs.inspectModel(job.model, job.modelPath, {})));
  // The engines never stop the shared runtime; it is closed once the child's files are done.
  const shared: EngineUdfs = { ...udfs, close: async () => {} };
  for (const { index, path } of job.files) {
    process.send!({ kind: 'started', index });
    const report = await runFile(job, index, path, shared);
    await new Promise<void>((resolve) => process.send!(report, () => resolve()));
  }
  await udfs.close();
}

process.once('message', (job: ChildJob) => {
  runJob(job).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
