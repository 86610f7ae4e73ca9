// chevrotain, loaded from the single-file bundle its package ships. The package entry point loads the
// library as a hundred separate modules, about half a second at every start of the shell; the bundle
// is the same code and loads in a few milliseconds. Falls back to the entry point if a future release
// moves the bundle.
import type * as ChevrotainApi from 'chevrotain';

async function load(): Promise<typeof ChevrotainApi> {
  try {
    const bundle = new URL('../chevrotain.min.mjs', import.meta.resolve('chevrotain'));
    return (await import(bundle.href)) as typeof ChevrotainApi;
  } catch {
    return import('chevrotain');
  }
}

export const chevrotain = await load();
