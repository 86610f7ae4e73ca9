// Runs a SQL text statement by statement, rendering each result as it streams, and prints the first
// error on stderr. -c, -f, piped stdin and the interactive shell all print results and errors this way.
import { SqlError, type Engine } from '../engine/index.js';
import type { Output } from './output.js';
import { renderStatement, type Format, type RenderOptions } from './render/renderer.js';

export interface ScriptContext {
  readonly engine: Engine;
  readonly format: Format;
  readonly out: Output;
  readonly err: Output;
  readonly render?: RenderOptions;
  readonly signal?: AbortSignal;
  /** Called before a statement's output or error is printed (clears a progress line). */
  readonly beforeOutput?: () => void;
}

/** True when every statement ran; false after printing the error of the one that failed. */
export async function runScript(context: ScriptContext, sql: string): Promise<boolean> {
  const { engine, format, out, err, signal } = context;
  try {
    for await (const statement of engine.stream(sql, { signal })) {
      context.beforeOutput?.();
      await renderStatement(format, statement, out, context.render);
    }
    return true;
  } catch (error) {
    if (isBrokenPipe(error)) throw error;
    context.beforeOutput?.();
    await err.write(`${errorText(error)}\n`);
    return false;
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
