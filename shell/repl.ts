// The interactive shell: `sqlinfer> ` prompts, statements over several lines (`   ...> `) until a
// top-level `;`, dot commands, history (Up/Down, kept across runs), Tab completion, Ctrl-C to clear the
// line or cancel the running statement, and Ctrl-D (or .quit) to leave. A failed statement prints its
// error and the shell goes on.
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { isCompleteInput, type Engine } from '../engine/index.js';
import type { Catalog } from './catalog.js';
import { complete } from './completion.js';
import { dotCommands, OutputRedirect, runDotCommand, type DotCommandHost, type ShellState } from './dot-commands.js';
import { History } from './history.js';
import { streamOutput, type Output } from './output.js';
import type { RenderOptions } from './render/render-options.js';
import type { Format } from './render/renderer.js';
import { defaultMaxRows } from './render/table.js';
import { readScriptFile, runScript, type ScriptOrigin, type ScriptStatus } from './run-script.js';

export const prompt = 'sqlinfer> ';

/** How long a cancelled statement may take to stop before the shell says how to leave. */
const stuckAfterCancelMs = 3000;
export const continuationPrompt = '   ...> ';

export interface ReplOptions {
  readonly input: Readable & { isTTY?: boolean };
  readonly output: Writable & { isTTY?: boolean; columns?: number };
  readonly engine: Engine;
  readonly catalog: Catalog;
  readonly format: Format;
  readonly err: Output;
  /** Colour hints on the screen (NO_COLOR turns them off). */
  readonly color: boolean;
  /** Called before a statement's output or error is printed (clears the progress line). */
  readonly beforeOutput?: () => void;
  /** Printed once when the shell starts on a terminal. */
  readonly banner?: string;
}

export async function runRepl(options: ReplOptions): Promise<void> {
  const repl = new Repl(options);
  try {
    await repl.run();
  } finally {
    await repl.close();
  }
}

class Repl implements DotCommandHost {
  readonly state: ShellState;
  readonly catalog: Catalog;
  readonly err: Output;
  private readonly terminal: boolean;
  private readonly screen: Output;
  private readonly redirect = new OutputRedirect();
  private readonly history = History.open();
  private readonly rl: Interface;
  private buffer = '';
  /** Where the statement being gathered starts in a `.read` file; undefined for typed lines. */
  private bufferOrigin: ScriptOrigin | undefined;
  private running: AbortController | undefined;
  private readDepth = 0;

  constructor(private readonly options: ReplOptions) {
    this.terminal = options.input.isTTY === true && options.output.isTTY === true;
    this.state = { format: options.format, timer: false, maxRows: defaultMaxRows };
    this.catalog = options.catalog;
    this.err = options.err;
    this.screen = streamOutput(options.output);
    this.rl = createInterface({
      input: options.input,
      output: options.output,
      terminal: this.terminal,
      // History is kept here, one entry per statement (readline's own would keep one per typed line).
      historySize: 0,
      completer: (line: string, callback: (error: Error | null, result?: [string[], string]) => void) => {
        // Names come from the engine's connection, which is busy while a statement runs.
        const names = () => (this.running === undefined ? this.catalog.names() : Promise.resolve({ keywords: [], tables: [], columns: [], functions: [] }));
        complete(line, { names, commands: dotCommands, cwd: process.cwd() }).then(
          (result) => callback(null, result),
          () => callback(null, [[], line]),
        );
      },
    });
    readlineState(this.rl).history = this.history.entries;
  }

  async run(): Promise<void> {
    this.rl.on('SIGINT', () => this.interrupt());
    if (this.terminal && this.options.banner !== undefined) await this.screen.write(`${this.options.banner}\n`);
    this.showPrompt();
    for await (const line of this.rl) {
      // Up/Down start again from the newest entry after every line.
      readlineState(this.rl).historyIndex = -1;
      if ((await this.handleLine(line, true)) === 'quit') return;
      this.showPrompt();
    }
    // Input ended inside a statement (no final `;`): run what was typed, as DuckDB's shell does.
    if (this.buffer.trim() !== '') await this.runStatement(this.takeBuffer());
  }

  async close(): Promise<void> {
    this.rl.close();
    await this.setOutput(undefined);
  }

  out(): Output {
    return this.redirect.output ?? this.screen;
  }

  width(): number | undefined {
    return this.redirect.output === undefined && this.terminal ? this.options.output.columns : undefined;
  }

  setOutput(path: string | undefined): Promise<void> {
    return this.redirect.set(path, this.err);
  }

  async readScript(path: string): Promise<void> {
    const text = await readScriptFile(path, this.readDepth, this.err);
    if (text === null) return;
    // Dot commands are only read between statements, so the buffer is empty here and after the file.
    this.readDepth++;
    try {
      // Lines keep their `\r`, so a statement's text is the file's own and errors point into the file.
      let offset = 0;
      for (const line of text.split('\n')) {
        const result = await this.handleLine(line, false, { name: path, text, offset });
        if (result === 'quit' || result === 'cancelled') return;
        offset += line.length + 1;
      }
      // A last statement without `;` runs, as at the end of input.
      if (this.buffer.trim() !== '') await this.runStatement(this.takeBuffer(), this.bufferOrigin);
    } finally {
      this.readDepth--;
      this.buffer = '';
      this.bufferOrigin = undefined;
    }
  }

  /** One line of input: a dot command, or part of a statement that runs once it is complete. */
  private async handleLine(line: string, typed: boolean, origin?: ScriptOrigin): Promise<ScriptStatus | 'quit' | undefined> {
    if (this.buffer === '' && line.trim().startsWith('.')) {
      if (typed) this.history.add(line.trim());
      return runDotCommand(line, this);
    }
    if (this.buffer === '') this.bufferOrigin = origin;
    this.buffer = this.buffer === '' ? line : `${this.buffer}\n${line}`;
    if (this.buffer.trim() === '') this.buffer = '';
    else if (isCompleteInput(this.buffer)) {
      const sql = this.takeBuffer();
      if (typed) this.history.add(sql);
      return this.runStatement(sql, this.bufferOrigin);
    }
    return undefined;
  }

  /** `origin`: where the statement sits in a `.read` file, so that its errors name the file and line. */
  private async runStatement(sql: string, origin?: ScriptOrigin): Promise<ScriptStatus> {
    const { state } = this;
    const render: RenderOptions = {
      color: this.redirect.output === undefined && this.terminal && this.options.color,
      ...(this.width() !== undefined ? { width: this.width()! } : {}),
      maxRows: state.maxRows,
    };
    this.running = new AbortController();
    try {
      return await runScript(
        {
          engine: this.options.engine,
          format: state.format,
          out: this.out(),
          err: this.err,
          render,
          signal: this.running.signal,
          timer: state.timer,
          ...(this.options.beforeOutput !== undefined ? { beforeOutput: this.options.beforeOutput } : {}),
        },
        sql,
        origin,
      );
    } finally {
      this.running = undefined;
      // The statement may have created or dropped tables.
      this.catalog.invalidate();
    }
  }

  private interrupt(): void {
    if (this.running !== undefined) {
      // A second Ctrl-C, for a statement that does not stop, ends the process.
      if (this.running.signal.aborted) process.exit(130);
      const running = this.running;
      running.abort();
      // A statement that ignores the cancel (a bug) must not leave the user at a dead prompt.
      setTimeout(() => {
        if (this.running === running) void this.err.write('The statement has not stopped: press Ctrl-C again to quit sqlinfer.\n');
      }, stuckAfterCancelMs).unref();
      return;
    }
    // Ctrl-C at the prompt drops the statement being typed.
    this.buffer = '';
    this.rl.write(null, { ctrl: true, name: 'e' });
    this.rl.write(null, { ctrl: true, name: 'u' });
    this.options.output.write('^C\n');
    this.showPrompt();
  }

  private takeBuffer(): string {
    const sql = this.buffer;
    this.buffer = '';
    return sql;
  }

  private showPrompt(): void {
    if (!this.terminal) return;
    this.rl.setPrompt(this.buffer === '' ? prompt : continuationPrompt);
    this.rl.prompt();
  }
}

/** node:readline's history fields: public on the object, missing from its type declarations. */
function readlineState(rl: Interface): { history: string[]; historyIndex: number } {
  return rl as unknown as { history: string[]; historyIndex: number };
}
