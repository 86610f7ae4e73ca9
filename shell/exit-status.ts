// Exit statuses a scheduler can act on (README "Many machines"): 1 for a statement that will fail the same
// way again, 2 for bad usage, 75 (EX_TEMPFAIL of sysexits.h) for an I/O failure that a retry, perhaps on
// another machine, may not meet: a full disk, a flaky network volume, too many open files.

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_TRANSIENT = 75;

/** errno codes of failures that depend on the moment or the machine, not on the statement. */
const TRANSIENT_CODES = new Set(['EIO', 'ENOSPC', 'EDQUOT', 'ESTALE', 'EAGAIN', 'EBUSY', 'ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EMFILE', 'ENFILE']);
/** The same failures as DuckDB words them (its IO Errors carry the system's message, not the code). */
const TRANSIENT_MESSAGES = /No space left on device|Input\/output error|Stale file handle|Resource temporarily unavailable|Too many open files|Disk quota exceeded|Connection reset|Connection refused|Device or resource busy|timed out/i;

/** Whether `error`, or an error it was caused by, is a transient I/O failure. */
export function isTransient(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (TRANSIENT_MESSAGES.test(e.message)) return true;
  }
  return false;
}
