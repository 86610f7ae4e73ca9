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

function sameRows(a: readonly string[], b: readonly string[], sort: 'none' | 'rowsort' | 'valuesort'): boolean {
  if (sort === 'none') return a.length === b.length && a.every((r, i) => r === b[i]);
  const key = (rows: readonly string[]) => (sort === 'rowsort' ? [...rows].sort() : rows.flatMap((r) => r.split('|')).sort()).join('\n');
  return key(a) === key(b);
}

interface Side {
  run(sql: string): Promise<Outcome>;
  open(database: string, readOnly: boolean): Promise<void>;
  close(): Promise<void>;
}

class DuckDBSide implements Side {
  private instance: DuckDBInstance | null = null;
  private connection: DuckDBConnection | null = null;
  constructor(private readonly timeoutMs: number) {}

  async open(database: string, readOnly: boolean): Promise<void> {
    await this.close();
    this.instance = await DuckDBInstance.create(database, readOnly ? { access_mode: 'READ_ONLY' } : {});
    this.connection = await this.instance.connect();
  }

  async run(sql: string): Promise<Outcome> {
    const connection = this.connection!;
    const timer = setTimeout(() => connection.interrupt(), this.timeoutMs);
    try {
      const reader = await connection.runAndReadAll(sql);
      // What a client of DuckDB sees: rows, a count of changed rows, or nothing (CREATE ... AS among them).
      switch (reader.returnType) {
        case ResultReturnType.QUERY_RESULT:
          return { ok: true, rows: rowsOf(reader.getRows()) };
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

class EngineSide implements Side {
  private engine: Engine | null = null;
  constructor(
    private readonly udfs: EngineUdfs,
    private readonly timeoutMs: number,
  ) {}

  async open(database: string): Promise<void> {
    await this.close();
    // sqlinfer opens files read-write; a read-only `load` is opened the same way on both sides' copies.
    this.engine = await createEngine({ database, udfs: this.udfs });
  }

  async run(sql: string): Promise<Outcome> {
    try {
      const results = await this.engine!.run(sql, { signal: AbortSignal.timeout(this.timeoutMs) });
      const last = results.at(-1);
      if (last === undefined || last.kind === 'nothing') return { ok: true, rows: [] };
      return { ok: true, rows: last.kind === 'count' ? [`changed ${last.rowsChanged}`] : rowsOf(last.rows) };
    } catch (error) {
      return { ok: false, error: (error as Error).message, phase: error instanceof SqlError ? error.phase : 'crash' };
    }
  }

  async close(): Promise<void> {
    await this.engine?.close();
    this.engine = null;
  }
}

/** Each side writes in its own folder: its path in a result (a file name COPY reports) is put back as written. */
function ownFolder(outcome: Outcome, folder: string): Outcome {
  return outcome.ok && outcome.rows !== null ? { ok: true, rows: outcome.rows.map((r) => r.replaceAll(folder, '__TEST_DIR__')) } : outcome;
}

/** Results that differ from run to run in DuckDB itself: timings, random values, clocks, memory, threads. */
const nondeterministic = /explain\s+analy[sz]e|random\(|uuid|gen_random|now\(|current_(time|date|timestamp)|get_current|setseed|memory|duckdb_(temporary_files|memory|settings)|threads|pragma\s+(database_size|storage_info|metadata_info)|duckdb_(blocks|databases)|database_size|storage_info|version\(/i;

/** A query that only reads, so DuckDB may run it again to see whether it answers the same. */
const readOnlyQuery = /^\s*(\(\s*)*(select|with|from|values|table|describe|summarize|show)\b/i;
const writes = /\b(nextval|setseed|insert|update|delete|create|copy|drop|alter|attach|detach)\b/i;

/** Why the rows of a query differ, by what it is. */
function rowsCause(sql: string, rerunDiffers: boolean): string {
  const first = /^\s*(\w+)/.exec(sql.replace(/^(\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/))*/, ''))?.[1]?.toUpperCase() ?? '?';
  // DuckDB answering the same query twice with other rows is DuckDB's own nondeterminism, seen rather than guessed.
  if (rerunDiffers) return `rows differ, nondeterministic in DuckDB: the same query run again on DuckDB gives other rows (${first})`;
  return `rows differ${nondeterministic.test(sql) ? ', nondeterministic in DuckDB' : ''} (${first})`;
}

/** Whether DuckDB, asked the same read-only query again (up to three times), answers otherwise. */
async function duckdbAnswersOtherwise(side: Side, sql: string, first: readonly string[], sort: 'none' | 'rowsort' | 'valuesort'): Promise<boolean> {
  if (!readOnlyQuery.test(sql) || writes.test(sql)) return false;
  for (let i = 0; i < 3; i++) {
    const again = await side.run(sql);
    if (!again.ok || !sameRows(first, again.rows!, sort)) return true;
  }
  return false;
}

async function runFile(job: ChildJob, index: number, path: string, udfs: EngineUdfs): Promise<FileReport> {
  const test = readTestFile(readFileSync(path, 'utf8'));
  if (!test.runnable) return { kind: 'skipped', index, reason: test.reason };
  const name = relative(job.folder, path);
  const passThrough = emptyFigures();
  const wrapped = emptyFigures();
  let ended: string | null = null;
  const dirs = [join(job.work, `${index}-duckdb`), join(job.work, `${index}-sqlinfer`)];
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  const sides: [Side, Side] = [new DuckDBSide(job.timeoutMs), new EngineSide(udfs, job.timeoutMs)];
  let databases = [':memory:', ':memory:'];
  const fill = (sql: string, side: number) =>
    sql.replace(/__TEST_DIR__|\{TEST_DIR\}|\{TEMP_DIR\}/g, dirs[side]!).replaceAll('{DATA_DIR}', 'data').replaceAll('__WORKING_DIRECTORY__', process.cwd());
  const context: StepContext = { file: name, sides, fill, passThrough, wrapped, model: job.model };
  try {
    await Promise.all(sides.map((s, i) => s.open(databases[i]!, false)));
    const fileStarted = performance.now();
    for (const step of test.steps) {
      // The rest of a file that runs too long is left out (a benchmark-sized loop, say), and said so.
      if (performance.now() - fileStarted > job.fileTimeoutMs) {
        ended = 'file took too long: the rest left out';
        break;
      }
      if (step.kind === 'load' || step.kind === 'restart') {
        if (step.kind === 'load') databases = [0, 1].map((i) => (step.path === null ? ':memory:' : fill(step.path, i)));
        await Promise.all(sides.map((s, i) => s.open(databases[i]!, step.kind === 'load' && step.readOnly)));
        continue;
      }
      await runStatement(step, context);
    }
  } catch (error) {
    // A database that cannot be opened (a `load` of a file from another DuckDB version, say) ends the file.
    ended = causeOf((error as Error).message);
  } finally {
    for (const side of sides) await side.close().catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  return { kind: 'ran', index, passThrough, wrapped, ended };
}

interface StepContext {
  readonly file: string;
  readonly sides: [Side, Side];
  readonly fill: (sql: string, side: number) => string;
  readonly passThrough: ModeFigures;
  readonly wrapped: ModeFigures;
  readonly model: string;
}

function tally(figures: ModeFigures, agreed: boolean, cause: () => string, example: () => string): void {
  figures.total++;
  if (agreed) figures.agree++;
  else figures.disagreements.push({ cause: cause(), example: example() });
}

async function runStatement(step: Step & { kind: 'statement' | 'query' }, c: StepContext): Promise<void> {
  const { sides, fill } = c;
  const where = `${c.file}:${step.line}`;
  const [duckRun, oursRun] = await Promise.all([sides[0].run(fill(step.sql, 0)), sides[1].run(fill(step.sql, 1))]);
  const duck = ownFolder(duckRun, fill('__TEST_DIR__', 0));
  const ours = ownFolder(oursRun, fill('__TEST_DIR__', 1));
  const sort = step.kind === 'query' ? step.sort : 'none';
  const agreed = duck.ok === ours.ok && (!duck.ok || !ours.ok || step.kind === 'statement' || sameRows(duck.rows!, ours.rows!, sort));
  const rerunDiffers = !agreed && duck.ok && ours.ok && (await duckdbAnswersOtherwise(sides[0], fill(step.sql, 0), duck.rows!, sort));
  tally(
    c.passThrough,
    agreed,
    () =>
      !ours.ok
        ? `sqlinfer ${ours.phase}: ${causeOf(ours.error)}`
        : !duck.ok
          ? `DuckDB fails, sqlinfer succeeds: ${causeOf(duck.error)}`
          : sameRows(duck.rows!, ours.rows!, 'rowsort')
            ? 'rows in another order (the query leaves the order to DuckDB)'
            : rowsCause(step.sql, rerunDiffers),
    () => `${where}: ${step.sql}${ours.ok ? '' : ` -> ${ours.error.split('\n')[0]}`}`,
  );
  if (step.kind !== 'query' || !duck.ok) return;

  const parts = splitStatements(step.sql);
  if (parts.length !== 1) return;
  const query = parts[0]!.text;
  const constantSql = fill(`SELECT *, 0.5::FLOAT FROM (${query}) q`, 0);
  const constant = ownFolder(await sides[0].run(constantSql), fill('__TEST_DIR__', 0));
  const model = ownFolder(await sides[1].run(fill(`SELECT *, ${c.model}(0.5) FROM (${query}) q`, 1)), fill('__TEST_DIR__', 1));
  if (!constant.ok) return;
  const wrappedAgree = model.ok && sameRows(constant.rows!, model.rows!, sort);
  const constantRerunDiffers = !wrappedAgree && model.ok && (await duckdbAnswersOtherwise(sides[0], constantSql, constant.rows!, sort));
  tally(
    c.wrapped,
    wrappedAgree,
    () =>
      !model.ok
        ? `sqlinfer ${model.phase}: ${causeOf(model.error)}`
        : sameRows(constant.rows!, model.rows!, 'rowsort')
          ? 'rows in another order'
          : /current_query\(/i.test(query)
            ? 'rows differ: current_query() shows the wrapped statement, whose text differs by construction'
            : rowsCause(query, constantRerunDiffers),
    () => `${where}: ${query}${model.ok ? '' : ` -> ${model.error.split('\n')[0]}`}`,
  );
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
