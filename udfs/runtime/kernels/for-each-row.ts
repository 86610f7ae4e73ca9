// Runs an async step for each row with at most `limit` in flight (sharp decodes on libuv's thread pool, so
// a worker with several intra-op threads can decode several images at once). When rows fail, the error
// of the first failing row is thrown, after every started step has settled, so errors are deterministic.

export async function forEachRow(rows: readonly number[], limit: number, step: (row: number, k: number) => Promise<void>): Promise<void> {
  const failures: { k: number; error: unknown }[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < rows.length) {
      const k = next++;
      try {
        await step(rows[k] as number, k);
      } catch (error) {
        failures.push({ k, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, rows.length)) }, lane));
  if (failures.length > 0) throw failures.reduce((a, b) => (b.k < a.k ? b : a)).error;
}
