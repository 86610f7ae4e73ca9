// The real sqlinfer as N shard processes on one machine (README "Many machines"): Parquet files with
// several row groups, an empty file, fewer rows than shards, a user column named `filename`, and a
// read_blob folder of images. The parts, read in name order, give the one-machine run's rows in its
// order; a killed shard leaves nothing a `*.parquet` glob matches; retries and duplicate attempts are
// harmless; `sqlinfer commit` keeps the newest run and fails on a changed input.
import { DuckDBInstance } from '@duckdb/node-api';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import sharp from 'sharp';
import { cliPath, runCli, tempDir, type CliRun } from './helpers/cli.js';
import { linearModel } from './helpers/onnx-model-fixtures.js';

const dir = tempDir('sqlinfer-shard-');
// The test's own DuckDB reads the folders by the same relative paths as the shards.
process.chdir(dir);
const model = "CREATE MODEL lin FROM 'lin.onnx'";
const rowsQuery = "SELECT id, filename, lin(x) AS y FROM 'rows/*.parquet' WHERE id % 10 <> 3";
const fewQuery = "SELECT id, filename, lin(x) AS y FROM read_parquet('few/*.parquet')";
const blobQuery = "SELECT filename, image_to_tensor(content, 4, 4) AS t FROM read_blob('img/*/*.png')";
// Every staged row is repeated by the output stage, so the part is still being written when it is killed.
// (A join: its rows come in DuckDB's order, on one machine too, so only the multiset is compared.)
const longQuery = "SELECT id, lin(x) AS y, r.range AS k FROM 'few/*.parquet', range(400000) AS r";

const duck = async <T>(use: (run: (sql: string) => Promise<unknown[][]>) => Promise<T>): Promise<T> => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await use(async (sql) => (await connection.runAndReadAll(sql)).getRowsJS() as unknown[][]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
};

before(async () => {
  writeFileSync(join(dir, 'lin.onnx'), linearModel());
  for (const folder of ['rows', 'few', 'img/a', 'img/b', 'hive/k=1', 'hive/k=2']) await mkdir(join(dir, folder), { recursive: true });
  await duck(async (run) => {
    const file = (path: string, from: number, rows: number, options = '') =>
      run(`COPY (SELECT range AS id, 'user-' || range AS filename, [range / 7, 1.5, -range]::FLOAT[] AS x FROM range(${from}, ${from + rows})) TO '${join(dir, path)}' ${options}`);
    // Three row groups (DuckDB writes at least 2048 rows a group), a small file, an empty one.
    await file('rows/a.parquet', 0, 5000, '(ROW_GROUP_SIZE 2048)');
    await file('rows/b.parquet', 5000, 3);
    await file('rows/c.parquet', 0, 0);
    await file('rows/d.parquet', 6000, 700);
    await file('few/b.parquet', 5000, 3);
    await file('few/c.parquet', 0, 0);
    await file('hive/k=1/part.parquet', 0, 4);
    await file('hive/k=2/part.parquet', 4, 2);
  });
  for (let i = 0; i < 7; i++) {
    const size = 6 + 9 * i;
    await sharp({ create: { width: size, height: size + i, channels: 3, background: { r: 30 * i, g: 200 - 20 * i, b: 90 } } })
      .png()
      .toFile(join(dir, 'img', i % 2 === 0 ? 'a' : 'b', `p${i}.png`));
  }
});

const sqlinfer = (args: readonly string[]): Promise<CliRun> => runCli(args, { cwd: dir, timeoutMs: 240_000 });

/** The one-machine run of `query` into `file`. */
async function single(query: string, file: string): Promise<void> {
  const run = await sqlinfer(['-c', `${model}; COPY (${query}) TO '${file}'`]);
  assert.equal(run.code, 0, run.stderr);
}

/** Shards `indexes` of `count`, all at once, each a process of its own. */
async function shards(query: string, out: string, count: number, indexes = [...Array(count).keys()]): Promise<CliRun[]> {
  const runs = await Promise.all(indexes.map((i) => sqlinfer(['--shard', `${i}/${count}`, '-c', `${model}; COPY (${query}) TO '${out}'`])));
  for (const [i, run] of runs.entries()) {
    assert.equal(run.code, 0, `shard ${indexes[i]}/${count}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`^sqlinfer: shard ${indexes[i]}/${count} \\(--shard`));
  }
  return runs;
}

const partName = (i: number, n: number) => `part-${String(i).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.parquet`;

/** The parts read in name order equal the one-machine file row for row: same rows, same order, same count. */
async function assertSameRows(out: string, file: string): Promise<void> {
  await duck(async (run) => {
    const parts = await run(`SELECT * FROM read_parquet('${out}/*.parquet')`);
    const whole = await run(`SELECT * FROM '${file}'`);
    assert.ok(whole.length > 0);
    assert.deepEqual(parts, whole);
  });
}

/** The same rows, duplicates counted, in any order: a join's order is DuckDB's, even on one machine. */
async function assertSameMultiset(out: string, file: string): Promise<void> {
  await duck(async (run) => {
    const parts = `read_parquet('${out}/*.parquet')`;
    const [[differ, rows, total]] = (await run(
      `SELECT (SELECT count(*) FROM ((FROM ${parts} EXCEPT ALL FROM '${file}') UNION ALL (FROM '${file}' EXCEPT ALL FROM ${parts}))),
              (SELECT count(*) FROM ${parts}), (SELECT count(*) FROM '${file}')`,
    )) as [[bigint, bigint, bigint]];
    assert.equal(Number(differ), 0);
    assert.equal(rows, total);
  });
}

for (const count of [1, 2, 3, 7]) {
  test(`${count} shard processes at once give the one-machine rows in order (row groups, an empty file, a column named filename)`, async () => {
    if (!existsSync(join(dir, 'rows.parquet'))) await single(rowsQuery, 'rows.parquet');
    const out = `rows-${count}`;
    await shards(rowsQuery, out, count);
    assert.deepEqual(readdirSync(join(dir, out)).sort(), [...Array.from({ length: count }, (_, i) => partName(i, count)), '_shards'].sort());
    await assertSameRows(out, 'rows.parquet');
    const markers = readdirSync(join(dir, out, '_shards')).map((m) => JSON.parse(readFileSync(join(dir, out, '_shards', m), 'utf8')));
    assert.equal(markers.length, count);
    assert.equal(new Set(markers.map((m) => m.fingerprint)).size, 1);
    const [[rows]] = await duck((run) => run("SELECT count(*) FROM 'rows.parquet'")) as [[number]];
    assert.equal(markers.reduce((sum, m) => sum + m.rowsOut, 0), Number(rows));
    assert.deepEqual(markers.map((m) => m.plan.inputFiles), Array(count).fill(4));
    // The shards' files, in shard order, are the input's non-empty files in order.
    const read = markers.sort((a, b) => a.shard - b.shard).flatMap((m) => m.input.files.map((f: { path: string }) => f.path.split('/').at(-1)));
    assert.deepEqual([...new Set(read)], ['a.parquet', 'b.parquet', 'd.parquet']);
  });
}

test('more shards than rows: every shard writes its part, the empty ones with the columns', async () => {
  await single(fewQuery, 'few.parquet');
  await shards(fewQuery, 'few-5', 5);
  await assertSameRows('few-5', 'few.parquet');
  await duck(async (run) => {
    const counts = await run(`SELECT num_rows FROM parquet_file_metadata('few-5/*.parquet') ORDER BY file_name`);
    assert.deepEqual(counts.map(([c]) => Number(c)), [0, 1, 0, 1, 1]);
    assert.deepEqual((await run(`DESCRIBE SELECT * FROM 'few-5/${partName(0, 5)}'`)).map((r) => r[0]), ['id', 'filename', 'y']);
  });
});

test('hive-partitioned folders keep their partition column in every shard', async () => {
  const hive = "SELECT k, id, lin(x) AS y FROM read_parquet('hive/*/*.parquet', hive_partitioning = true)";
  await single(hive, 'hive.parquet');
  await shards(hive, 'hive-3', 3);
  await assertSameRows('hive-3', 'hive.parquet');
  await duck(async (run) => assert.deepEqual((await run(`SELECT DISTINCT k FROM 'hive-3/*.parquet' ORDER BY k`)).map(([k]) => Number(k)), [1, 2]));
});

test('a read_blob folder of images splits by bytes, more shards than files', async () => {
  await single(blobQuery, 'blobs.parquet');
  await shards(blobQuery, 'blobs-9', 9);
  await assertSameRows('blobs-9', 'blobs.parquet');
  const commit = await sqlinfer(['commit', 'blobs-9']);
  assert.equal(commit.code, 0, commit.stderr);
  assert.match(commit.stdout, /^committed blobs-9: 9 parts, 7 rows in, 7 rows out, 0 row errors\n$/);
});

test('statements whose result is not the union of the shards are refused at plan time', async () => {
  const refused: [string, RegExp][] = [
    [`SELECT lin(x) FROM 'rows/*.parquet'`, /must be COPY \(SELECT \.\.\.\) TO 'folder'/],
    [`COPY (SELECT sum(lin(x)[1]) FROM 'rows/*.parquet') TO 'r1'`, /aggregate the parts/],
    [`COPY (SELECT lin(x) AS y FROM 'rows/*.parquet' ORDER BY id) TO 'r1'`, /ORDER BY sorts across all shards/],
    [`COPY (SELECT lin(x) AS y FROM 'rows/*.parquet' LIMIT 5) TO 'r1'`, /LIMIT counts rows across all shards/],
    [`COPY (SELECT DISTINCT lin(x) AS y FROM 'rows/*.parquet') TO 'r1'`, /DISTINCT works across all rows/],
    [`COPY (SELECT lin(x) AS y, rank() OVER (ORDER BY id) FROM 'rows/*.parquet') TO 'r1'`, /window functions/],
    [`COPY (SELECT lin(a.x) AS y FROM 'rows/*.parquet' a JOIN 'rows/*.parquet' b USING (id)) TO 'r1'`, /joined with itself/],
    [`COPY (SELECT lin(a.x) AS y FROM (SELECT 1 AS id) s LEFT JOIN 'rows/*.parquet' a USING (id)) TO 'r1'`, /put the split relation on the kept side/],
    [`COPY (SELECT lin(x) AS y FROM (SELECT * FROM 'rows/*.parquet')) TO 'r1'`, /splits Parquet files .* and read_blob globs/],
    [`COPY (SELECT lin(x) AS y FROM 'rows/*.parquet') TO 's3://bucket/r1'`, /the COPY target is a local folder of parts/],
    [`COPY (SELECT id, lin(x) AS y FROM 'rows/*.parquet') TO 'r1' (PARTITION_BY (id))`, /PARTITION_BY cannot be used/],
  ];
  for (const [sql, message] of refused) {
    const run = await sqlinfer(['--shard', '1/3', '-c', `${model}; ${sql}`]);
    assert.equal(run.code, 1, sql);
    assert.match(run.stderr, /Plan error/, sql);
    assert.match(run.stderr, message, sql);
  }
  assert.equal(existsSync(join(dir, 'r1')), false);
  // A join with a small unsharded table is fine: every shard joins its own rows.
  const small = "SELECT id, lin(x) AS y, s.k FROM 'rows/*.parquet' AS r LEFT JOIN (SELECT 5001 AS id, 'found' AS k) AS s USING (id)";
  await single(small, 'small.parquet');
  await shards(small, 'small-3', 3);
  await assertSameMultiset('small-3', 'small.parquet');
});

/** Starts shard `index`/`count` of the long query; kills it with SIGKILL as soon as its temporary part appears. */
function killWhileWriting(out: string, index: number, count: number): Promise<{ signal: NodeJS.Signals | null; temporaries: string[] }> {
  return new Promise((resolve, reject) => {
    const folder = join(dir, out);
    const temporaries = () => readdirSync(folder).filter((f) => f.endsWith('.tmp'));
    const child = spawn(process.execPath, [cliPath, '--shard', `${index}/${count}`, '-c', `${model}; COPY (${longQuery}) TO '${out}'`], { cwd: dir, stdio: 'ignore' });
    const watcher = watch(folder, () => {
      if (temporaries().length > 0) child.kill('SIGKILL');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      watcher.close();
      resolve({ signal, temporaries: temporaries() });
    });
  });
}

test('a shard killed while writing leaves nothing a *.parquet glob matches; its rerun gives the same union', async () => {
  await single(longQuery, 'long.parquet');
  await mkdir(join(dir, 'killed'));
  await shards(longQuery, 'killed', 2, [0]);
  const killed = await killWhileWriting('killed', 1, 2);
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal(killed.temporaries.length, 1, 'killed while its part was being written');
  await duck(async (run) => {
    for (const glob of ['killed/*.parquet', 'killed/**/*.parquet', 'killed/*', 'killed/**']) {
      const files = (await run(`SELECT file FROM glob('${glob}')`)).map(([f]) => String(f).split('/').at(-1));
      assert.ok(!files.includes(partName(1, 2)), glob);
      if (glob.endsWith('.parquet')) assert.deepEqual(files, [partName(0, 2)], glob);
    }
    // Readers of the folder see only complete parts.
    await run(`SELECT count(*) FROM 'killed/**/*.parquet'`);
  });
  await shards(longQuery, 'killed', 2, [1]);
  // The rerun removed what the killed attempt left (its process is gone).
  assert.deepEqual(readdirSync(join(dir, 'killed')).sort(), [partName(0, 2), partName(1, 2), '_shards'].sort());
  assert.deepEqual(readdirSync(join(dir, 'killed', '_shards')).sort(), ['00000-of-00002.json', '00001-of-00002.json']);
  await assertSameMultiset('killed', 'long.parquet');
});

test('two attempts of one shard at once leave one correct part', async () => {
  await shards(rowsQuery, 'twice', 3, [0, 1, 1, 2]);
  assert.deepEqual(readdirSync(join(dir, 'twice')).sort(), [partName(0, 3), partName(1, 3), partName(2, 3), '_shards'].sort());
  assert.deepEqual(readdirSync(join(dir, 'twice', '_shards')).length, 3);
  await assertSameRows('twice', 'rows.parquet');
  const commit = await sqlinfer(['commit', 'twice']);
  assert.equal(commit.code, 0, commit.stderr);
});

test('N=4 then N=3 into one folder: commit keeps the 3 parts of the newer run, and --merge writes them as one file', async () => {
  await shards(rowsQuery, 'rerun', 4);
  await shards(rowsQuery, 'rerun', 3);
  assert.equal(readdirSync(join(dir, 'rerun')).filter((f) => f.endsWith('.parquet')).length, 7);
  const commit = await sqlinfer(['commit', 'rerun', '--merge', 'merged.parquet']);
  assert.equal(commit.code, 0, commit.stderr);
  assert.match(commit.stdout, /^committed rerun: 3 parts, \d+ rows in, \d+ rows out, 0 row errors; removed 8 files of other runs or killed attempts\nmerged into merged\.parquet\n$/);
  assert.deepEqual(readdirSync(join(dir, 'rerun')).sort(), [partName(0, 3), partName(1, 3), partName(2, 3), '_SUCCESS', '_shards'].sort());
  assert.deepEqual(readdirSync(join(dir, 'rerun', '_shards')).sort(), ['00000-of-00003.json', '00001-of-00003.json', '00002-of-00003.json']);
  await assertSameRows('rerun', 'rows.parquet');
  await duck(async (run) => assert.deepEqual(await run(`SELECT * FROM 'merged.parquet'`), await run(`SELECT * FROM 'rows.parquet'`)));
  const success = JSON.parse(readFileSync(join(dir, 'rerun', '_SUCCESS'), 'utf8'));
  assert.equal(success.count, 3);
});

test('commit fails, naming it, on a missing shard, a changed input, or a shard of another plan', async () => {
  await mkdir(join(dir, 'changing'));
  const query = "SELECT id, lin(x) AS y FROM 'changing/*.parquet'";
  await duck(async (run) => {
    await run(`COPY (SELECT 1 AS id, [1, 2, 3]::FLOAT[] AS x) TO '${join(dir, 'changing', 'a.parquet')}'`);
    await run(`COPY (SELECT 2 AS id, [4, 5, 6]::FLOAT[] AS x) TO '${join(dir, 'changing', 'b.parquet')}'`);
  });
  await shards(query, 'changed', 2, [0]);
  const missing = await sqlinfer(['commit', 'changed']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /shard 1 of 2 \(0-based\) has no marker/);
  await shards(query, 'changed', 2, [1]);
  assert.equal((await sqlinfer(['commit', 'changed'])).code, 0);
  await duck((run) => run(`COPY (SELECT 2 AS id, [7, 8, 9]::FLOAT[] AS x) TO '${join(dir, 'changing', 'b.parquet')}'`));
  const changed = await sqlinfer(['commit', 'changed']);
  assert.equal(changed.code, 1);
  assert.match(changed.stderr, /the input '.*changing\/b\.parquet' changed since shard 1 read it/);
  assert.equal(existsSync(join(dir, 'changed', '_SUCCESS')), true, 'a failed commit removes nothing');
  await shards(query, 'changed', 2, [1]);
  const mixed = await sqlinfer(['commit', 'changed']);
  assert.equal(mixed.code, 1);
  assert.match(mixed.stderr, /shard 0 of 2 was written for another plan than shard 1 \(its input files differ in size or modification time\): rerun it/);
  assert.equal(existsSync(join(dir, 'changed', '_SUCCESS')), false, 'a shard that writes again unmarks the folder');
});
