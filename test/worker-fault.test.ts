// A worker that dies mid-statement (its thread exits, it crashes outside a task, or the model throws)
// fails the statement within seconds with a clear error and writes nothing; the pool replaces the worker
// and the next statement in the same shell works. The deaths are made on purpose through the test-only
// SQLINFER_TEST_WORKER_FAULT switch (udfs/runtime/test-fault.ts), read by the real sqlinfer's workers.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeSampleImages } from '../udfs/images/sample-images.js';
import { TEST_FAULT_VARIABLE } from '../udfs/runtime/test-fault.js';
import { runCli, tempDir } from './helpers/cli.js';

const dir = tempDir('sqlinfer-worker-fault-');
const photos = join(dir, 'photos').replaceAll("'", "''");

before(async () => {
  await writeSampleImages({ images: 8, out: join(dir, 'photos'), seed: 3 });
});
after(() => {
  delete process.env[TEST_FAULT_VARIABLE];
});

/** Runs `statements` through one interactive sqlinfer (stdin piped, -i), whose workers fail as `fault` says. */
async function shell(fault: string, statements: readonly string[]) {
  process.env[TEST_FAULT_VARIABLE] = fault;
  try {
    const started = performance.now();
    const run = await runCli(['-i', '--format', 'csv', '--resnet50-weights', 'random'], {
      cwd: dir,
      input: statements.map((s) => `${s};\n`).join(''),
      timeoutMs: 60_000,
    });
    return { ...run, ms: performance.now() - started };
  } finally {
    delete process.env[TEST_FAULT_VARIABLE];
  }
}

const copyAll = `COPY (SELECT filename, image_to_tensor(content, 16) AS t FROM read_blob('${photos}/*/*.jpg')) TO 'out.parquet'`;
const countThree = `SELECT count(image_to_tensor(content, 16)) AS n FROM (FROM read_blob('${photos}/*/*.jpg') LIMIT 3)`;

const reasons: Record<string, RegExp> = {
  exit: /image_to_tensor failed: a model worker died while running rows 5 to 6 \(worker exited with code: 3\); it has been replaced/,
  crash: /image_to_tensor failed: a model worker died while running rows 5 to 6 \(test fault .* at row 5: the worker crashed\); it has been replaced/,
  throw: /image_to_tensor failed: test fault .* at row 5: the model threw/,
};

for (const [mode, reason] of Object.entries(reasons)) {
  test(`a worker that ${{ exit: 'exits', crash: 'crashes', throw: 'throws' }[mode]} fails the statement, writes nothing, and the next statement works`, async () => {
    const run = await shell(`${mode}:row=4`, ['SET model_batch_size = 2', copyAll, countThree]);
    assert.match(run.stderr, reason);
    assert.match(run.stderr, /Execution error at 1:\d+/);
    // The statement after it ran on the replaced worker.
    assert.equal(run.stdout.trim(), 'n\n3');
    assert.ok(run.ms < 20_000, `took ${run.ms} ms`);
    // Nothing written: no output and no temporary file next to it.
    assert.deepEqual(readdirSync(dir).sort(), ['photos']);
  });
}

test('a worker holding the ResNet-50 session dies; its replacement builds the session again from the broadcast bytes', async () => {
  const predict = (limit: number) =>
    `SELECT count(predict_resnet50(content)) AS n FROM (FROM read_blob('${photos}/*/*.jpg') LIMIT ${limit})`;
  const run = await shell('exit:row=2', ['SET model_batch_size = 1', 'SET model_workers = 2', 'SET model_threads = 2', predict(4), predict(2)]);
  assert.match(run.stderr, /predict_resnet50 failed: a model worker died while running rows 3 to 3 \(worker exited with code: 3\)/);
  assert.equal(run.stdout.trim(), 'n\n2');
});

test('a worker that dies while loading the model fails the statement at once; the other worker is not left waiting', async () => {
  const predict = `SELECT count(predict_resnet50(content)) AS n FROM (FROM read_blob('${photos}/*/*.jpg') LIMIT 2)`;
  // Two workers load the model; the one with the even thread id dies, the other waits at the load barrier.
  const run = await shell('exit:load', ['SET model_workers = 2', 'SET model_threads = 2', predict, countThree, predict]);
  assert.match(run.stderr, /predict_resnet50: a model worker died while loading the model \(worker exited with code: 3\); it has been replaced/);
  // The waiting worker was let go (not held for the barrier's two minutes), and the replacement loads fine.
  assert.equal(run.stdout.trim(), 'n\n3\nn\n2');
  assert.ok(run.ms < 30_000, `took ${run.ms} ms`);
});

test('a malformed fault switch is an error, not ignored', async () => {
  const run = await shell('explode', [countThree]);
  assert.match(run.stderr, /SQLINFER_TEST_WORKER_FAULT must be exit\|crash\|throw:row=N or exit:load, found 'explode'/);
});
