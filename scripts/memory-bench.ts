// npm run bench:memory -- [--rows 100000,600000] [--width 1000] [--memory-limit 1GB] [--keep DIR]
// Peak memory of a model statement against DuckDB running the same statement with the model call replaced
// by a constant list of the same size: `COPY (SELECT id, wide(x) AS y FROM 'in.parquet') TO 'out.parquet'`
// where `wide` is an ONNX model mapping 8 floats to `width` floats. Each statement runs in a fresh
// `sqlinfer` process, measured by GNU time's maximum resident set size; the ratio is the figure to read.
// DuckDB folds a constant list into one value, which its Parquet writer holds for less than lists that
// differ from row to row, as any model's results do; so DuckDB also runs the statement with a per-row list
// of the same size (ten distinct lists, like `wide`'s results here), and both ratios are printed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OnnxGraphBuilder } from '../udfs/onnx/onnx-graph-builder.js';

const cli = fileURLToPath(new URL('../shell/main.js', import.meta.url));
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000,600000' },
    width: { type: 'string', default: '1000' },
    'memory-limit': { type: 'string' },
    keep: { type: 'string' },
  },
});
const rowCounts = values.rows.split(',').map(Number);
const width = Number(values.width);
if (rowCounts.some((n) => !Number.isSafeInteger(n) || n < 1) || !Number.isSafeInteger(width) || width < 1) {
  throw new Error('usage: npm run bench:memory -- [--rows 100000,600000] [--width 1000] [--memory-limit 1GB] [--keep DIR]');
}
if (!existsSync('/usr/bin/time')) throw new Error('needs GNU time (/usr/bin/time): apt-get install time');

/** y = x W: 8 floats in, `width` floats out. */
function wideModel(): Uint8Array {
  const g = new OnnxGraphBuilder('wide');
  g.input('x', 'float32', ['N', 8]);
  g.addInitializer('w', [8, width], Float32Array.from({ length: 8 * width }, (_, i) => ((i % 13) - 6) / 7));
  g.addNode({ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] });
  g.output('y', 'float32', ['N', width]);
  return g.toBytes();
}

/** Runs SQL in a fresh sqlinfer process: its peak RSS in MB and wall time in s. */
function measure(dir: string, sql: string): { peakMb: number; seconds: number } {
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, cli, '-c', sql], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
  const peak = /maxrss_kb=(\d+)/.exec(run.stderr);
  if (run.status !== 0 || peak === null) throw new Error(`sqlinfer failed (${run.status}): ${run.stderr}`);
  return { peakMb: Number(peak[1]) / 1024, seconds: (performance.now() - started) / 1000 };
}

const dir = values.keep ?? (await mkdtemp(join(tmpdir(), 'sqlinfer-memory-')));
try {
  await writeFile(join(dir, 'wide.onnx'), wideModel());
  const limit = values['memory-limit'] === undefined ? '' : `SET memory_limit = '${values['memory-limit']}'; `;
  const constant = `list_transform(range(${width}), i -> (i / 7)::FLOAT)`;
  const perRow = `list_transform(range(${width}), i -> ((i + id % 10) / 7)::FLOAT)`;
  console.log(`width ${width} floats per row${limit === '' ? '' : `, ${limit.trim()}`}`);
  console.log('rows\tsqlinfer MB\tDuckDB constant MB\tratio\tDuckDB per-row MB\tratio\tsqlinfer s\tDuckDB constant s');
  for (const rows of rowCounts) {
    measure(dir, `COPY (SELECT i AS id, list_transform(range(8), k -> ((i + k) % 10)::FLOAT) AS x FROM range(${rows}) t(i)) TO 'in.parquet'`);
    const model = measure(dir, `${limit}CREATE MODEL wide FROM 'wide.onnx'; COPY (SELECT id, wide(x) AS y FROM 'in.parquet') TO 'out-model.parquet'`);
    // The same statement with the call replaced by a constant list of the same size: DuckDB alone.
    const duck = measure(dir, `${limit}COPY (SELECT id, ${constant} AS y FROM 'in.parquet') TO 'out-duckdb.parquet'`);
    const rowwise = measure(dir, `${limit}COPY (SELECT id, ${perRow} AS y FROM 'in.parquet') TO 'out-duckdb-rows.parquet'`);
    console.log(
      [rows, model.peakMb.toFixed(0), duck.peakMb.toFixed(0), (model.peakMb / duck.peakMb).toFixed(2), rowwise.peakMb.toFixed(0), (model.peakMb / rowwise.peakMb).toFixed(2), model.seconds.toFixed(1), duck.seconds.toFixed(1)].join('\t'),
    );
  }
} finally {
  if (values.keep === undefined) await rm(dir, { recursive: true, force: true });
}
