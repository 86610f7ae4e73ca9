// The model functions SQL can call, by name (case-insensitive).

import type { ModelFunction } from './model-function.js';

export interface Registry {
  /** Adds a function; a second function with the same name is an error. */
  register(fn: ModelFunction): void;
  get(name: string): ModelFunction | undefined;
  has(name: string): boolean;
  /** Removes a function; false when there was none by that name. */
  unregister(name: string): boolean;
  /** Every function, sorted by name. */
  list(): readonly ModelFunction[];
}

export function createRegistry(functions: readonly ModelFunction[] = []): Registry {
  const byName = new Map<string, ModelFunction>();
  const registry: Registry = {
    register(fn) {
      const key = fn.name.toLowerCase();
      if (byName.has(key)) throw new Error(`model function '${fn.name}' is already registered`);
      byName.set(key, fn);
    },
    get: (name) => byName.get(name.toLowerCase()),
    has: (name) => byName.has(name.toLowerCase()),
    unregister: (name) => byName.delete(name.toLowerCase()),
    list: () => [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
  for (const fn of functions) registry.register(fn);
  return registry;
}
