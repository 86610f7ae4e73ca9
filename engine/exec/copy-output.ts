// Where DuckDB writes a COPY's output. A single local file appears only complete: DuckDB writes it into a
// fresh hidden folder beside the target, under the target's own name (so DuckDB infers the same format and
// compression from it), and it is renamed over the target when the statement succeeds, removed when it
// fails. No `*.parquet` glob of the target's folder matches it there (DuckDB's globs match dotfiles): the
// folder's name ends in random hex, and `*` does not cross a `/`. DuckDB 1.5 itself writes an existing
// target as `tmp_<name>` renamed over it, so the result is DuckDB's: a new file, a symlink at the target
// replaced by a file. Every other output (a folder of partitions or per-thread files, an existing folder,
// a remote or special file, a format from an extension) is written by DuckDB in place with the user's
// options: DuckDB's own semantics and errors, nothing removed by sqlinfer.
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { isLocalWritePath } from '../plan/file-paths.js';
import type { CopyOptionText } from '../plan/model-plan.js';
import { SqlError } from '../sql/sql-error.js';
import { removeStaleTempFiles, tempFolderName } from './stale-temp-files.js';

export interface AtomicOutput {
  /** Where DuckDB should write. */
  readonly tempPath: string;
  /** Moves the written file over the target. */
  commit(): Promise<void>;
  /** Removes whatever was written; the target is untouched. */
  discard(): Promise<void>;
}

/** Options that make DuckDB write a folder of files (partitions, per-thread files, rotated files). */
const FOLDER_OPTIONS = new Set(['partition_by', 'per_thread_output', 'file_size_bytes', 'row_groups_per_file']);
/** Formats DuckDB's core writes as one file; an extension's format may write files beside it. */
const ONE_FILE_FORMATS = new Set(['csv', 'parquet', 'json', 'ndjson', 'jsonl']);
/** Extensions that DuckDB (without FORMAT) writes as CSV, besides none at all. */
const CSV_EXTENSIONS = new Set(['csv', 'tsv', 'txt']);

/**
 * Whether `COPY ... TO target (options)` writes one local file, which sqlinfer can write atomically, as
 * written by the user; false when DuckDB must write in place. Decided on the text alone.
 */
export function writesOneLocalFile(target: string, options: readonly CopyOptionText[]): boolean {
  // A URL, `~` or a device is DuckDB's to write; a trailing slash names a folder.
  if (!isLocalWritePath(target)) return false;
  if (target.endsWith('/') || target.endsWith('\\')) return false;
  let format: string | null = null;
  for (const option of options) {
    const name = option.name.toLowerCase();
    if (name === 'per_thread_output' || name === 'use_tmp_file') {
      // PER_THREAD_OUTPUT false writes one file; USE_TMP_FILE false asks DuckDB to write into the target
      // itself (through a symlink, keeping the file's inode).
      const on = !isFalse(option.value);
      if (name === 'per_thread_output' ? on : !on) return false;
    } else if (FOLDER_OPTIONS.has(name)) {
      return false;
    } else if (name === 'format') {
      format = unquote(option.value ?? '').toLowerCase();
    }
  }
  if (format !== null) return ONE_FILE_FORMATS.has(format);
  // Without FORMAT, DuckDB takes the format from the extension after a .gz or .zst.
  const name = basename(target).replace(/\.(gz|zst)$/, '');
  const dot = name.lastIndexOf('.');
  const extension = dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
  return extension === '' || CSV_EXTENSIONS.has(extension) || ONE_FILE_FORMATS.has(extension);
}

/**
 * The hidden place DuckDB writes `target` to, or null when DuckDB writes the target itself: not one local
 * file, the target exists and is not a regular file (a folder: DuckDB's own error), a dangling symlink
 * (DuckDB writes through it), or the hidden folder cannot be made (a missing folder, no permission: DuckDB
 * then reports it naming the user's path).
 */
export async function copyOutput(target: string, options: readonly CopyOptionText[]): Promise<AtomicOutput | null> {
  if (!writesOneLocalFile(target, options)) return null;
  const absolute = resolve(target);
  const entry = await lstat(absolute).catch(() => null);
  const existing = await stat(absolute).catch(() => null);
  if (entry !== null && (existing === null || !existing.isFile())) return null;
  const dir = dirname(absolute);
  const name = basename(absolute);
  const host = hostId();
  const tempDir = join(dir, tempFolderName(name, host, process.pid, randomBytes(4).toString('hex')));
  try {
    await mkdir(tempDir);
  } catch {
    return null;
  }
  const tempPath = join(tempDir, name);
  return {
    tempPath,
    async commit() {
      try {
        if ((await lstat(tempPath).catch(() => null)) !== null) await rename(tempPath, absolute);
      } catch (error) {
        // Named for the user's target: the hidden path means nothing to them, and is gone.
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw new SqlError({ phase: 'execute', code: 'copy-output', detail: `could not put the written file in place at "${target}" (${code})`, cause: error });
      } finally {
        await rm(tempDir, { recursive: true, force: true });
      }
      // What killed writers of this target left behind goes with the first write that ends.
      await removeStaleTempFiles(dir, name, host);
    },
    async discard() {
      await rm(tempDir, { recursive: true, force: true });
      await removeStaleTempFiles(dir, name, host);
    },
  };
}

/** This machine, in temp names: a pid means something only on the machine that wrote it (shared disks). */
export function hostId(): string {
  return createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
}

/** DuckDB reads a boolean option as true when its value is absent, and these (checked on DuckDB 1.5) as false. */
function isFalse(value: string | null): boolean {
  return value !== null && ['false', '0', 'f', 'n', 'no'].includes(unquote(value).toLowerCase());
}

function unquote(text: string): string {
  const trimmed = text.trim();
  return /^'.*'$|^".*"$/s.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
}
