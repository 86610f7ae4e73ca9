// The one error type of the engine: every failure names its phase, a stable code, and, when known, the
// place in the user's text, rendered with the source line and a caret underneath.
import { lineBoundsAt, lineColumnAt, shiftSpan, type Span } from './span.js';

export type SqlErrorPhase = 'lex' | 'parse' | 'plan' | 'execute';

/**
 * Every code an error can have: stable, so tests and tools can rely on them. DuckDB's own errors keep
 * their class (`Binder Error` -> `duckdb-binder`).
 */
export type SqlErrorCode =
  | `duckdb-${string}`
  | 'interrupted'
  | 'engine-closed'
  | 'open-database'
  | 'copy-output'
  | 'spill-folder'
  // the Arrow input of --arrow-stream
  | 'arrow-column-type'
  | 'arrow-input'
  // lexing and parsing
  | 'unexpected-character'
  | 'unexpected-token'
  | 'unexpected-end'
  | 'nul-character'
  | 'too-deep'
  | 'unterminated-comment'
  | 'unterminated-identifier'
  | 'unterminated-string'
  | 'model-statement-syntax'
  // settings
  | 'invalid-setting'
  | 'unknown-setting'
  // where a model call may go, and its arguments
  | 'nested-explain'
  | 'model-call-placement'
  | 'model-relation-row'
  | 'model-call-without-from'
  | 'model-call-recursive'
  | 'model-call-modifier'
  | 'model-call-syntax'
  | 'model-call-arity'
  | 'model-call-named-argument'
  | 'model-call-constant-argument'
  | 'model-call-argument-type'
  | 'model-call-argument-value'
  | 'model-call-argument-shape'
  | 'model-argument-aggregate'
  | 'model-argument-column'
  | 'model-argument-invalid'
  | 'model-argument-lateral'
  | 'model-argument-relations'
  | 'model-argument-subquery'
  | 'ambiguous-column'
  | 'relation-invalid'
  | 'relation-cte-hidden'
  | 'relation-struct-names'
  // models
  | 'model-not-found'
  | 'model-builtin'
  | 'model-name-taken'
  | 'model-invalid'
  | 'model-calibration'
  | 'model-unavailable'
  | 'models-unavailable'
  | 'model-table-dropped'
  | 'model-table-foreign'
  // running a model
  | 'model-error'
  | 'model-input-read'
  | 'model-row-error'
  | 'model-result-shape'
  // --shard: statements and inputs that cannot be split, outputs that cannot be parts
  | 'shard-statement'
  | 'shard-input'
  | 'shard-output'
  | 'shard-commit';

export interface SqlErrorOptions {
  readonly phase: SqlErrorPhase;
  readonly code: SqlErrorCode;
  /** The short human message, without position: "expected FROM, found 'FORM'". */
  readonly detail: string;
  readonly span?: Span;
  /** The text `span` points into. */
  readonly source?: string;
  readonly cause?: unknown;
}

const phaseTitles: Record<SqlErrorPhase, string> = {
  lex: 'Syntax error',
  parse: 'Parse error',
  plan: 'Plan error',
  execute: 'Execution error',
};

export class SqlError extends Error {
  readonly phase: SqlErrorPhase;
  readonly code: SqlErrorCode;
  readonly detail: string;
  readonly span: Span | undefined;
  readonly source: string | undefined;

  constructor(options: SqlErrorOptions) {
    super(headline(options), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SqlError';
    this.phase = options.phase;
    this.code = options.code;
    this.detail = options.detail;
    this.span = options.span;
    this.source = options.source;
  }

  /** 1-based line and column of the span's start, when the error has a position. */
  get position(): { line: number; column: number } | undefined {
    if (this.span === undefined || this.source === undefined) return undefined;
    return lineColumnAt(this.source, this.span.start);
  }

  /** The headline, then the offending source line and a caret line under the span (when known). */
  format(): string {
    const caret = caretLines(this.source, this.span);
    return caret === undefined ? this.message : `${this.message}\n${caret}`;
  }

  /**
   * The same error placed in a larger text, e.g. a statement split out of a script at `offset`, so
   * lines and columns count from the start of the script.
   */
  rebase(source: string, offset: number): SqlError {
    return new SqlError({
      phase: this.phase,
      code: this.code,
      detail: this.detail,
      span: this.span === undefined ? undefined : shiftSpan(this.span, offset),
      source,
      cause: this.cause,
    });
  }
}

/** A positioned error, e.g. `sqlErrorAt('parse', 'unexpected-token', "expected FROM, found 'FORM'", source, span)`. */
export function sqlErrorAt(
  phase: SqlErrorPhase,
  code: SqlErrorCode,
  detail: string,
  source: string,
  at: Span,
  cause?: unknown,
): SqlError {
  return new SqlError({ phase, code, detail, source, span: at, cause });
}

function headline(options: SqlErrorOptions): string {
  const title = phaseTitles[options.phase];
  if (options.span === undefined || options.source === undefined) return `${title}: ${options.detail}`;
  const { line, column } = lineColumnAt(options.source, options.span.start);
  return `${title} at ${line}:${column}: ${options.detail}`;
}

function caretLines(source: string | undefined, at: Span | undefined): string | undefined {
  if (source === undefined || at === undefined) return undefined;
  const line = lineBoundsAt(source, at.start);
  const text = source.slice(line.start, line.end);
  // Keep tabs in the padding so the caret lines up under the token whatever the tab width.
  const pad = text.slice(0, at.start - line.start).replace(/[^\t]/g, ' ');
  const width = Math.max(1, Math.min(at.end, line.end) - at.start);
  return `${text}\n${pad}${'^'.repeat(width)}`;
}
