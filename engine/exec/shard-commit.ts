// `sqlinfer commit DIR`: the step after every shard of a run has written its part. It takes the run of
// the newest marker, checks that all N markers exist with one fingerprint, that the files each shard read
// are unchanged and that each part holds the rows its marker counted; then removes what other runs (another
// shard count) and killed attempts left, optionally merges the parts, in order, into one file, and writes
// `_SUCCESS` with the totals. Nothing is removed when a check fails.
import { DuckDBInstance } from '@duckdb/node-api';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quoteString } from '../plan/sql-text.js';
import { SqlError } from '../sql/sql-error.js';
import { copyOutput } from './copy-output.js';
import { duckdbError } from './duckdb-error.js';
import { MARKER_PATTERN, PART_PATTERN, SHARD_TEMP_PATTERN, type ShardMarker } from './shard-output.js';

export interface ShardCommit {
  readonly count: number;
  readonly parts: readonly string[];
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly rowErrors: number;
  /** Files of other runs and dead attempts, removed (relative to the folder). */
  readonly removed: readonly string[];
}

export async function commitShards(dir: string, mergeInto?: string): Promise<ShardCommit> {
  const fail = (detail: string, cause?: unknown) => new SqlError({ phase: 'execute', code: 'shard-commit', detail, cause });
  const shardsDir = join(dir, '_shards');
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    throw fail(`cannot read the folder '${dir}' (${error.code ?? error.message})`, error);
  });
  const markerFiles = (await readdir(shardsDir).catch(() => [] as string[])).filter((f) => MARKER_PATTERN.test(f));
  if (markerFiles.length === 0) throw fail(`'${dir}' has no shard markers (_shards/*.json): nothing was written there with --shard`);
  const markers = new Map<string, ShardMarker>();
  for (const file of markerFiles) {
    try {
      markers.set(file, JSON.parse(await readFile(join(shardsDir, file), 'utf8')) as ShardMarker);
    } catch (error) {
      throw fail(`the marker _shards/${file} cannot be read (${(error as Error).message}): rerun that shard`, error);
    }
  }
  // The run is the newest marker's: an older run with another shard count is what it replaces.
  const newest = [...markers.values()].reduce((a, b) => (b.timings.endedAt > a.timings.endedAt ? b : a));
  const count = newest.count;
  const run: ShardMarker[] = [];
  const missing: number[] = [];
  for (let index = 0; index < count; index++) {
    const marker = [...markers.values()].find((m) => m.count === count && m.shard === index);
    if (marker === undefined) missing.push(index);
    else run.push(marker);
  }
  if (missing.length > 0) {
    throw fail(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} (0-based) ${missing.length > 1 ? 'have' : 'has'} no marker in '${dir}/_shards': run ${missing.length > 1 ? 'them' : 'it'} (--shard I/${count}) before committing`);
  }
  for (const marker of run) {
    if (marker.fingerprint !== newest.fingerprint) throw fail(`shard ${marker.shard} of ${count} was written for another plan than shard ${newest.shard} (${planDifference(marker, newest)}): rerun it`);
  }
  for (const marker of run) {
    for (const input of marker.input.files) {
      const now = await stat(input.path).catch(() => null);
      if (now === null || now.size !== input.bytes || now.mtimeMs !== input.modifiedMs) {
        throw fail(`the input '${input.path}' ${now === null ? 'is gone' : 'changed'} since shard ${marker.shard} read it: rerun all ${count} shards`);
      }
    }
  }
  const parts = run.map((m) => m.part);
  await checkParts(dir, run, fail);

  const keep = new Set([...parts, '_shards', '_SUCCESS']);
  const removed: string[] = [];
  for (const entry of entries) {
    if (keep.has(entry) || !(PART_PATTERN.test(entry) || SHARD_TEMP_PATTERN.test(entry))) continue;
    await rm(join(dir, entry), { force: true });
    removed.push(entry);
  }
  const keepMarkers = new Set(run.map((m) => `${m.part.replace(/^part-/, '').replace(/\.[a-z]+$/, '')}.json`));
  for (const entry of await readdir(shardsDir)) {
    if (keepMarkers.has(entry) || !(MARKER_PATTERN.test(entry) || SHARD_TEMP_PATTERN.test(entry))) continue;
    await rm(join(shardsDir, entry), { force: true });
    removed.push(`_shards/${entry}`);
  }
  if (mergeInto !== undefined) await merge(dir, parts, mergeInto);
  const totals: ShardCommit = {
    count,
    parts,
    rowsIn: run.reduce((sum, m) => sum + m.rowsIn, 0),
    rowsOut: run.reduce((sum, m) => sum + m.rowsOut, 0),
    rowErrors: run.reduce((sum, m) => sum + m.rowErrors, 0),
    removed,
  };
  const success = join(dir, `._SUCCESS.${process.pid}.tmp`);
  await writeFile(success, `${JSON.stringify({ fingerprint: newest.fingerprint, count, parts, rowsIn: totals.rowsIn, rowsOut: totals.rowsOut, rowErrors: totals.rowErrors }, null, 2)}\n`);
  await rename(success, join(dir, '_SUCCESS'));
  return totals;
}

/** What differs between two runs' plans, for the message. */
function planDifference(a: ShardMarker, b: ShardMarker): string {
  if (a.plan.sql !== b.plan.sql) return 'the SQL differs';
  if (a.plan.version !== b.plan.version) return `sqlinfer ${a.plan.version} instead of ${b.plan.version}`;
  if (a.plan.inputFiles !== b.plan.inputFiles) return `${a.plan.inputFiles} input files instead of ${b.plan.inputFiles}`;
  return 'its input files differ in size or modification time';
}

/** Each Parquet part must hold the rows its marker counted (a part from another attempt of another plan would not). */
async function checkParts(dir: string, run: readonly ShardMarker[], fail: (detail: string, cause?: unknown) => SqlError): Promise<void> {
  for (const marker of run) {
    if ((await stat(join(dir, marker.part)).catch(() => null)) === null) throw fail(`shard ${marker.shard} of ${marker.count} has a marker but no part ${marker.part}: rerun it`);
  }
  const parquet = run.filter((m) => m.part.endsWith('.parquet'));
  if (parquet.length === 0) return;
  await withDuckDB(async (connection) => {
    const reader = await connection.runAndReadAll(`SELECT file_name, num_rows FROM parquet_file_metadata([${parquet.map((m) => quoteString(join(dir, m.part))).join(', ')}])`);
    const rows = new Map(reader.getRowObjectsJS().map((r) => [String(r['file_name']), Number(r['num_rows'])]));
    for (const marker of parquet) {
      const found = rows.get(join(dir, marker.part));
      if (found !== marker.rowsOut) throw fail(`part ${marker.part} holds ${found} rows but its marker counted ${marker.rowsOut}: rerun shard ${marker.shard}`);
    }
  }, fail);
}

/** The parts, in shard order, as one file: DuckDB reads them in list order; the file appears only complete. */
async function merge(dir: string, parts: readonly string[], target: string): Promise<void> {
  const reader = parts[0]!.endsWith('.parquet') ? 'read_parquet' : parts[0]!.endsWith('.csv') ? 'read_csv' : 'read_json';
  const output = await copyOutput(target, []);
  const list = `[${parts.map((p) => quoteString(join(dir, p))).join(', ')}]`;
  await withDuckDB(
    async (connection) => {
      try {
        await connection.run(`COPY (SELECT * FROM ${reader}(${list})) TO ${quoteString(output?.tempPath ?? target)}`);
      } catch (error) {
        await output?.discard();
        throw error;
      }
      await output?.commit();
    },
    (detail, cause) => new SqlError({ phase: 'execute', code: duckdbError(cause).code, detail: `merging the parts into '${target}': ${detail}`, cause }),
  );
}

async function withDuckDB(
  use: (connection: Awaited<ReturnType<DuckDBInstance['connect']>>) => Promise<void>,
  fail: (detail: string, cause?: unknown) => SqlError,
): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await use(connection);
  } catch (error) {
    if (error instanceof SqlError) throw error;
    throw fail(duckdbError(error).detail, error);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
