// What a path written in a statement names, judged on its text as DuckDB would take it.

/** A URL (s3://, https://, file://, ...): DuckDB's file systems read it, not this machine's. */
export function hasUrlScheme(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path);
}

/**
 * A path sqlinfer can write on this machine as written: not a URL, not `~` (DuckDB expands it), not a
 * device such as /dev/stdout.
 */
export function isLocalWritePath(path: string): boolean {
  return path !== '' && !hasUrlScheme(path) && !path.startsWith('~') && !path.startsWith('/dev/');
}
