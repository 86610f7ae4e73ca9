// npm run corpus -- <folder of DuckDB's test/sql> [--every N [--offset K]] [--limit FILES] [--timeout SECONDS] [--file-timeout SECONDS] [--batch FILES] [--jobs N] [--json OUT]
// Measures sqlinfer against plain DuckDB on DuckDB's own sqllogictest files (it downloads nothing: bring the
// corpus, e.g. `git archive` of duckdb/duckdb's test/sql). Each file runs in two fresh databases side by
// side, statement by statement: plain DuckDB, and a sqlinfer engine with a one-node identity ONNX model.
//   (a) pass-through: every statement and query, as written, on both; they agree when both succeed with
//       the same rows (sorted when the file sorts them) or both fail.
//   (b) model path: each query wrapped as `SELECT *, sqlinfer_identity(0.5) FROM (<query>) q` on sqlinfer, against plain
//       DuckDB running `SELECT *, 0.5::FLOAT FROM (<query>) q`; counted where DuckDB's version succeeds.
// Files run in child processes (corpus-files.ts), a batch each: a file that crashes or hangs its process
// is counted as ended early and the run goes on with the next file in a new process.
// It prints both agreement figures and the disagreements grouped by cause, with an example each.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { OnnxGraphBuilder } from '../udfs/onnx/onnx-graph-builder.js';
import type { ChildJob } from './corpus-files.js';
import { Tally, type FileReport } from './corpus-tally.js';

const USAGE =
  'usage: npm run corpus -- <test/sql folder> [--every N [--offset K]] [--limit FILES] [--timeout SECONDS] [--file-timeout SECONDS] [--batch FILES] [--jobs N] [--json OUT]';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    every: { type: 'string', default: '1' },
    offset: { type: 'string', default: '0' },
    limit: { type: 'string' },
    timeout: { type: 'string', default: '20' },
    'file-timeout': { type: 'string', default: '120' },
    batch: { type: 'string', default: '40' },
    jobs: { type: 'string', default: '1' },
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
const batch = Number(values.batch);
const jobs = Number(values.jobs);
/** A file whose process says nothing for this long is stopped: its steps are bounded, so it hangs. */
const hangMs = fileTimeoutMs + 4 * timeoutMs + 60_000;

/** The model's name: one no test file uses for a macro or function of its own. */
const MODEL = 'sqlinfer_identity';

/** A one-node model: y = x for one FLOAT per row. */
function identityModel(): Uint8Array {
  const g = new OnnxGraphBuilder('identity');
  g.input('x', 'float32', ['N']);
  g.addNode({ op: 'Identity', inputs: ['x'], outputs: ['y'] });
  g.output('y', 'float32', ['N']);
  return g.toBytes();
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

const passThrough = new Tally();
const wrapped = new Tally();
let runnable = 0;
let done = 0;
const skipped = new Map<string, number>();
/** Why files ended before their last step, with the files (and the statement a process died in). */
const ended = new Map<string, string[]>();
const all = testFiles(folder).filter((_, i) => i % every === offset);
const files = values.limit === undefined ? all : all.slice(0, Number(values.limit));
const started = performance.now();
const countInto = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

function take(report: FileReport): void {
  done++;
  if (report.kind === 'skipped') {
    countInto(skipped, report.reason);
  } else {
    runnable++;
    passThrough.addFigures(report.passThrough);
    wrapped.addFigures(report.wrapped);
    if (report.ended !== null) ended.set(report.ended, [...(ended.get(report.ended) ?? []), relative(folder!, files[report.index]!)]);
  }
  if (done % 50 === 0) {
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.error(`${done}/${files.length} files, ${seconds} s: (a) ${passThrough.agree}/${passThrough.total}, (b) ${wrapped.agree}/${wrapped.total}`);
    // A long run can be read while it goes.
    if (values.json !== undefined) writeFileSync(`${values.json}.partial.txt`, `after ${done} of ${files.length} files\n${summaryText()}\n`);
  }
}

/** The files not yet handed to a child, in order. */
const queue = files.map((path, index) => ({ index, path }));

/** Runs batches in one child after another until the queue is empty; a crash or hang costs one file. */
async function worker(): Promise<void> {
  while (queue.length > 0) {
    const share = queue.splice(0, batch);
    await new Promise<void>((resolve) => {
      const child: ChildProcess = fork(join(import.meta.dirname, 'corpus-files.js'), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      const reported = new Set<number>();
      let current: number | null = null;
      let line: number | null = null;
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
      let hung = false;
      const stop = () => {
        hung = true;
        child.kill('SIGKILL');
      };
      let watchdog = setTimeout(stop, hangMs);
      child.on('message', (message: FileReport | { kind: 'started'; index: number } | { kind: 'step'; line: number }) => {
        clearTimeout(watchdog);
        watchdog = setTimeout(stop, hangMs);
        if (message.kind === 'step') line = message.line;
        else if (message.kind === 'started') {
          current = message.index;
          line = null;
        } else {
          reported.add(message.index);
          take(message);
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(watchdog);
        const rest = share.filter((f) => !reported.has(f.index));
        if (rest.length > 0) {
          // The file in progress took its process down (or hung it): it counts as ended, the others run again.
          const culprit = rest.find((f) => f.index === current) ?? rest[0]!;
          const why = hung ? `process stopped: no answer for ${hangMs / 1000} s` : `process died (${signal ?? `exit ${code}`})`;
          done++;
          runnable++;
          const place = `${relative(folder!, culprit.path)}${line === null ? '' : `:${line}`}`;
          ended.set(why, [...(ended.get(why) ?? []), place]);
          console.error(`${place}: ${why}${stderr === '' ? '' : `\n${stderr.trim().split('\n').slice(-3).join('\n')}`}`);
          queue.unshift(...rest.filter((f) => f !== culprit));
        }
        resolve();
      });
      const job: ChildJob = { folder: folder!, files: share, work, model: MODEL, modelPath, timeoutMs, fileTimeoutMs };
      child.send(job);
    });
  }
}

await Promise.all(Array.from({ length: jobs }, () => worker()));
rmSync(work, { recursive: true, force: true });

function summaryText(): string {
  const rejected = wrapped.count(/^sqlinfer parse/);
  const own = (t: Tally) => t.count(/nondeterministic in DuckDB/);
  return [
    `${files.length} files read (every ${every} from ${offset}), ${runnable} runnable; not runnable: ${[...skipped].sort((a, b) => b[1] - a[1]).map(([r, c]) => `${r} ${c}`).join(', ')}`,
    passThrough.report('(a) pass-through, per statement'),
    `(a) disagreements that are DuckDB's own nondeterminism: ${own(passThrough)} of ${passThrough.total - passThrough.agree}`,
    wrapped.report('(b) queries wrapped with a model call'),
    `(b) disagreements that are DuckDB's own nondeterminism: ${own(wrapped)} of ${wrapped.total - wrapped.agree}`,
    `(b) parse rejections: ${rejected} of ${wrapped.total} (${wrapped.total === 0 ? 'n/a' : ((100 * rejected) / wrapped.total).toFixed(2)}%)`,
    `files ended early: ${[...ended].map(([r, where]) => `${where.length} ${r} (${where.slice(0, 5).join(', ')}${where.length > 5 ? ' ...' : ''})`).join('; ') || 'none'}`,
    `${((performance.now() - started) / 1000).toFixed(0)} s`,
  ].join('\n');
}
console.log(summaryText());
if (values.json !== undefined) {
  const causes = (t: Tally) => Object.fromEntries([...t.causes].map(([cause, e]) => [cause, e]));
  writeFileSync(
    values.json,
    JSON.stringify(
      {
        files: files.length,
        runnable,
        ended: Object.fromEntries(ended),
        passThrough: { total: passThrough.total, agree: passThrough.agree, causes: causes(passThrough) },
        modelPath: { total: wrapped.total, agree: wrapped.agree, causes: causes(wrapped) },
      },
      null,
      2,
    ),
  );
}
