// npm run corpus -- <folder of DuckDB's test/sql> [--every N [--offset K]] [--limit FILES] [--timeout SECONDS] [--file-timeout SECONDS] [--json OUT]
// Measures sqlinfer against plain DuckDB on DuckDB's own sqllogictest files (it downloads nothing: bring the
// corpus, e.g. `git archive` of duckdb/duckdb's test/sql). Each file runs in two fresh databases side by
// side, statement by statement: plain DuckDB, and a sqlinfer engine with a one-node identity ONNX model `m`.
//   (a) pass-through: every statement and query, as written, on both; they agree when both succeed with
//       the same rows (sorted when the file sorts them) or both fail.
//   (b) model path: each query wrapped as `SELECT *, sqlinfer_identity(0.5) FROM (<query>) q` on sqlinfer, against plain
//       DuckDB running `SELECT *, 0.5::FLOAT FROM (<query>) q`; counted where DuckDB's version succeeds.
// It prints both agreement figures and the disagreements grouped by cause, with an example each.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance, ResultReturnType, type DuckDBConnection } from '@duckdb/node-api';
import { createEngine, createUdfs, splitStatements, SqlError, type Engine, type EngineUdfs } from '../engine/index.js';
import { OnnxGraphBuilder } from '../udfs/onnx/onnx-graph-builder.js';
import { readTestFile, type Step } from './sqllogictest-file.js';

const USAGE = 'usage: npm run corpus -- <test/sql folder> [--every N [--offset K]] [--limit FILES] [--timeout SECONDS] [--file-timeout SECONDS] [--json OUT]';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    every: { type: 'string', default: '1' },
    offset: { type: 'string', default: '0' },
    limit: { type: 'string' },
    timeout: { type: 'string', default: '20' },
    'file-timeout': { type: 'string', default: '120' },
    json: { type: 'string' },
  },
});
const folder = positionals[0];
if (folder === undefined) {
  console.error(USAGE);
  process.exit(2);
}
const every = Number(values.every);
const offset = Number(values.offset);
const timeoutMs = Number(values.timeout) * 1000;
const fileTimeoutMs = Number(values['file-timeout']) * 1000;

/** The model's name: one no test file uses for a macro or function of its own. */
const MODEL = 'sqlinfer_identity';

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

/** Runs one statement on a side, interrupted after the timeout. */
interface Side {
  run(sql: string): Promise<Outcome>;
  open(database: string, readOnly: boolean): Promise<void>;
  close(): Promise<void>;
}

class DuckDBSide implements Side {
  private instance: DuckDBInstance | null = null;
  private connection: DuckDBConnection | null = null;

  async open(database: string, readOnly: boolean): Promise<void> {
    await this.close();
    this.instance = await DuckDBInstance.create(database, readOnly ? { access_mode: 'READ_ONLY' } : {});
    this.connection = await this.instance.connect();
  }

  async run(sql: string): Promise<Outcome> {
    const connection = this.connection!;
    const timer = setTimeout(() => connection.interrupt(), timeoutMs);
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
  constructor(private readonly udfs: EngineUdfs) {}

  async open(database: string, readOnly: boolean): Promise<void> {
    await this.close();
    // sqlinfer opens files read-write; a read-only `load` is opened the same way on both sides' copies.
    void readOnly;
    this.engine = await createEngine({ database, udfs: this.udfs });
  }

  async run(sql: string): Promise<Outcome> {
    try {
      const results = await this.engine!.run(sql, { signal: AbortSignal.timeout(timeoutMs) });
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

/** A one-node model: y = x for one FLOAT per row. */
function identityModel(): Uint8Array {
  const g = new OnnxGraphBuilder('identity');
  g.input('x', 'float32', ['N']);
  g.addNode({ op: 'Identity', inputs: ['x'], outputs: ['y'] });
  g.output('y', 'float32', ['N']);
  return g.toBytes();
}

/** Each side writes in its own folder: its path in a result (a file name COPY reports) is put back as written. */
function ownFolder(outcome: Outcome, folder: string): Outcome {
  return outcome.ok && outcome.rows !== null ? { ok: true, rows: outcome.rows.map((r) => r.replaceAll(folder, '__TEST_DIR__')) } : outcome;
}

/** Results that differ from run to run in DuckDB itself: timings, random values, clocks, memory, threads. */
const nondeterministic = /explain\s+analy[sz]e|random\(|uuid|gen_random|now\(|current_(time|date|timestamp)|get_current|setseed|memory|duckdb_(temporary_files|memory|settings)|threads|pragma\s+(database_size|storage_info|metadata_info)|duckdb_(blocks|databases)|database_size|storage_info|version\(/i;

/** Why the rows of a query differ, by what it is. */
function rowsCause(sql: string): string {
  const first = /^\s*(\w+)/.exec(sql.replace(/^(\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/))*/, ''))?.[1]?.toUpperCase() ?? '?';
  return `rows differ${nondeterministic.test(sql) ? ', nondeterministic in DuckDB' : ''} (${first})`;
}

/** Messages with their particulars (names, numbers, positions) blanked, to group them by cause. */
function causeOf(message: string): string {
  const first = message.split('\n')[0]!;
  // A parse error is told apart by the token found, the construct the parser does not know.
  if (first.startsWith('Parse error')) return first.replace(/at \d+:\d+/g, 'at L:C').slice(0, 140);
  return first
    .replace(/at \d+:\d+/g, 'at L:C')
    .replace(/"[^"]*"|'[^']*'/g, '…')
    .replace(/\d+(\.\d+)?/g, 'N')
    .slice(0, 140);
}

class Tally {
  total = 0;
  agree = 0;
  readonly causes = new Map<string, { count: number; example: string; where: string[] }>();
  add(agreed: boolean, cause: string, example: () => string): void {
    this.total++;
    if (agreed) {
      this.agree++;
      return;
    }
    const entry = this.causes.get(cause) ?? { count: 0, example: example(), where: [] };
    entry.count++;
    // Every place (file:line) of the cause goes to --json, to look each one up.
    entry.where.push(example().split(': ')[0]!);
    this.causes.set(cause, entry);
  }
  report(title: string): string {
    const pct = this.total === 0 ? 'n/a' : `${((100 * this.agree) / this.total).toFixed(2)}%`;
    const lines = [`${title}: ${this.agree} of ${this.total} agree (${pct}); ${this.total - this.agree} disagree`];
    for (const [cause, { count, example }] of [...this.causes].sort((a, b) => b[1].count - a[1].count).slice(0, 40)) {
      lines.push(`  ${String(count).padStart(6)}  ${cause}\n          e.g. ${example.replace(/\s+/g, ' ').slice(0, 220)}`);
    }
    return lines.join('\n');
  }
}

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test')) out.push(path);
  }
  return out;
}

const work = mkdtempSync(join(tmpdir(), 'sqlinfer-corpus-'));
const modelPath = join(work, 'identity.onnx');
writeFileSync(modelPath, identityModel());
// One model runtime for every file: its workers start once. The engines never stop it; it is closed at the end.
const udfs = createUdfs({ threads: 1 });
udfs.registry.register(udfs.createModel(await udfs.inspectModel(MODEL, modelPath, {})));
const sharedUdfs: EngineUdfs = { ...udfs, close: async () => {} };

const passThrough = new Tally();
const wrapped = new Tally();
let runnable = 0;
const skipped = new Map<string, number>();
const aborted = new Map<string, number>();
const all = testFiles(folder).filter((_, i) => i % every === offset);
const files = values.limit === undefined ? all : all.slice(0, Number(values.limit));
const started = performance.now();

for (const [n, file] of files.entries()) {
  const test = readTestFile(readFileSync(file, 'utf8'));
  if (!test.runnable) {
    skipped.set(test.reason, (skipped.get(test.reason) ?? 0) + 1);
    continue;
  }
  runnable++;
  const name = relative(folder, file);
  const dirs = [join(work, `${n}-duckdb`), join(work, `${n}-sqlinfer`)];
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  const sides: [Side, Side] = [new DuckDBSide(), new EngineSide(sharedUdfs)];
  let databases = [':memory:', ':memory:'];
  const fill = (sql: string, side: number) =>
    sql.replace(/__TEST_DIR__|\{TEST_DIR\}|\{TEMP_DIR\}/g, dirs[side]!).replaceAll('{DATA_DIR}', 'data').replaceAll('__WORKING_DIRECTORY__', process.cwd());
  try {
    await Promise.all(sides.map((s, i) => s.open(databases[i]!, false)));
    const fileStarted = performance.now();
    for (const step of test.steps) {
      // The rest of a file that runs too long is left out (a benchmark-sized loop, say), and said so.
      if (performance.now() - fileStarted > fileTimeoutMs) {
        aborted.set('file took too long: the rest left out', (aborted.get('file took too long: the rest left out') ?? 0) + 1);
        break;
      }
      await runStep(step, name, sides, fill, (next) => (databases = next), () => databases);
    }
  } catch (error) {
    // A database that cannot be opened (a `load` of a file from another DuckDB version, say) ends the file.
    aborted.set(causeOf((error as Error).message), (aborted.get(causeOf((error as Error).message)) ?? 0) + 1);
  } finally {
    for (const side of sides) await side.close().catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  if ((n + 1) % 50 === 0) {
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.error(`${n + 1}/${files.length} files, ${seconds} s: (a) ${passThrough.agree}/${passThrough.total}, (b) ${wrapped.agree}/${wrapped.total}`);
    // A long run can be read while it goes.
    if (values.json !== undefined) writeFileSync(`${values.json}.partial.txt`, `after ${n + 1} of ${files.length} files\n${summaryText()}\n`);
  }
}

async function runStep(
  step: Step,
  file: string,
  sides: [Side, Side],
  fill: (sql: string, side: number) => string,
  setDatabases: (databases: string[]) => void,
  databases: () => string[],
): Promise<void> {
  if (step.kind === 'load' || step.kind === 'restart') {
    const next = step.kind === 'load' ? [0, 1].map((i) => (step.path === null ? ':memory:' : fill(step.path, i))) : databases();
    if (step.kind === 'load') setDatabases(next);
    await Promise.all(sides.map((s, i) => s.open(next[i]!, step.kind === 'load' && step.readOnly)));
    return;
  }
  const where = `${file}:${step.line}`;
  const [duckRun, oursRun] = await Promise.all([sides[0].run(fill(step.sql, 0)), sides[1].run(fill(step.sql, 1))]);
  const duck = ownFolder(duckRun, fill('__TEST_DIR__', 0));
  const ours = ownFolder(oursRun, fill('__TEST_DIR__', 1));
  const sort = step.kind === 'query' ? step.sort : 'none';
  const agreed = duck.ok === ours.ok && (!duck.ok || !ours.ok || step.kind === 'statement' || sameRows(duck.rows!, ours.rows!, sort));
  const cause = !ours.ok
    ? `sqlinfer ${ours.phase}: ${causeOf(ours.error)}`
    : !duck.ok
      ? `DuckDB fails, sqlinfer succeeds: ${causeOf(duck.error)}`
      : sameRows(duck.rows!, ours.rows!, 'rowsort')
        ? 'rows in another order (the query leaves the order to DuckDB)'
        : rowsCause(step.sql);
  passThrough.add(agreed, cause, () => `${where}: ${step.sql}${ours.ok ? '' : ` -> ${ours.error.split('\n')[0]}`}`);
  if (step.kind !== 'query' || !duck.ok) return;

  const parts = splitStatements(step.sql);
  if (parts.length !== 1) return;
  const query = parts[0]!.text;
  const constant = ownFolder(await sides[0].run(fill(`SELECT *, 0.5::FLOAT FROM (${query}) q`, 0)), fill('__TEST_DIR__', 0));
  const model = ownFolder(await sides[1].run(fill(`SELECT *, ${MODEL}(0.5) FROM (${query}) q`, 1)), fill('__TEST_DIR__', 1));
  if (!constant.ok) return;
  const wrappedAgree = model.ok && sameRows(constant.rows!, model.rows!, sort);
  const wrappedCause = !model.ok
    ? `sqlinfer ${model.phase}: ${causeOf(model.error)}`
    : sameRows(constant.rows!, model.rows!, 'rowsort')
      ? 'rows in another order'
      : /current_query\(/i.test(query)
        ? 'rows differ: current_query() shows the wrapped statement, whose text differs by construction'
        : rowsCause(query);
  wrapped.add(wrappedAgree, wrappedCause, () => `${where}: ${query}${model.ok ? '' : ` -> ${model.error.split('\n')[0]}`}`);
}

await udfs.close();
rmSync(work, { recursive: true, force: true });

function summaryText(): string {
  const rejected = [...wrapped.causes].filter(([cause]) => cause.startsWith('sqlinfer parse')).reduce((sum, [, e]) => sum + e.count, 0);
  return [
    `${files.length} files read (every ${every} from ${offset}), ${runnable} runnable; not runnable: ${[...skipped].sort((a, b) => b[1] - a[1]).map(([r, c]) => `${r} ${c}`).join(', ')}`,
  passThrough.report('(a) pass-through, per statement'),
  wrapped.report('(b) queries wrapped with a model call'),
  `(b) parse rejections: ${rejected} of ${wrapped.total} (${wrapped.total === 0 ? 'n/a' : ((100 * rejected) / wrapped.total).toFixed(2)}%)`,
  `files ended early: ${[...aborted].map(([r, c]) => `${c} ${r}`).join('; ') || 'none'}`,
  `${((performance.now() - started) / 1000).toFixed(0)} s`,
  ].join('\n');
}
console.log(summaryText());
if (values.json !== undefined) {
  const causes = (t: Tally) => Object.fromEntries([...t.causes].map(([cause, e]) => [cause, e]));
  writeFileSync(values.json, JSON.stringify({ files: files.length, runnable, passThrough: { total: passThrough.total, agree: passThrough.agree, causes: causes(passThrough) }, modelPath: { total: wrapped.total, agree: wrapped.agree, causes: causes(wrapped) } }, null, 2));
}
