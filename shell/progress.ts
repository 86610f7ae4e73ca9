// Progress of slow preparation work (loading a model, reading weights), on stderr when it is a terminal.
import type { PrepareProgress } from '../engine/index.js';

export function progressPrinter(stream: NodeJS.WriteStream): ((progress: PrepareProgress) => void) | undefined {
  if (!stream.isTTY) return undefined;
  return (progress) => {
    const amount = progress.total === null ? `${progress.done}` : `${Math.floor((100 * progress.done) / Math.max(1, progress.total))}%`;
    const finished = progress.total !== null && progress.done >= progress.total;
    stream.write(`\r\x1b[K${progress.label}: ${amount}${finished ? '\n' : ''}`);
  };
}
