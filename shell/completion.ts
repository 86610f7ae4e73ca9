// Tab completion for the interactive shell: dot commands and their arguments, file paths inside a
// quoted string, and otherwise SQL keywords, tables and views, columns and functions (model functions
// included), matched case-insensitively on the word before the cursor.
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Names } from './catalog.js';
import { formats } from './render/renderer.js';

export type Completion = [matches: string[], word: string];

export interface CompletionContext {
  /** The database's names; resolved lazily, at the first Tab. */
  names(): Promise<Names>;
  /** Dot commands with their argument kinds. */
  readonly commands: readonly DotCommandSpec[];
  /** Where relative paths start. */
  readonly cwd: string;
}

export interface DotCommandSpec {
  readonly name: string;
  /** What the first argument completes to. */
  readonly arg?: 'file' | 'table' | 'format' | 'on-off';
}

/** Completes the text before the cursor on the current line (node:readline's completer contract). */
export async function complete(line: string, context: CompletionContext): Promise<Completion> {
  const command = /^\s*(\.\S*)(\s+)?(.*)$/.exec(line);
  if (command !== null) {
    if (command[2] === undefined) return matching(context.commands.map((c) => c.name), command[1]!);
    const arg = context.commands.find((c) => c.name === command[1])?.arg;
    const word = command[3]!;
    if (arg === 'file') return completePath(word, context.cwd);
    if (arg === 'format') return matching(formats, word);
    if (arg === 'on-off') return matching(['on', 'off'], word);
    if (arg === 'table') return matching((await context.names()).tables, word);
    return [[], word];
  }
  const quoted = openQuote(line);
  if (quoted !== null) return completePath(quoted, context.cwd);
  const word = /[A-Za-z_][\w$]*(?:\.[\w$]*)?$/.exec(line)?.[0] ?? '';
  if (word === '') return [[], ''];
  const names = await context.names();
  const dot = word.indexOf('.');
  if (dot >= 0) {
    // `t.co` -> columns after the qualifier.
    const prefix = word.slice(0, dot + 1);
    const [columns] = matching(names.columns, word.slice(dot + 1));
    return [columns.map((c) => prefix + c), word];
  }
  const upper = word[0] === word[0]!.toUpperCase();
  const keywords = names.keywords.map((k) => (upper ? k.toUpperCase() : k.toLowerCase()));
  const [matches] = matching([...new Set([...keywords, ...names.tables, ...names.columns, ...names.functions])], word);
  return [matches, word];
}

function matching(candidates: readonly string[], word: string): Completion {
  const lower = word.toLowerCase();
  return [[...new Set(candidates.filter((c) => c.toLowerCase().startsWith(lower)))].sort(), word];
}

/** The text after an unclosed `'` (with `''` as an escaped quote), or null outside a string. */
function openQuote(line: string): string | null {
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    if (line[i] !== "'") continue;
    if (start < 0) start = i + 1;
    else if (line[i + 1] === "'") i++;
    else start = -1;
  }
  return start < 0 ? null : line.slice(start);
}

/** Entries of the directory named by `word` up to its last `/`, directories with a trailing `/`. */
function completePath(word: string, cwd: string): Completion {
  const slash = word.lastIndexOf('/');
  const dirPart = slash < 0 ? '' : word.slice(0, slash + 1);
  const base = word.slice(slash + 1);
  const expanded = dirPart.startsWith('~/') ? join(process.env['HOME'] || homedir(), dirPart.slice(2)) : dirPart;
  const dir = expanded === '' ? cwd : expanded.startsWith('/') ? expanded : join(cwd, expanded);
  let entries: { name: string; directory: boolean }[];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, directory: e.isDirectory() }));
  } catch {
    return [[], word];
  }
  const matches = entries
    .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
    .map((e) => `${dirPart}${e.name}${e.directory ? '/' : ''}`)
    .sort();
  return [matches, word];
}
