// Where a statement's model results go once they outgrow memory: a folder of its own inside DuckDB's
// `temp_directory` (where DuckDB spills its own data), made on first use. When the statement ends, the
// files written there are removed, then the folder, then `temp_directory` itself if this made it and it is
// empty: nothing else is ever removed. Folders left by killed processes of this machine are removed by
// the next statement that spills to the same place, when they hold nothing but result parts.
import { lstat, mkdir, mkdtemp, readdir, rmdir, unlink } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SqlError } from '../sql/sql-error.js';
import { isRunning } from './stale-temp-files.js';

const PART_FILE = /^part-[0-9]{6}$/;

export class SpillFolder {
  /** DuckDB's temp_directory, read before the stages; '' turns spilling off. */
  private setting = '';
  private made: Promise<string | null> | null = null;
  private madeTempDirectory: string | null = null;
  private readonly files: string[] = [];

  /** Reads DuckDB's temp_directory, while `connection` is free (the folder is made later, if ever needed). */
  async readSetting(connection: DuckDBConnection): Promise<void> {
    const reader = await connection.runAndReadAll(`SELECT current_setting('temp_directory')`);
    this.setting = String(reader.getRows()[0]?.[0] ?? '');
  }

  /** The folder, made on first use; null when `SET temp_directory = ''` turned spilling off (results then stay in memory). */
  folder(): Promise<string | null> {
    this.made ??= this.make();
    return this.made;
  }

  /** A new file's path in `folder`, removed with it. */
  file(folder: string): string {
    const path = join(folder, `part-${String(this.files.length).padStart(6, '0')}`);
    this.files.push(path);
    return path;
  }

  async remove(): Promise<void> {
    const folder = this.made === null ? null : await this.made.catch(() => null);
    if (folder === null) return;
    for (const file of this.files.splice(0)) await unlink(file).catch(() => undefined);
    await rmdir(folder).catch(() => undefined);
    if (this.madeTempDirectory !== null) await rmdir(this.madeTempDirectory).catch(() => undefined);
  }

  private async make(): Promise<string | null> {
    const setting = this.setting;
    if (setting === '') return null;
    // DuckDB reads a relative temp_directory from the working directory too, and `~` as the home folder.
    const tempDirectory = resolve(setting === '~' || setting.startsWith('~/') ? homedir() + setting.slice(1) : setting);
    try {
      const created = await mkdir(tempDirectory, { recursive: true });
      if (created !== undefined) this.madeTempDirectory = tempDirectory;
      const prefix = `sqlinfer-${hostname()}-`;
      await removeStaleFolders(tempDirectory, prefix);
      return await mkdtemp(join(tempDirectory, `${prefix}${process.pid}-`));
    } catch (error) {
      throw new SqlError({
        phase: 'execute',
        code: 'spill-folder',
        detail: `model results outgrew memory and cannot be written to temp_directory '${setting}': ${(error as Error).message}; SET temp_directory to a writable folder`,
        cause: error,
      });
    }
  }
}

/** Removes `prefix<pid>-<random>` folders of exited processes that hold only result parts. */
async function removeStaleFolders(dir: string, prefix: string): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    const match = entry.startsWith(prefix) ? /^(\d+)-[A-Za-z0-9]{6}$/.exec(entry.slice(prefix.length)) : null;
    if (match === null || isRunning(Number(match[1]))) continue;
    const folder = join(dir, entry);
    if ((await lstat(folder).catch(() => null))?.isDirectory() !== true) continue;
    const files = await readdir(folder).catch(() => null);
    if (files === null || !files.every((file) => PART_FILE.test(file))) continue;
    try {
      for (const file of files) await unlink(join(folder, file));
      await rmdir(folder);
    } catch {
      // Another process cleaning the same leftovers: left for it.
    }
  }
}
