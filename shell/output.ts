// Text output with backpressure: writes wait for the stream to drain, so a big result printed into a
// slow pipe is never buffered whole in memory.
import type { Writable } from 'node:stream';

export interface Output {
  write(text: string): Promise<void>;
}

export function streamOutput(stream: Writable): Output {
  return {
    write(text) {
      if (text === '') return Promise.resolve();
      return new Promise((resolve, reject) => {
        const ok = stream.write(text, (error) => {
          if (error) reject(error);
        });
        if (ok) resolve();
        else stream.once('drain', resolve);
      });
    },
  };
}

