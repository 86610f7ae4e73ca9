// A COPY target that appears only complete: DuckDB writes to a hidden temporary path next to the target
// (same directory, so the final rename is atomic; same extension, so DuckDB infers the same format),
// which is renamed into place when the statement succeeds and removed when it fails.
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { removeStaleTempFiles } from './stale-temp-files.js';

export interface AtomicOutput {
  /** Where DuckDB should write. */
  readonly tempPath: string;
  /** Moves the written file (or partition directory) over the target. */
  commit(): Promise<void>;
  /** Removes whatever was written; the target is untouched. */
  discard(): Promise<void>;
}

/** Null for targets that are not local files (`s3://...`, `/dev/stdout`): those are written in place. */
export function atomicOutput(target: string): AtomicOutput | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) || target.startsWith('/dev/') || target === '') return null;
  const absolute = resolve(target);
  const name = basename(absolute);
  const dot = name.indexOf('.', 1);
  const stem = dot < 0 ? name : name.slice(0, dot);
  const extension = dot < 0 ? '' : name.slice(dot);
  const tempPath = join(dirname(absolute), `.${stem}.sqlinfer-${process.pid}-${randomBytes(4).toString('hex')}${extension}`);
  return {
    tempPath,
    async commit() {
      const written = await stat(tempPath).catch(() => null);
      // A statement that wrote nothing (DuckDB creates no partition directory for zero rows) leaves no
      // target either, as DuckDB itself would.
      if (written === null) return;
      const existing = await stat(absolute).catch(() => null);
      if (existing?.isDirectory()) await rm(absolute, { recursive: true, force: true });
      await rename(tempPath, absolute);
      // What killed writers of this target left behind goes with the first write that ends.
      await removeStaleTempFiles(dirname(absolute), stem, extension);
    },
    async discard() {
      await rm(tempPath, { recursive: true, force: true });
      await removeStaleTempFiles(dirname(absolute), stem, extension);
    },
  };
}
