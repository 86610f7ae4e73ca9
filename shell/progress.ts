// Progress of slow work (loading a model, rows through a model stage) on stderr, when it is a terminal.
import type { PrepareProgress } from '../engine/index.js';

export interface ProgressPrinter {
  readonly onProgress: ((progress: PrepareProgress) => void) | undefined;
  /** Clears an unfinished progress line before results are printed. */
  clear(): void;
}

export function progressPrinter(stream: NodeJS.WriteStream): ProgressPrinter {
  if (!stream.isTTY) return { onProgress: undefined, clear: () => {} };
  let open = false;
  return {
    onProgress(progress) {
      const amount =
        progress.total === null ? `${progress.done}` : `${progress.done}/${progress.total} (${Math.floor((100 * progress.done) / Math.max(1, progress.total))}%)`;
      stream.write(`\r\x1b[K${progress.label}: ${amount}`);
      open = true;
    },
    clear() {
      if (open) stream.write('\r\x1b[K');
      open = false;
    },
  };
}
