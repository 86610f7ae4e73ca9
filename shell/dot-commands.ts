// The interactive shell's dot commands (.help, .tables, .mode ...): what each does to the shell's state,
// and the help text. Dot commands are one line each and are never sent to the engine as SQL.
import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { modelSignature, type Catalog } from './catalog.js';
import type { DotCommandSpec } from './completion.js';
import { streamOutput, type Output } from './output.js';
import { formats, isFormat, type Format } from './render/renderer.js';

/** What the dot commands change; the REPL reads it for every statement. */
export interface ShellState {
  format: Format;
  timer: boolean;
  /** Rows the table shows (first and last halves); 0 shows all. */
  maxRows: number;
}

export interface DotCommandHost {
  readonly state: ShellState;
  readonly catalog: Catalog;
  /** Where results go now: the screen, or the file of `.output FILE`. */
  out(): Output;
  readonly err: Output;
  /** The screen's width, for .tables; undefined when not a terminal. */
  width(): number | undefined;
  /** `.output FILE` (undefined: back to the screen). */
  setOutput(path: string | undefined): Promise<void>;
  /** `.read FILE`: runs the file's lines as if typed. */
  readScript(path: string): Promise<void>;
}

export const dotCommands: readonly (DotCommandSpec & { readonly usage: string; readonly help: string })[] = [
  { name: '.help', usage: '.help', help: 'show this help' },
  { name: '.quit', usage: '.quit', help: 'leave the shell (so do .exit and Ctrl-D)' },
  { name: '.exit', usage: '.exit', help: 'leave the shell' },
  { name: '.tables', usage: '.tables', help: 'list the tables and views' },
  { name: '.schema', usage: '.schema [TABLE]', help: 'show the CREATE statement of TABLE, or of every table and view', arg: 'table' },
  { name: '.models', usage: '.models', help: 'list the model functions and their signatures' },
  { name: '.timer', usage: '.timer on|off', help: "show each statement's run time", arg: 'on-off' },
  { name: '.mode', usage: '.mode FORMAT', help: `output format: ${formats.join(', ')}`, arg: 'format' },
  { name: '.maxrows', usage: '.maxrows N', help: 'rows a table shows, first and last halves (0: all; default 40)' },
  { name: '.output', usage: '.output [FILE]', help: 'write results to FILE; without FILE, back to the screen', arg: 'file' },
  { name: '.read', usage: '.read FILE', help: 'run the SQL and dot commands in FILE', arg: 'file' },
];

const usageWidth = Math.max(...dotCommands.map((c) => c.usage.length)) + 2;

export const helpText = `${dotCommands.map((c) => `${c.usage.padEnd(usageWidth)} ${c.help}`).join('\n')}

Statements end with ';' and may span several lines. Keys: Tab completes keywords, tables, columns,
functions and (inside quotes) file paths; Up/Down walk the history (~/.sqlinfer_history); Ctrl-C
clears the line or cancels the running statement; Ctrl-D leaves.
sqlinfer's settings: SET model_threads = N, SET model_batch_size = N,
SET resnet50_weights = 'path' | 'random', RESET name, SHOW sqlinfer_settings.
`;

/** Where `.output FILE` sends results: a file of the user's, or nowhere else (the screen). */
export class OutputRedirect {
  private file: { stream: Writable; output: Output } | undefined;

  /** The file's output, undefined while results go to the screen. */
  get output(): Output | undefined {
    return this.file?.output;
  }

  /** Opens `path` for writing (undefined: back to the screen) and closes the previous file. */
  async set(path: string | undefined, err: Output): Promise<void> {
    const previous = this.file;
    if (path !== undefined) {
      let fd: number;
      try {
        fd = openSync(path, 'w');
      } catch (error) {
        await err.write(`Error: cannot write to '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
        return;
      }
      const stream = createWriteStream('', { fd });
      this.file = { stream, output: streamOutput(stream) };
    } else this.file = undefined;
    if (previous !== undefined) await new Promise<void>((resolve) => previous.stream.end(resolve));
  }
}

/** Runs one dot command line; 'quit' when the shell should end, 'failed' when it printed an error. */
export async function runDotCommand(line: string, host: DotCommandHost): Promise<'quit' | 'failed' | undefined> {
  const [name = '', ...args] = line.trim().split(/\s+/);
  const arg = args.join(' ');
  const { state, err } = host;
  const fail = async (message: string): Promise<'failed'> => {
    await err.write(`Error: ${message}\n`);
    return 'failed';
  };
  switch (name) {
    case '.quit':
    case '.exit':
      return 'quit';
    case '.help':
      await host.out().write(helpText);
      return;
    case '.tables':
      await host.out().write(inColumns(await host.catalog.tableNames(), host.width() ?? 80));
      return;
    case '.schema': {
      const statements = await host.catalog.schema(arg === '' ? undefined : arg);
      if (statements.length === 0 && arg !== '') return fail(`no table or view named '${arg}'`);
      await host.out().write(statements.map((s) => `${s.replace(/;?\s*$/, '')};\n`).join(''));
      return;
    }
    case '.models':
      await host.out().write(host.catalog.models().map((m) => `${modelSignature(m)}\n    ${m.description}\n`).join(''));
      return;
    case '.timer':
      if (arg === '') return void (await host.out().write(`timer ${state.timer ? 'on' : 'off'}\n`));
      if (arg !== 'on' && arg !== 'off') return fail(`.timer takes on or off, not '${arg}'`);
      state.timer = arg === 'on';
      return;
    case '.mode':
      if (arg === '') return void (await host.out().write(`${state.format}\n`));
      if (!isFormat(arg)) return fail(`unknown mode '${arg}' (expected one of ${formats.join(', ')})`);
      state.format = arg;
      return;
    case '.maxrows': {
      if (arg === '') return void (await host.out().write(`${state.maxRows}\n`));
      const n = Number(arg);
      if (!/^\d+$/.test(arg) || !Number.isSafeInteger(n)) return fail(`.maxrows takes a number of rows (0 for all), not '${arg}'`);
      state.maxRows = n;
      return;
    }
    case '.output':
      await host.setOutput(arg === '' ? undefined : arg);
      return;
    case '.read':
      if (arg === '') return fail('.read needs a FILE');
      await host.readScript(arg);
      return;
    default:
      await err.write(`Unknown command '${name}'.${suggestion(name)} Enter .help for the list of commands.\n`);
      return 'failed';
  }
}

/** ` Did you mean .tables?` for a command sharing its first letters with a real one. */
function suggestion(name: string): string {
  for (let length = Math.min(name.length, 4); length >= 2; length--) {
    const [match] = dotCommands.filter((c) => c.name.startsWith(name.slice(0, length))).sort((a, b) => a.name.length - b.name.length);
    if (match !== undefined) return ` Did you mean ${match.name}?`;
  }
  return '';
}

/** Names in columns across the width, as DuckDB's .tables prints them. */
function inColumns(names: readonly string[], width: number): string {
  if (names.length === 0) return '';
  const cell = Math.max(...names.map((n) => n.length)) + 2;
  const perLine = Math.max(1, Math.floor(width / cell));
  const rows = Math.ceil(names.length / perLine);
  let text = '';
  for (let r = 0; r < rows; r++) {
    const line: string[] = [];
    for (let c = 0; c < perLine; c++) {
      const name = names[c * rows + r];
      if (name !== undefined) line.push(name.padEnd(cell));
    }
    text += line.join('').trimEnd() + '\n';
  }
  return text;
}
