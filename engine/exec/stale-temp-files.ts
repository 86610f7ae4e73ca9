// A sqlinfer process killed while writing a COPY (SIGKILL, power loss) cannot remove its hidden temporary
// folder. The next COPY to the same target removes those left by processes of this machine that no longer
// run. Only what sqlinfer itself makes is ever removed: a real folder (not a symlink) named
// `.<name>.sqlinfer-<host>-<pid>-<8 hex>` for this target, this machine and a dead pid, holding nothing
// but regular files named like the target (DuckDB's own `tmp_<name>` included); anything else is left.
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** The temporary folder's name for target file `name`, written by process `pid` of machine `host`. */
export function tempFolderName(name: string, host: string, pid: number, random: string): string {
  return `.${name}.sqlinfer-${host}-${pid}-${random}`;
}

/** Removes `dir`'s temporary folders for target `name` whose writer, a process of `host`, has exited. */
export async function removeStaleTempFiles(dir: string, name: string, host: string): Promise<string[]> {
  const prefix = `.${name}.sqlinfer-${host}-`;
  const entries = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^(\d+)-[0-9a-f]{8}$/.exec(entry.slice(prefix.length));
    if (match === null || isRunning(Number(match[1]))) continue;
    if (await removeTempFolder(join(dir, entry), name)) removed.push(entry);
  }
  return removed;
}

async function removeTempFolder(folder: string, name: string): Promise<boolean> {
  const info = await lstat(folder).catch(() => null);
  if (info === null || !info.isDirectory()) return false;
  const files = await readdir(folder).catch(() => null);
  if (files === null || files.some((file) => file !== name && file !== `tmp_${name}`)) return false;
  for (const file of files) {
    if ((await lstat(join(folder, file)).catch(() => null))?.isFile() !== true) return false;
  }
  try {
    for (const file of files) await unlink(join(folder, file));
    await rmdir(folder);
    return true;
  } catch {
    // Another process cleaning the same leftovers, or a file that appeared meanwhile: left for later.
    return false;
  }
}

/** Whether process `pid` of this machine still runs. */
export function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    // Signal 0 checks that the process exists without touching it.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
