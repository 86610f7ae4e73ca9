// Runs SQL text statement by statement, rendering each result as it streams, and prints the first
// error on stderr. -c, -f, piped stdin and the interactive shell all print results and errors this way.
// Scripts (-c, -f, stdin, .read) may hold dot commands (.mode csv, .timer on ...) on lines of their own
// between statements, as in DuckDB's shell; an error in a -f file names the file, line and column.
import { readFileSync } from 'node:fs';
import { isCompleteInput, splitStatements, SqlError, type Engine } from '../engine/index.js';
import type { Catalog } from './catalog.js';
import { isTransient } from './exit-status.js';
import { OutputRedirect, runDotCommand, type DotCommandHost, type ShellState } from './dot-commands.js';
import type { Output } from './output.js';
import type { RenderOptions } from './render/render-options.js';
import { isReadableFormat, renderStatement, type Format } from './render/renderer.js';
import { defaultMaxRows, secondsText } from './render/table.js';

export interface ScriptContext {
  readonly engine: Engine;
  readonly format: Format;
  readonly out: Output;
  readonly err: Output;
  readonly render?: RenderOptions;
  readonly signal?: AbortSignal;
  /** Print each statement's run time (`.timer on`). */
  readonly timer?: boolean;
  /** Called before a statement's output or error is printed, and at the end (clears a progress line). */
  readonly beforeOutput?: () => void;
}

/** Where a piece of SQL sits in the text the user wrote, so that errors point into that text. */
export interface ScriptOrigin {
  /** The file's name as the user gave it; undefined for -c and stdin. */
  readonly name?: string;
  /** The whole text (file, stdin or -c argument). */
  readonly text: string;
  /** Where the piece starts in `text`. */
  readonly offset: number;
}

/**
 * ok: every statement ran; failed: one failed (its error printed); transient: one failed on an I/O error
 * that a retry may not meet (exit-status.ts); cancelled: the signal stopped it.
 */
export type ScriptStatus = 'ok' | 'failed' | 'transient' | 'cancelled';

export async function runScript(context: ScriptContext, sql: string, origin?: ScriptOrigin): Promise<ScriptStatus> {
  const { engine, format, out, err, signal } = context;
  let started = performance.now();
  const elapsedMs = () => performance.now() - started;
  // The run time goes with readable output; csv and json stay pure data, so it goes to stderr there.
  const timeOut = isReadableFormat(format) ? out : err;
  // Which statement failed, for errors that carry no position of their own.
  let finished = 0;
  try {
    for await (const statement of engine.stream(sql, { signal })) {
      context.beforeOutput?.();
      const render = context.timer && format === 'table' ? { ...context.render, elapsedMs } : context.render;
      await renderStatement(format, statement, out, render);
      if (context.timer && !(format === 'table' && statement.kind === 'rows')) await timeOut.write(`Run Time: ${secondsText(elapsedMs())}\n`);
      started = performance.now();
      finished++;
    }
    context.beforeOutput?.();
    return 'ok';
  } catch (error) {
    if (isBrokenPipe(error)) throw error;
    context.beforeOutput?.();
    if (signal?.aborted || (error instanceof SqlError && error.code === 'interrupted')) {
      await err.write('Cancelled\n');
      return 'cancelled';
    }
    if (origin === undefined) {
      await err.write(`${errorText(error)}\n`);
    } else {
      const statementStart = splitStatements(sql)[finished]?.span.start ?? 0;
      await err.write(`${scriptErrorText(error, sql, origin, statementStart)}\n`);
    }
    return isTransient(error) ? 'transient' : 'failed';
  }
}

/** A SqlError with its source line and caret; anything else with its message. */
export function errorText(error: unknown): string {
  if (error instanceof SqlError) return error.format();
  return `Error: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * An error of the SQL piece `sql` placed in the whole script. In a file it reads like a compiler's,
 * `queries.sql:12:8: Parse error: expected FROM, found 'FORM'` with the line and a caret under it, or
 * `queries.sql:12: Execution error: ...` (the line where the statement starts) when DuckDB gave no position.
 */
export function scriptErrorText(error: unknown, sql: string, origin: ScriptOrigin, statementStart: number): string {
  const placed = error instanceof SqlError && error.span !== undefined && error.source === sql ? error.rebase(origin.text, origin.offset) : error;
  if (origin.name === undefined) return errorText(placed);
  if (placed instanceof SqlError && placed.position !== undefined && placed.source === origin.text) {
    const { line, column } = placed.position;
    return `${origin.name}:${line}:${column}: ${placed.format().replace(/^(.*?) at \d+:\d+: /, '$1: ')}`;
  }
  const line = lineOf(origin.text, origin.offset + statementStart);
  return `${origin.name}:${line}: ${errorText(placed)}`;
}

/** The reader of our output went away (`sqlinfer ... | head`): stop quietly. */
export function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

/** A script cut at its dot commands: SQL pieces (several statements each) and dot command lines. */
export type ScriptPart = { readonly kind: 'sql' | 'dot'; readonly text: string; readonly offset: number };

/**
 * A line whose first character (after blanks) is `.` is a dot command when no statement is open
 * before it (the text since the last `;` is blank or comments); anywhere else it is SQL.
 */
export function splitScript(text: string): ScriptPart[] {
  const parts: ScriptPart[] = [];
  let sqlStart = 0;
  let statementStart = 0;
  let lineStart = 0;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline + 1;
    const line = text.slice(lineStart, lineEnd);
    if (/^\s*\./.test(line) && isBlank(text.slice(statementStart, lineStart))) {
      if (!isBlank(text.slice(sqlStart, lineStart))) parts.push({ kind: 'sql', text: text.slice(sqlStart, lineStart), offset: sqlStart });
      parts.push({ kind: 'dot', text: line.trim(), offset: lineStart });
      sqlStart = statementStart = lineEnd;
    } else if (line.includes(';') && isCompleteInput(text.slice(statementStart, lineEnd))) {
      // Only a line with a `;` can end a statement: a long statement is not lexed again at every line.
      statementStart = lineEnd;
    }
    lineStart = lineEnd;
  }
  if (!isBlank(text.slice(sqlStart))) parts.push({ kind: 'sql', text: text.slice(sqlStart), offset: sqlStart });
  return parts;
}

/** No statement in the text: only blanks and comments. */
function isBlank(text: string): boolean {
  return text.trim() === '' || splitStatements(text).length === 0;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** .read inside .read inside ...: deep enough for real use, shallow enough to stop a file reading itself. */
const maxReadDepth = 16;

/**
 * The text of the file `.read` names, read at nesting `depth`; null after telling `err` why not (it cannot
 * be read, or `.read` is nested too deep).
 */
export async function readScriptFile(path: string, depth: number, err: Output): Promise<string | null> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    await err.write(`Error: cannot read '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return null;
  }
  if (depth >= maxReadDepth) {
    await err.write(`Error: .read nested more than ${maxReadDepth} deep, stopped at '${path}'\n`);
    return null;
  }
  return text;
}

export interface ScriptSessionOptions extends Omit<ScriptContext, 'format' | 'timer' | 'out' | 'signal'> {
  readonly catalog: Catalog;
  readonly format: Format;
  /** Results on the screen (stdout). */
  readonly screen: Output;
}

/**
 * Runs scripts (-c, -f, stdin) with their dot commands: the first failing statement stops everything
 * after it, as does `.quit`. The dot commands' state carries from one script to the next.
 */
export class ScriptSession implements DotCommandHost {
  readonly state: ShellState;
  readonly catalog: Catalog;
  readonly err: Output;
  private readonly redirect = new OutputRedirect();
  private status: ScriptStatus | 'quit' = 'ok';
  private readDepth = 0;
  private signal: AbortSignal | undefined;

  constructor(private readonly options: ScriptSessionOptions) {
    this.state = { format: options.format, timer: false, maxRows: defaultMaxRows };
    this.catalog = options.catalog;
    this.err = options.err;
  }

  /** Runs one script (`name`: its file, for errors); 'quit' after a `.quit` or `.exit`. */
  async run(text: string, name?: string, signal?: AbortSignal): Promise<ScriptStatus | 'quit'> {
    if (signal !== undefined) this.signal = signal;
    for (const part of splitScript(text)) {
      if (part.kind === 'dot') {
        const result = await runDotCommand(part.text, this);
        if (result !== undefined) this.status = result;
      } else {
        this.status = await runScript(this.context(), part.text, { text, offset: part.offset, ...(name === undefined ? {} : { name }) });
      }
      if (this.status !== 'ok') return this.status;
    }
    return 'ok';
  }

  async close(): Promise<void> {
    await this.redirect.set(undefined, this.err);
  }

  out(): Output {
    return this.redirect.output ?? this.options.screen;
  }

  width(): number | undefined {
    return this.redirect.output === undefined ? this.options.render?.width : undefined;
  }

  setOutput(path: string | undefined): Promise<void> {
    return this.redirect.set(path, this.err);
  }

  async readScript(path: string): Promise<void> {
    const text = await readScriptFile(path, this.readDepth, this.err);
    if (text === null) {
      this.status = 'failed';
      return;
    }
    this.readDepth++;
    try {
      this.status = await this.run(text, path);
    } finally {
      this.readDepth--;
    }
  }

  private context(): ScriptContext {
    const { render } = this.options;
    const { state } = this;
    return {
      ...this.options,
      ...(this.signal === undefined ? {} : { signal: this.signal }),
      format: state.format,
      timer: state.timer,
      out: this.out(),
      render: { ...render, ...(this.redirect.output === undefined ? {} : { color: false, width: undefined }), maxRows: state.maxRows },
    };
  }
}
