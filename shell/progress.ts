// One progress line on stderr, for terminals only: rows through a model stage (done of total, rows/s,
// elapsed, ETA; a spinner when the total is unknown) and slow preparation such as a weights download.
// Redrawn at most a few times a second, and erased before results or errors are printed.
import type { PrepareProgress } from '../engine/index.js';
import { sizeText } from './render/value-text.js';

export interface ProgressLine {
  /** For EngineOptions.onProgress; undefined when progress is not shown (stderr is not a terminal). */
  readonly onProgress: ((progress: PrepareProgress) => void) | undefined;
  /** Erases the line, if drawn, and forgets the statement's progress. */
  clear(): void;
  /** Prints a line of text (a notice) above the progress line, which is redrawn below it. */
  note(text: string): void;
}

export interface ProgressOptions {
  /** Labels that count rows: the model functions' names (the engine labels a stage with them). */
  readonly rowLabels: { has(name: string): boolean };
  /** Minimum time between two redraws. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

const spinner = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

export function progressLine(stream: NodeJS.WriteStream, options: ProgressOptions): ProgressLine {
  if (!stream.isTTY) return { onProgress: undefined, clear: () => {}, note: (text) => void stream.write(`${text}\n`) };
  const interval = options.intervalMs ?? 250;
  const now = options.now ?? (() => performance.now());
  let current: { label: string; done: number; total: number | null; started: number } | undefined;
  let drawn = false;
  let lastDraw = 0;
  let frame = 0;
  let ticker: NodeJS.Timeout | undefined;
  const draw = () => {
    if (current === undefined) return;
    lastDraw = now();
    frame = (frame + 1) % spinner.length;
    const text = describe(current, lastDraw, options.rowLabels, spinner[frame]!);
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    stream.write(`\r${text.length > width ? `${text.slice(0, width - 1)}…` : text}\x1b[K`);
    drawn = true;
  };
  return {
    onProgress(progress) {
      const t = now();
      // A new label, or a count going back, is a new stage: its rate and ETA start over.
      if (current === undefined || current.label !== progress.label || progress.done < current.done) {
        current = { ...progress, started: t };
      } else {
        current = { ...current, done: progress.done, total: progress.total };
      }
      // The ticker keeps elapsed time and the spinner moving while no report comes.
      ticker ??= setInterval(draw, interval).unref();
      if (t - lastDraw >= interval) draw();
    },
    clear() {
      if (ticker !== undefined) clearInterval(ticker);
      ticker = undefined;
      current = undefined;
      lastDraw = 0;
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
    note(text) {
      stream.write(`${drawn ? '\r\x1b[K' : ''}${text}\n`);
      drawn = false;
      if (current !== undefined) draw();
    },
  };
}

/** `predict_resnet50: 128/300 rows (42%) · 21.3 rows/s · elapsed 6.0 s · ETA 8.1 s` */
export function describe(
  progress: { readonly label: string; readonly done: number; readonly total: number | null; readonly started: number },
  at: number,
  rowLabels: { has(name: string): boolean },
  spin: string,
): string {
  const seconds = Math.max(0, (at - progress.started) / 1000);
  const { label, done, total } = progress;
  const rows = label.split(', ').every((name) => rowLabels.has(name));
  const amount = (n: number) => (rows ? String(n) : sizeText(n).slice(1, -1));
  const parts: string[] = [];
  if (total === null) parts.push(`${spin} ${label}: ${amount(done)}${rows ? ' rows' : ''}`);
  else parts.push(`${label}: ${amount(done)}/${amount(total)}${rows ? ' rows' : ''} (${Math.floor((100 * done) / Math.max(1, total))}%)`);
  const rate = seconds > 0 ? done / seconds : 0;
  if (rows && done > 0) parts.push(`${rate < 10 ? rate.toFixed(1) : Math.round(rate)} rows/s`);
  parts.push(`elapsed ${duration(seconds)}`);
  if (total !== null && done > 0 && done < total && rate > 0) parts.push(`ETA ${duration((total - done) / rate)}`);
  return parts.join(' · ');
}

/** `6.0 s`, `2m05s`, `1h02m`. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
