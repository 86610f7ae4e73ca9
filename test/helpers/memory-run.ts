// Runs one model statement in its own process and reports the process's peak RSS while it ran, for the
// bounded-memory test: node dist/test/helpers/memory-run.js <sql> prints {"peakMb": n, "beforeMb": n}.
import { createEngine } from '../../engine/engine.js';
import { createUdfs } from '../../udfs/index.js';

const [setup, sql] = process.argv.slice(2) as [string, string];
const engine = await createEngine({ udfs: createUdfs({ threads: 2 }) });
try {
  await engine.run(setup);
  const rss = () => process.memoryUsage().rss / 1e6;
  const beforeMb = rss();
  let peakMb = beforeMb;
  const timer = setInterval(() => (peakMb = Math.max(peakMb, rss())), 20);
  await engine.run(sql);
  clearInterval(timer);
  peakMb = Math.max(peakMb, rss());
  process.stdout.write(`${JSON.stringify({ beforeMb, peakMb })}\n`);
} finally {
  await engine.close();
}
