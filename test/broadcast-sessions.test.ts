// The broadcast: every worker builds a model's session once, from the shared bytes, and reuses it across
// runs and statements; concurrent first batches do not build twice in one worker.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { after, test } from 'node:test';
import { ModelRuntime, type RunResult } from '../udfs/runtime/model-runtime.js';
import { batchOf, floatColumn, rowOf, scaleModel } from './helpers/runtime-fixtures.js';

const runtimes: ModelRuntime[] = [];
after(() => Promise.all(runtimes.map((r) => r.close())));

function runtime(workers: number): ModelRuntime {
  const r = new ModelRuntime({ threads: workers, workers });
  runtimes.push(r);
  return r;
}

function scaleBatches(r: ModelRuntime, key: string, count: number): Promise<RunResult[]> {
  const model = r.model(key);
  assert.ok(model);
  return Promise.all(
    Array.from({ length: count }, (_, b) =>
      r.runWithStats({ kernel: 'onnx', model, rowShape: [4], batch: batchOf(b * 2, 2, floatColumn([[b, 1, 2, 3], [4, 5, 6, b]])) }),
    ),
  );
}

test('broadcast builds the session on every worker once, and later runs reuse it', async () => {
  const r = runtime(2);
  const model = r.share('scale', scaleModel(2));
  await r.broadcast(model);
  const first = await scaleBatches(r, 'scale', 8);
  await r.broadcast(model); // a second statement with the same model
  const second = await scaleBatches(r, 'scale', 8);
  const all = [...first, ...second];
  assert.equal(new Set(all.map((result) => result.stats.threadId)).size, 2, 'both workers ran batches');
  for (const result of all) assert.equal(result.stats.sessionBuilds, 1);
  first.forEach((result, b) => assert.deepEqual([...(rowOf(result.column, 0) ?? [])], [2 * b, 2, 4, 6]));
});

test('share() keeps one copy of the bytes per key', () => {
  const r = runtime(1);
  const a = r.share('same', scaleModel(2));
  const b = r.share('same', scaleModel(5));
  assert.equal(a, b);
  assert.ok(a.bytes instanceof SharedArrayBuffer);
});

test('concurrent first batches without a broadcast build one session per worker', async () => {
  const r = runtime(2);
  r.share('lazy', scaleModel(3));
  const results = await scaleBatches(r, 'lazy', 10);
  for (const result of results) assert.equal(result.stats.sessionBuilds, 1);
});

test('a new split replaces the workers, and the shared bytes rebuild their sessions', async () => {
  const r = runtime(2);
  const model = r.share('resplit', scaleModel(4));
  await r.broadcast(model);
  await r.configure({ threads: 1, workers: 1 });
  assert.equal(r.workers, 1);
  await r.broadcast(model);
  const results = await scaleBatches(r, 'resplit', 3);
  assert.equal(new Set(results.map((result) => result.stats.threadId)).size, 1);
  for (const result of results) assert.equal(result.stats.sessionBuilds, 1);
});

test('a model that cannot be built fails the broadcast at once, naming the model', async () => {
  const r = runtime(2);
  const started = Date.now();
  await assert.rejects(r.broadcast(r.share('not-onnx', new Uint8Array([1, 2, 3]))), /cannot build the session for model 'not-onnx'/);
  assert.ok(Date.now() - started < 10_000);
});

test('workers build a broadcast ONNX session from a file of the shared bytes, which goes when the model is released', async () => {
  const r = runtime(2);
  const bytes = scaleModel(6);
  const model = r.share('from-file', bytes);
  await r.broadcast(model);
  const files = readdirSync('/proc/self/fd').map((fd) => `/proc/self/fd/${fd}`);
  const file = files.find((path) => {
    try {
      return readlinkSync(path).includes('sqlinfer-model-') && readFileSync(path).equals(Buffer.from(bytes));
    } catch {
      return false;
    }
  });
  assert.ok(file, 'a file holds the model bytes while the model is shared');
  const name = readlinkSync(file);
  assert.match(name, /\(deleted\)$/, 'already unlinked: nothing is left behind if the process dies');
  const results = await scaleBatches(r, 'from-file', 4);
  results.forEach((result, b) => assert.deepEqual([...(rowOf(result.column, 0) ?? [])], [6 * b, 6, 12, 18]));
  r.release('from-file');
  const stillOpen = readdirSync('/proc/self/fd').some((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === name;
    } catch {
      return false;
    }
  });
  assert.ok(!stillOpen, 'released: the file is closed');
  // A batch of the released model on a worker without its session builds it from the shared bytes.
  await r.configure({ threads: 1, workers: 1 });
  const late = await r.runWithStats({ kernel: 'onnx', model, rowShape: [4], batch: batchOf(0, 1, floatColumn([[1, 2, 3, 4]])) });
  assert.deepEqual([...(rowOf(late.column, 0) ?? [])], [6, 12, 18, 24]);
});

test('bytes already in shared memory are shared as they are, not copied', () => {
  const r = runtime(1);
  const bytes = scaleModel(7);
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  assert.equal(r.share('in-place', shared).bytes, shared.buffer);
  assert.notEqual(r.share('copied', bytes).bytes, bytes.buffer);
});
