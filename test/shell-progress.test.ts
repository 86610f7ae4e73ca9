// The progress line's text and drawing: done of total, rows/s, elapsed and ETA, a spinner without a
// total, sizes for downloads; at most one redraw per interval; notices printed above it; erased by
// clear(); nothing but notices when stderr is not a terminal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describe, duration, progressLine } from '../shell/progress.js';
import { runCli } from './helpers/cli.js';

const rows = new Set(['predict_resnet50', 'image_to_tensor']);

test('the line: rows done of total, rate, elapsed and ETA', () => {
  const at = (done: number, total: number | null, seconds: number, label = 'predict_resnet50') =>
    describe({ label, done, total, started: 0 }, seconds * 1000, rows, '⠋');
  assert.equal(at(0, 300, 0.5), 'predict_resnet50: 0/300 rows (0%) · elapsed 0.5 s');
  assert.equal(at(128, 300, 6), 'predict_resnet50: 128/300 rows (42%) · 21 rows/s · elapsed 6.0 s · ETA 8.1 s');
  assert.equal(at(300, 300, 100), 'predict_resnet50: 300/300 rows (100%) · 3.0 rows/s · elapsed 1m40s');
  assert.equal(at(64, null, 2), '⠋ predict_resnet50: 64 rows · 32 rows/s · elapsed 2.0 s');
  assert.equal(at(64, 128, 2, 'image_to_tensor, predict_resnet50'), 'image_to_tensor, predict_resnet50: 64/128 rows (50%) · 32 rows/s · elapsed 2.0 s · ETA 2.0 s');
  assert.equal(at(2048, 4096, 1, 'downloading weights'), 'downloading weights: 2.0 KiB/4.0 KiB (50%) · elapsed 1.0 s · ETA 1.0 s');
  assert.equal(duration(3725), '1h02m');
});

function fakeTerminal(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, columns: 60, write: (text: string) => writes.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

test('redrawn at most once per interval, cut to the width, erased by clear()', () => {
  const { stream, writes } = fakeTerminal(true);
  let now = 1000;
  const progress = progressLine(stream, { rowLabels: rows, intervalMs: 250, now: () => now });
  const report = (done: number) => progress.onProgress!({ label: 'predict_resnet50', done, total: 100 });
  report(0);
  report(10);
  now += 100;
  report(20);
  assert.equal(writes.length, 1);
  now += 200;
  report(30);
  assert.equal(writes.length, 2);
  assert.match(writes[1]!, /^\rpredict_resnet50: 30\/100 rows \(30%\) · 100 rows\/s · elapsed…\x1b\[K$/);
  assert.ok(writes.every((w) => w.replace(/\x1b\[K$/, '').length <= 60));
  progress.note('a notice');
  assert.equal(writes[2], '\r\x1b[Ka notice\n');
  assert.match(writes[3]!, /^\rpredict_resnet50: 30\/100 rows/);
  progress.clear();
  assert.equal(writes.at(-1), '\r\x1b[K');
  progress.clear();
  assert.equal(writes.length, 5);
});

test('nothing when the stream is not a terminal', () => {
  const { stream, writes } = fakeTerminal(false);
  const progress = progressLine(stream, { rowLabels: rows });
  assert.equal(progress.onProgress, undefined);
  progress.clear();
  assert.deepEqual(writes, []);
  progress.note('a notice');
  assert.deepEqual(writes, ['a notice\n']);
});

test('a model statement run through pipes prints no progress: stderr stays empty, stdout pure csv', async () => {
  const r = await runCli(
    ['--resnet50-weights', 'random', '--model-batch-size', '1', '--format', 'csv', '-c', 'SELECT len(predict_resnet50(list_transform(range(150528), x -> 0.5::FLOAT))) AS n FROM range(2)'],
    { timeoutMs: 60000 },
  );
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'n\n1000\n1000\n');
  assert.equal(r.code, 0);
});
