// An Output that collects everything written, for the renderers' tests.
import type { Output } from '../../shell/output.js';

/** Collects everything written. */
export function stringOutput(): Output & { text(): string } {
  let buffer = '';
  return {
    async write(text) {
      buffer += text;
    },
    text: () => buffer,
  };
}
