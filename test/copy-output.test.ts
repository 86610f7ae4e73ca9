// Where a COPY with model calls has DuckDB write: the decision on the target and options as written, the
// hidden temporary place of a single file (which DuckDB's globs do not match), and the removal of what
// dead writers left, which touches nothing but sqlinfer's own folders.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { copyOutput, hostId, writesOneLocalFile } from '../engine/exec/copy-output.js';
import { removeStaleTempFiles, tempFolderName } from '../engine/exec/stale-temp-files.js';
import type { CopyOptionText } from '../engine/plan/model-plan.js';
import { SqlError } from '../engine/sql/sql-error.js';
import { tempDir } from './helpers/cli.js';

const opts = (...pairs: [string, string | null][]): CopyOptionText[] => pairs.map(([name, value]) => ({ name, value }));

test('one local file is written atomically, whatever the format options', () => {
  for (const target of ['out.parquet', 'dir/out.csv', '/abs/out.csv.gz', 'out.json', 'out.ndjson', 'out.tsv', 'out', 'OUT.PARQUET', 'x.json.zst']) {
    assert.equal(writesOneLocalFile(target, []), true, target);
  }
  const single = [
    opts(['FORMAT', 'PARQUET'], ['COMPRESSION', 'zstd']),
    opts(['format', "'csv'"], ['HEADER', null]),
    opts(['PER_THREAD_OUTPUT', 'false']),
    opts(['per_thread_output', "'no'"]),
    // On a single file DuckDB ignores these: the result is the same file.
    opts(['APPEND', null]),
    opts(['OVERWRITE_OR_IGNORE', null]),
    opts(['OVERWRITE', 'true']),
    opts(['FILENAME_PATTERN', "'part_{i}'"]),
    opts(['USE_TMP_FILE', 'true']),
    opts(['RETURN_FILES', null]),
  ];
  for (const options of single) assert.equal(writesOneLocalFile('out.parquet', options), true, JSON.stringify(options));
});

test('folders, remote and special targets, and formats of extensions are left to DuckDB', () => {
  for (const target of ['s3://bucket/out.parquet', 'file:///tmp/x.csv', '~/out.parquet', '/dev/stdout', 'v/', 'v\\', '', 'out.xlsx', 'out.shp', 'out.csv.bz2']) {
    assert.equal(writesOneLocalFile(target, []), false, target);
  }
  const folders = [
    opts(['PARTITION_BY', '(p)']),
    opts(['partition_by', 'p'], ['OVERWRITE_OR_IGNORE', null]),
    opts(['PER_THREAD_OUTPUT', null]),
    opts(['PER_THREAD_OUTPUT', 'true']),
    opts(['PER_THREAD_OUTPUT', "'t'"]),
    opts(['FILE_SIZE_BYTES', "'1MB'"]),
    opts(['ROW_GROUPS_PER_FILE', '1']),
    opts(['USE_TMP_FILE', 'false']),
    opts(['FORMAT', 'gdal']),
    opts(['FORMAT', "'xlsx'"]),
  ];
  for (const options of folders) assert.equal(writesOneLocalFile('out.parquet', options), false, JSON.stringify(options));
});

test('the temporary file sits in a hidden folder beside the target, under the target name', async () => {
  const dir = tempDir('sqlinfer-copy-output-');
  const output = await copyOutput(join(dir, 'result.parquet'), []);
  assert.ok(output !== null);
  assert.equal(basename(output.tempPath), 'result.parquet');
  assert.equal(dirname(dirname(output.tempPath)), dir);
  assert.match(basename(dirname(output.tempPath)), new RegExp(`^\\.result\\.parquet\\.sqlinfer-${hostId()}-${process.pid}-[0-9a-f]{8}$`));
  await output.discard();
  assert.deepEqual(readdirSync(dir), []);
});

test("DuckDB's globs (which match dotfiles) do not match the file being written", async () => {
  const dir = tempDir('sqlinfer-copy-glob-');
  writeFileSync(join(dir, '.hidden.parquet'), '');
  const output = await copyOutput(join(dir, 'result.parquet'), []);
  assert.ok(output !== null);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (SELECT 1 AS x) TO '${output.tempPath}'`);
    const globbed = (await connection.runAndReadAll(`SELECT file FROM glob('${dir}/*.parquet') ORDER BY file`)).getRows();
    assert.deepEqual(globbed, [[join(dir, '.hidden.parquet')]]);
    await output.commit();
    const rows = (await connection.runAndReadAll(`SELECT x FROM '${join(dir, 'result.parquet')}'`)).getRows();
    assert.deepEqual(rows, [[1]]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  assert.deepEqual(readdirSync(dir).sort(), ['.hidden.parquet', 'result.parquet']);
});

test('commit replaces the file, discard leaves it; an existing symlink is replaced, as DuckDB does', async () => {
  const dir = tempDir('sqlinfer-copy-commit-');
  const target = join(dir, 'out.csv');
  writeFileSync(target, 'old\n');
  const failed = await copyOutput(target, []);
  writeFileSync(failed!.tempPath, 'half\n');
  await failed!.discard();
  assert.equal(readFileSync(target, 'utf8'), 'old\n');
  assert.deepEqual(readdirSync(dir), ['out.csv']);

  writeFileSync(join(dir, 'real.csv'), 'real\n');
  symlinkSync('real.csv', join(dir, 'link.csv'));
  const linked = await copyOutput(join(dir, 'link.csv'), []);
  writeFileSync(linked!.tempPath, 'new\n');
  await linked!.commit();
  assert.equal(readFileSync(join(dir, 'link.csv'), 'utf8'), 'new\n');
  assert.equal(readFileSync(join(dir, 'real.csv'), 'utf8'), 'real\n');
  assert.deepEqual(readdirSync(dir).sort(), ['link.csv', 'out.csv', 'real.csv']);
});

test('DuckDB writes itself into an existing folder, a missing folder, or through a dangling symlink', async () => {
  const dir = tempDir('sqlinfer-copy-inplace-');
  mkdirSync(join(dir, 'v'));
  symlinkSync('nowhere/x.csv', join(dir, 'dangling.csv'));
  symlinkSync('v', join(dir, 'to-folder.csv'));
  for (const target of ['v', 'missing/out.parquet', 'dangling.csv', 'to-folder.csv']) {
    assert.equal(await copyOutput(join(dir, target), []), null, target);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['dangling.csv', 'to-folder.csv', 'v']);
});

/** A pid that no process has any more: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

test("stale cleanup removes only sqlinfer's own folders, of dead processes of this machine", async () => {
  const dir = tempDir('sqlinfer-stale-');
  const dead = deadPid();
  const host = hostId();
  const folder = (pid: number, random: string, files: Record<string, string>, h = host) => {
    const path = join(dir, tempFolderName('out.parquet', h, pid, random));
    mkdirSync(path);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
    return basename(path);
  };
  const removable = [folder(dead, 'aaaaaaaa', { 'out.parquet': 'x' }), folder(dead, 'bbbbbbbb', {}), folder(dead, 'cccccccc', { 'tmp_out.parquet': 'x' })];
  const withNotes = folder(dead, 'abababab', { 'out.parquet': 'x', 'notes.txt': 'the user put this here' });
  const kept = [
    withNotes,
    folder(process.pid, 'dddddddd', { 'out.parquet': 'live' }),
    folder(dead, 'eeeeeeee', { 'out.parquet': 'x' }, 'ffffffff'),
    folder(dead, 'not-hex!', { 'out.parquet': 'x' }),
  ];
  // A user's symlink and file with a matching name are not folders sqlinfer made.
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'elsewhere', 'out.parquet'), 'precious');
  const link = tempFolderName('out.parquet', host, dead, '12345678');
  symlinkSync('elsewhere', join(dir, link));
  const file = tempFolderName('out.parquet', host, dead, '87654321');
  writeFileSync(join(dir, file), 'precious');
  kept.push(link, file, 'elsewhere');

  const removed = await removeStaleTempFiles(dir, 'out.parquet', host);
  assert.deepEqual(removed.sort(), removable.sort());
  assert.deepEqual(readdirSync(dir).sort(), kept.sort());
  assert.equal(readFileSync(join(dir, 'elsewhere', 'out.parquet'), 'utf8'), 'precious');
  assert.ok(existsSync(join(dir, withNotes, 'notes.txt')));
});

test('a commit that cannot rename names the target, not the hidden path, and removes nothing of the user', async () => {
  const dir = tempDir('sqlinfer-copy-race-');
  const target = join(dir, 'out.csv');
  const output = await copyOutput(target, []);
  writeFileSync(output!.tempPath, 'new\n');
  // A folder appears at the target while the statement runs.
  mkdirSync(target);
  writeFileSync(join(target, 'keep.txt'), 'mine');
  await assert.rejects(output!.commit(), (error: unknown) => {
    assert.ok(error instanceof SqlError);
    assert.match(error.message, new RegExp(`could not put the written file in place at "${target}" \\(EISDIR\\)`));
    assert.doesNotMatch(error.message, /\.sqlinfer-/);
    return true;
  });
  assert.deepEqual(readdirSync(dir), ['out.csv']);
  assert.equal(readFileSync(join(target, 'keep.txt'), 'utf8'), 'mine');
});
