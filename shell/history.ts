// The interactive shell's history in ~/.sqlinfer_history: one entry per line (a statement spanning
// several lines is kept on one), oldest first, trimmed to the newest entries.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const maxEntries = 1000;

export class History {
  private constructor(
    private readonly path: string,
    /** Newest first, as node:readline wants it. */
    readonly entries: string[],
  ) {}

  /** $HOME wins over the account's home directory, so tests (and users) can redirect it. */
  static open(home = process.env['HOME'] || homedir()): History {
    const path = join(home, '.sqlinfer_history');
    let lines: string[] = [];
    try {
      lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
    } catch {
      // No history yet.
    }
    if (lines.length > maxEntries) {
      lines = lines.slice(-maxEntries);
      trySave(() => writeFileSync(path, lines.join('\n') + '\n'));
    }
    return new History(path, lines.reverse());
  }

  add(entry: string): void {
    const line = entry.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    if (line === '' || this.entries[0] === line) return;
    this.entries.unshift(line);
    if (this.entries.length > maxEntries) this.entries.length = maxEntries;
    trySave(() => appendFileSync(this.path, line + '\n'));
  }
}

/** History is a convenience: an unwritable home must not stop the shell. */
function trySave(save: () => void): void {
  try {
    save();
  } catch {
    // Ignored on purpose, see above.
  }
}
