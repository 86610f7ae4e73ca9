// What `--shard` reads before splitting a relation: its files in DuckDB's order with their rows and row
// groups (Parquet footers, no data scanned) or their sizes (blobs, whose contents are not read), and
// each file's size and modification time for the plan's fingerprint.
import type { DuckDBConnection } from '@duckdb/node-api';
import { stat } from 'node:fs/promises';
import type { ShardCatalog, ShardReader } from '../plan/shard-leaf.js';
import type { ShardFile } from '../plan/shard-split.js';
import { SqlError } from '../sql/sql-error.js';
import { duckdbCatalog } from './duckdb-plan-catalog.js';
import { duckdbError } from './duckdb-error.js';

export function shardCatalog(connection: DuckDBConnection): ShardCatalog {
  const plan = duckdbCatalog(connection);
  const rows = async (sql: string) => {
    try {
      return (await connection.runAndReadAll(sql)).getRowObjectsJS();
    } catch (error) {
      throw duckdbError(error);
    }
  };
  return {
    describe: (query) => plan.describe(query),
    aggregateFunctions: () => plan.aggregateFunctions(),
    async inputFiles(reader: ShardReader, paths: string): Promise<ShardFile[]> {
      // Sizes and times come from the file system, as `sqlinfer commit` checks them.
      const withStat = (path: string, rows: number, rowGroups: readonly number[]) =>
        stat(path).then(
          (info) => ({ path, rows, rowGroups, bytes: info.size, modifiedMs: info.mtimeMs }),
          (error: NodeJS.ErrnoException) => {
            throw new SqlError({ phase: 'plan', code: 'shard-input', detail: `--shard reads local files, and cannot read '${path}' (${error.code ?? error.message})`, cause: error });
          },
        );
      if (reader === 'read_blob') {
        // read_blob reads no contents when only the file names are asked for.
        const blobs = await rows(`SELECT filename FROM read_blob(${paths})`);
        return Promise.all(blobs.map((b) => withStat(String(b['filename']), 1, [1])));
      }
      const files = await rows(`SELECT file_name, num_rows FROM parquet_file_metadata(${paths})`);
      // One row per column chunk: the first column's chunks give each row group once.
      const groups = await rows(`SELECT file_name, row_group_num_rows FROM parquet_metadata(${paths}) WHERE column_id = 0 ORDER BY file_name, row_group_id`);
      const groupsOf = new Map<string, number[]>();
      for (const g of groups) {
        const name = String(g['file_name']);
        groupsOf.set(name, [...(groupsOf.get(name) ?? []), Number(g['row_group_num_rows'])]);
      }
      return Promise.all(files.map((f) => withStat(String(f['file_name']), Number(f['num_rows']), groupsOf.get(String(f['file_name'])) ?? [])));
    },
  };
}
