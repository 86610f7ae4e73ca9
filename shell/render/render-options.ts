// How the readable formats fit a result to the terminal: shared by renderer.ts and the formats it calls.

export interface RenderOptions {
  /** Colour hints (dim NULLs) for a terminal. */
  readonly color?: boolean;
  /** The terminal's width: the boxed table narrows and hides columns to fit. */
  readonly width?: number;
  /** Rows the boxed table shows (first and last halves); 0 shows all. Default 40. */
  readonly maxRows?: number;
  /** Milliseconds since the statement started, when the timer is on: the table's footer shows it. */
  readonly elapsedMs?: () => number;
}
