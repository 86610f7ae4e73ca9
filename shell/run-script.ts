// Runs a SQL text statement by statement, rendering each result as it streams, and prints the first
// error on stderr. -c, -f, piped stdin and the interactive shell all print results and errors this way.
import { SqlError, type Engine } from '../engine/index.js';
import type { Output } from './output.js';
import { isReadableFormat, renderStatement, type Format, type RenderOptions } from './render/renderer.js';
import { secondsText } from './render/table.js';

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

/** ok: every statement ran; failed: one failed (its error printed); cancelled: the signal stopped it. */
export type ScriptStatus = 'ok' | 'failed' | 'cancelled';

export async function runScript(context: ScriptContext, sql: string): Promise<ScriptStatus> {
  const { engine, format, out, err, signal } = context;
  let started = performance.now();
  const elapsedMs = () => performance.now() - started;
  // The run time goes with readable output; csv and json stay pure data, so it goes to stderr there.
  const timeOut = isReadableFormat(format) ? out : err;
  try {
    for await (const statement of engine.stream(sql, { signal })) {
      context.beforeOutput?.();
      const render = context.timer && format === 'table' ? { ...context.render, elapsedMs } : context.render;
      await renderStatement(format, statement, out, render);
      if (context.timer && !(format === 'table' && statement.kind === 'rows')) await timeOut.write(`Run Time: ${secondsText(elapsedMs())}\n`);
      started = performance.now();
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
    await err.write(`${errorText(error)}\n`);
    return 'failed';
  }
}

/** A SqlError with its source line and caret; anything else with its message. */
export function errorText(error: unknown): string {
  if (error instanceof SqlError) return error.format();
  return `Error: ${error instanceof Error ? error.message : String(error)}`;
}

/** The reader of our output went away (`sqlinfer ... | head`): stop quietly. */
export function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}
