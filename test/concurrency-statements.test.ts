// Statements at the same time. Through the engine API, a statement submitted while another runs waits
// its turn and never interleaves with it (they share one connection and the staged tables); a waiting
// statement can be cancelled. Two sqlinfer processes writing different outputs at once both succeed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createEngine, type Engine } from '../engine/engine.js';
import { SqlError } from '../engine/sql/sql-error.js';
import { createUdfs } from '../udfs/index.js';
import { writeSampleImages } from '../udfs/images/sample-images.js';
import { runCli, tempDir } from './helpers/cli.js';

const dir = tempDir('sqlinfer-concurrency-');
const photos = `${join(dir, 'photos')}/*/*.jpg`;
const events: { total: number | null; done: number }[] = [];
let engine: Engine;

before(async () => {
  await writeSampleImages({ images: 8, out: join(dir, 'photos'), seed: 11 });
  engine = await createEngine({
    udfs: createUdfs({ threads: 2 }),
    settings: { model_batch_size: 1 },
    onProgress: (p) => {
      if (p.label === 'image_to_tensor') events.push({ total: p.total, done: p.done });
    },
  });
});
after(() => engine.close());

const copy = (rows: number, target: string) =>
  `COPY (SELECT filename, image_to_tensor(content, 16) AS t FROM (FROM read_blob('${photos}') ORDER BY filename LIMIT ${rows})) TO '${join(dir, target)}'`;

test('a second statement waits for the first and never interleaves with it; both give their full result', async () => {
  events.length = 0;
  const [a, b] = await Promise.all([engine.run(copy(8, 'a.parquet')), engine.run(copy(3, 'b.parquet'))]);
  assert.equal(a[0]!.rowsChanged, 8);
  assert.equal(b[0]!.rowsChanged, 3);
  // All of the first statement's model progress comes before any of the second's.
  const totals = events.map((e) => e.total);
  const firstOfB = totals.indexOf(3);
  assert.ok(firstOfB > 0 && totals.slice(0, firstOfB).every((t) => t === 8) && totals.slice(firstOfB).every((t) => t === 3), JSON.stringify(totals));
  const counts = (await engine.run(`SELECT (SELECT count(*) FROM '${join(dir, 'a.parquet')}'), (SELECT count(*) FROM '${join(dir, 'b.parquet')}')`))[0]!.rows;
  assert.deepEqual(counts, [[8n, 3n]]);
});

test('a statement waiting its turn can be cancelled; the running one is not disturbed', async () => {
  const controller = new AbortController();
  const running = engine.run(copy(8, 'c.parquet'));
  const waiting = engine.run(copy(2, 'd.parquet'), { signal: controller.signal });
  controller.abort();
  await assert.rejects(waiting, (error: unknown) => error instanceof SqlError && error.code === 'interrupted');
  assert.equal((await running)[0]!.rowsChanged, 8);
  // And the queue moves on.
  assert.equal((await engine.run(copy(1, 'e.parquet')))[0]!.rowsChanged, 1);
});

test('two sqlinfer processes writing different outputs at once both succeed', async () => {
  const both = await Promise.all(
    ['p1', 'p2'].map((name) =>
      runCli(['--model-batch-size', '2', '-c', `${copy(8, `${name}.parquet`)}; SELECT count(*) AS n FROM '${join(dir, `${name}.parquet`)}'`], {
        cwd: dir,
        timeoutMs: 60_000,
      }),
    ),
  );
  for (const run of both) {
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /│\s+8\s+│/);
  }
});
