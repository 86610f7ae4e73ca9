// A COPY with a model call gives what DuckDB's own COPY gives for the same target and options: the same
// files and folders, the same rows read back, the same errors, and nothing the user had goes missing that
// DuckDB would have kept. Each case runs in two identical folders: the real `sqlinfer` with the model call
// `lin([i, 1, 0])`, and plain DuckDB with the exact values it computes, `[i + 2.25, -i]::FLOAT[]`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runCli, tempDir, type CliRun } from './helpers/cli.js';
import { linearModel } from './helpers/onnx-model-fixtures.js';

const root = tempDir('sqlinfer-copy-targets-');
const model = join(root, 'linear.onnx');
const input = join(root, 'in.parquet');
const MODEL_CALL = 'lin([i, 1, 0])';
const SAME_VALUES = '[i + 2.25, -i]::FLOAT[]';

/** Plain DuckDB (the package sqlinfer uses) in a child process in `cwd`: per statement, its rows or its error. */
function duckdb(cwd: string, statements: readonly string[]): Promise<({ rows: unknown[][] } | { error: string })[]> {
  const script = `
    import { DuckDBInstance } from ${JSON.stringify(import.meta.resolve('@duckdb/node-api'))};
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const results = [];
    for (const sql of JSON.parse(process.argv[1])) {
      try { results.push({ rows: (await connection.runAndReadAll(sql)).getRowsJson() }); }
      catch (error) { results.push({ error: error.message }); }
    }
    process.stdout.write(JSON.stringify(results));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(statements)], { cwd });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`duckdb child failed: ${err}`))));
  });
}

function sqlinfer(cwd: string, statements: readonly string[]): Promise<CliRun> {
  const args = ['--model-threads', '1', '-c', `CREATE MODEL lin FROM '${model}'`];
  for (const sql of statements) args.push('-c', sql);
  return runCli(args, { cwd, timeoutMs: 60_000 });
}

/** Every path under `dir`: folders end in `/`, symlinks show their target; DuckDB's random names are masked. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix))
    .sort()
    .flatMap((name) => {
      const path = join(prefix, name);
      const info = lstatSync(join(dir, path));
      const shown = path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
      if (info.isSymbolicLink()) return [`${shown} -> ${readlinkSync(join(dir, path))}`];
      if (info.isDirectory()) return [`${shown}/`, ...tree(dir, path)];
      return [shown];
    })
    .sort();
}

interface Case {
  /** Makes what the user had in the folder (the same in both folders). */
  readonly setup?: (dir: string) => void;
  /** The COPY statements, with the model's values as `y`. */
  readonly copies: (y: string) => string[];
  /** Reads the written rows back, run by plain DuckDB in each folder. */
  readonly readBack?: string;
  /** What a failed DuckDB COPY leaves behind and sqlinfer does not (DuckDB's own temporary file). */
  readonly duckdbLeftovers?: readonly string[];
}

interface Outcome {
  readonly files: string[];
  readonly rows: unknown;
  readonly error: string | null;
}

/** Runs the case both ways; asserts the same files, rows and error; returns sqlinfer's folder and outcome. */
async function compare(c: Case): Promise<{ dir: string; ours: Outcome; before: string[] }> {
  const [ours, theirs] = [tempDir('sqlinfer-copy-ours-'), tempDir('sqlinfer-copy-duckdb-')];
  for (const dir of [ours, theirs]) {
    copyFileSync(input, join(dir, 'in.parquet'));
    c.setup?.(dir);
  }
  const before = tree(ours);
  const run = await sqlinfer(ours, c.copies(MODEL_CALL));
  const reference = await duckdb(theirs, c.copies(SAME_VALUES));
  const failed = reference.find((r): r is { error: string } => 'error' in r);
  const outcome = async (dir: string, error: string | null): Promise<Outcome> => ({
    files: tree(dir).filter((path) => dir === ours || !c.duckdbLeftovers?.includes(path)),
    rows: c.readBack === undefined ? null : await duckdb(dir, [c.readBack]),
    error,
  });
  const expected = await outcome(theirs, failed?.error ?? null);
  if (failed === undefined) assert.equal(run.code, 0, run.stderr);
  else assert.notEqual(run.code, 0, 'DuckDB failed but sqlinfer did not');
  const actual = await outcome(ours, failed === undefined ? null : failed.error);
  assert.deepEqual(actual.files, expected.files);
  assert.deepEqual(actual.rows, expected.rows);
  if (failed !== undefined) {
    // DuckDB's own message, naming the user's path, never the hidden temporary one.
    assert.ok(run.stderr.includes(failed.error), `expected DuckDB's error ${JSON.stringify(failed.error)}, got ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /\.sqlinfer-/);
  }
  // Nothing the user had is gone, unless DuckDB removed it too (which the equal trees above show).
  for (const path of before) if (!expected.files.includes(path)) assert.ok(!actual.files.includes(path), path);
  return { dir: ours, ours: actual, before };
}

const select = (y: string) => `SELECT i, i % 2 AS p, ${y} AS y FROM 'in.parquet'`;
const kept = (dir: string, ...paths: string[]) => {
  const files = tree(dir);
  for (const path of paths) assert.ok(files.includes(path), `${path} is gone: ${files.join(', ')}`);
};

before(async () => {
  writeFileSync(model, linearModel());
  const [made] = await duckdb(root, [`COPY (SELECT i FROM range(2000) t(i)) TO '${input}'`]);
  assert.ok(made !== undefined && 'rows' in made);
});

test('COPY into an existing folder (trailing slash) fails as in DuckDB; the folder and its files stay', async () => {
  const { dir } = await compare({
    setup: (d) => {
      mkdirSync(join(d, 'v'));
      writeFileSync(join(d, 'v', 'keep.txt'), 'mine');
    },
    copies: (y) => [`COPY (${select(y)}) TO 'v/'`],
  });
  assert.equal(readFileSync(join(dir, 'v', 'keep.txt'), 'utf8'), 'mine');
});

test('COPY onto an existing folder named without a slash fails as in DuckDB', async () => {
  const { dir } = await compare({
    setup: (d) => {
      mkdirSync(join(d, 'v.parquet'));
      writeFileSync(join(d, 'v.parquet', 'keep.txt'), 'mine');
    },
    copies: (y) => [`COPY (${select(y)}) TO 'v.parquet'`],
  });
  kept(dir, 'v.parquet/keep.txt');
});

test('PARTITION_BY with OVERWRITE_OR_IGNORE into the folder holding the input file keeps the input', async () => {
  const { dir } = await compare({
    setup: (d) => writeFileSync(join(d, 'notes.txt'), 'mine'),
    copies: (y) => [`COPY (${select(y)}) TO '.' (PARTITION_BY (p), OVERWRITE_OR_IGNORE)`],
    readBack: `SELECT i, p, y FROM read_csv('p=*/*.csv', hive_partitioning = true) ORDER BY i`,
  });
  kept(dir, 'in.parquet', 'notes.txt', 'p=0/', 'p=1/');
  const [rows] = await duckdb(dir, [`SELECT count(*) FROM 'in.parquet'`]);
  assert.deepEqual(rows, { rows: [['2000']] });
});

test('PARTITION_BY with APPEND twice: twice the rows, as in DuckDB', async () => {
  const copy = (y: string) => `COPY (${select(y)}) TO 'out' (FORMAT PARQUET, PARTITION_BY (p), APPEND)`;
  const { dir } = await compare({ copies: (y) => [copy(y), copy(y)], readBack: `SELECT count(*), count(DISTINCT i), sum(y[1]) FROM 'out/*/*.parquet'` });
  const [rows] = await duckdb(dir, [`SELECT count(*) FROM 'out/*/*.parquet'`]);
  assert.deepEqual(rows, { rows: [['4000']] });
});

test('PARTITION_BY into a folder that is not empty fails with DuckDB\'s error; its files stay', async () => {
  const { dir } = await compare({
    setup: (d) => {
      mkdirSync(join(d, 'out'));
      writeFileSync(join(d, 'out', 'keep.txt'), 'mine');
    },
    copies: (y) => [`COPY (${select(y)}) TO 'out' (PARTITION_BY (p))`],
  });
  kept(dir, 'out/keep.txt');
});

test('PARTITION_BY with OVERWRITE and FILENAME_PATTERN: what DuckDB does to the folder, nothing more', async () => {
  await compare({
    setup: (d) => {
      mkdirSync(join(d, 'out'));
      writeFileSync(join(d, 'out', 'old.txt'), 'replaced by OVERWRITE, in DuckDB too');
    },
    copies: (y) => [`COPY (${select(y)}) TO 'out' (FORMAT PARQUET, PARTITION_BY (p), OVERWRITE, FILENAME_PATTERN 'part_{i}')`],
    readBack: `SELECT i, p, y FROM 'out/*/*.parquet' ORDER BY i`,
  });
});

test('PER_THREAD_OUTPUT and FILE_SIZE_BYTES write folders, as in DuckDB', async () => {
  await compare({
    copies: (y) => [`COPY (${select(y)}) TO 'threads' (FORMAT PARQUET, PER_THREAD_OUTPUT)`, `COPY (${select(y)}) TO 'sized.csv' (FILE_SIZE_BYTES 20000)`],
    readBack: `SELECT (SELECT count(*) FROM 'threads/*.parquet'), (SELECT sum(i) FROM read_csv('sized.csv/*.csv'))`,
  });
});

test('a symlinked target: what DuckDB does (the link is replaced by the file; what it pointed to is untouched)', async () => {
  const { dir } = await compare({
    setup: (d) => {
      writeFileSync(join(d, 'real.parquet'), 'the file the link points to');
      symlinkSync('real.parquet', join(d, 'link.parquet'));
    },
    copies: (y) => [`COPY (${select(y)}) TO 'link.parquet'`],
    readBack: `SELECT i, p, y FROM 'link.parquet' ORDER BY i`,
  });
  assert.equal(readFileSync(join(dir, 'real.parquet'), 'utf8'), 'the file the link points to');
});

test('a dangling symlink is written through, as DuckDB does', async () => {
  await compare({
    setup: (d) => symlinkSync('made.csv', join(d, 'link.csv')),
    copies: (y) => [`COPY (${select(y)}) TO 'link.csv'`],
    readBack: `SELECT i, p, y FROM 'made.csv' ORDER BY i`,
  });
});

test('compressed outputs: .csv.gz, parquet with COMPRESSION zstd, .json', async () => {
  const { dir } = await compare({
    setup: (d) => writeFileSync(join(d, 'out.csv.gz'), 'an older file, replaced'),
    copies: (y) => [
      `COPY (${select(y)}) TO 'out.csv.gz'`,
      `COPY (${select(y)}) TO 'out.parquet' (FORMAT PARQUET, COMPRESSION zstd)`,
      `COPY (${select(y)}) TO 'out.json'`,
    ],
    readBack: `SELECT
      (SELECT list(y ORDER BY i) FROM read_csv('out.csv.gz')),
      (SELECT list(y ORDER BY i) FROM 'out.parquet'),
      (SELECT list(DISTINCT compression) FROM parquet_metadata('out.parquet')),
      (SELECT list(y ORDER BY i) FROM 'out.json')`,
  });
  assert.deepEqual([...readFileSync(join(dir, 'out.csv.gz')).subarray(0, 2)], [0x1f, 0x8b]);
  const [codec] = await duckdb(dir, [`SELECT DISTINCT compression FROM parquet_metadata('out.parquet')`]);
  assert.deepEqual(codec, { rows: [['ZSTD']] });
});

test("a statement that fails while writing leaves the existing file byte for byte, and no temporary file (DuckDB leaves its tmp_ file)", async () => {
  const { dir } = await compare({
    setup: (d) => writeFileSync(join(d, 'result.parquet'), 'the previous result'),
    copies: (y) => [`COPY (SELECT i, CASE WHEN i = 1500 THEN error('boom at 1500') ELSE ${y} END AS y FROM 'in.parquet') TO 'result.parquet'`],
    duckdbLeftovers: ['tmp_result.parquet'],
  });
  assert.equal(readFileSync(join(dir, 'result.parquet'), 'utf8'), 'the previous result');
  assert.deepEqual(tree(dir), ['in.parquet', 'result.parquet']);
});

test('a COPY into a folder that does not exist fails with DuckDB\'s message naming the user\'s path', async () => {
  await compare({ copies: (y) => [`COPY (${select(y)}) TO 'nope/x.parquet'`] });
});
