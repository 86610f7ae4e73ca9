// A sqlinfer process killed while writing a COPY (SIGKILL, power loss) cannot remove its hidden temporary
// file. The next COPY to the same target removes those left by processes that no longer run: the pid is
// part of the name (`.<stem>.sqlinfer-<pid>-<random><ext>`), and a live process's files are never touched.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Removes `dir`'s temporary files for target `stem`+`extension` whose writer process has exited. */
export async function removeStaleTempFiles(dir: string, stem: string, extension: string): Promise<string[]> {
  const prefix = `.${stem}.sqlinfer-`;
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(extension)) continue;
    const match = /^(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length, name.length - extension.length));
    if (match === null || isRunning(Number(match[1]))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function isRunning(pid: number): boolean {
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
