// A kernel's complaint about one row, thrown inside a worker and turned into a reply the main thread
// rebuilds as a RowError (class identity and fields do not survive structured cloning).

export class KernelRowError extends Error {
  constructor(
    readonly row: number,
    readonly reason: string,
  ) {
    super(`row ${row + 1}: ${reason}`);
    this.name = 'KernelRowError';
  }
}
