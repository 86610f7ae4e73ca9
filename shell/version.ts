// The version line: sqlinfer's (from package.json) and DuckDB's.
import { readFileSync } from 'node:fs';
import { version as duckdbVersion } from '@duckdb/node-api';

export function versionText(): string {
  return `sqlinfer ${packageVersion()} (DuckDB ${duckdbVersion()})`;
}

/** sqlinfer's version, e.g. `0.1.0`. */
export function packageVersion(): string {
  // Compiled to dist/shell/version.js: the package root is two levels up.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
