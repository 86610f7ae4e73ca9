// Batches in flight at once run on different workers at the same time.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelRuntime } from '../udfs/runtime/model-runtime.js';
import { batchOf, floatColumn, slowModel } from './helpers/runtime-fixtures.js';

const ROWS = 1024;

test('two workers run two batches side by side', async () => {
  const runtime = new ModelRuntime({ threads: 2, workers: 2 });
  try {
    const model = runtime.share('slow', slowModel());
    await runtime.broadcast(model);
    // Batches long enough (about 60 ms each, against about 2 ms between two dispatches) that the two workers
    // overlap even on a busy machine.
    const rows = Array.from({ length: ROWS }, (_, i) => Array.from({ length: 256 }, (_, j) => ((i + j) % 13) / 13));
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, b) =>
        runtime.runWithStats({ kernel: 'onnx', model, rowShape: [256], batch: batchOf(b * ROWS, ROWS, floatColumn(rows)) }),
      ),
    );
    const threads = new Set(results.map((r) => r.stats.threadId));
    assert.equal(threads.size, 2, 'both workers ran batches');
    const overlapping = results.some((a) =>
      results.some((b) => a.stats.threadId !== b.stats.threadId && a.stats.startedAt < b.stats.finishedAt && b.stats.startedAt < a.stats.finishedAt),
    );
    assert.ok(overlapping, 'batches on different workers overlapped in time');
    for (const r of results) assert.equal(r.column.offsets[ROWS], ROWS * 256);
  } finally {
    await runtime.close();
  }
});
