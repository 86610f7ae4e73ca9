// Every sql-examples/*.sql file runs, in order, through the real `sqlinfer` command on generated photos,
// with ResNet-50's seeded random weights (no download). Each file's output is checked for its shape.
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeSampleImages } from '../udfs/images/sample-images.js';
import { runCli, tempDir } from './helpers/cli.js';

const examplesDir = fileURLToPath(new URL('../../sql-examples/', import.meta.url));
const IMAGES = 6;

let dir: string;

before(async () => {
  dir = tempDir('sqlinfer-examples-');
  await writeSampleImages({ out: join(dir, 'flower_photos'), images: IMAGES });
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function runExample(file: string): Promise<unknown[]> {
  const run = await runCli(['--resnet50-weights', 'random', '--format', 'jsonl', '-f', join(examplesDir, file)], {
    cwd: dir,
    home: dir,
    timeoutMs: 120_000,
  });
  assert.equal(run.stderr, '', `${file} wrote to stderr`);
  assert.equal(run.code, 0, `${file} failed`);
  return run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const run = await runCli(['--format', 'jsonl', '-c', sql], { cwd: dir, home: dir });
  assert.equal(run.code, 0, run.stderr);
  return run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('the examples folder holds the notebook pipeline and more, each file tested below', () => {
  assert.deepEqual(readdirSync(examplesDir).sort(), [
    '01-image-data.sql',
    '02-predictions.sql',
    '03-top5.sql',
    '04-straight-from-jpeg.sql',
    '05-per-folder.sql',
    '06-explain.sql',
    '07-tf-preprocessing.sql',
  ]);
});

test('01: photos become a Parquet file of 224x224x3 tensors', { timeout: 120_000 }, async () => {
  await runExample('01-image-data.sql');
  const rows = await query(`SELECT filename, len(data) AS n, list_min(data) >= 0 AND list_max(data) <= 255 AS in_range FROM 'image_data.parquet'`);
  assert.equal(rows.length, IMAGES);
  for (const row of rows) {
    assert.match(String(row.filename), /flower_photos\/[a-z]+\/[a-z]+-\d+\.jpg$/);
    assert.equal(row.n, 150528);
    assert.equal(row.in_range, true);
  }
});

test('02: predictions.parquet holds 1000 probabilities per image as FLOAT[]', { timeout: 120_000 }, async () => {
  await runExample('02-predictions.sql');
  const rows = await query(
    `SELECT typeof(prediction) AS type, len(prediction) AS n, list_sum(prediction) AS total FROM 'predictions.parquet'`,
  );
  assert.equal(rows.length, IMAGES);
  for (const row of rows) {
    assert.equal(row.type, 'FLOAT[]');
    assert.equal(row.n, 1000);
    assert.ok(Math.abs(Number(row.total) - 1) < 1e-3, `probabilities sum to ${row.total}`);
  }
});

test('03: top five labels, best first, for five images', { timeout: 120_000 }, async () => {
  const rows = await runExample('03-top5.sql');
  assert.equal(rows.length, 5);
  for (const row of rows as { top5: { label: string; score: number }[] }[]) {
    assert.equal(row.top5.length, 5);
    const scores = row.top5.map((entry) => entry.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    for (const entry of row.top5) assert.equal(typeof entry.label, 'string');
  }
});

test('04: predictions straight from the JPEG bytes', { timeout: 120_000 }, async () => {
  const rows = await runExample('04-straight-from-jpeg.sql');
  assert.equal(rows.length, IMAGES);
  for (const row of rows as { best_guess: string }[]) assert.equal(typeof row.best_guess, 'string');
});

test('05: an aggregate over model output, per folder', { timeout: 120_000 }, async () => {
  const rows = await runExample('05-per-folder.sql');
  const typed = rows as { folder: string; images: number }[];
  assert.deepEqual(
    typed.map((row) => row.folder),
    ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips'],
  );
  assert.equal(
    typed.reduce((sum, row) => sum + row.images, 0),
    IMAGES,
  );
});

test('06: EXPLAIN shows the input, model and output stages', { timeout: 120_000 }, async () => {
  const rows = await runExample('06-explain.sql');
  const text = JSON.stringify(rows);
  assert.match(text, /input/i);
  assert.match(text, /predict_resnet50/);
  assert.match(text, /output/i);
  assert.match(text, /LIMIT 5/);
});

test("07: 'caffe' and 'tf' preprocessing side by side", { timeout: 120_000 }, async () => {
  const rows = await runExample('07-tf-preprocessing.sql');
  const [row] = rows as { images: number; same_best_class: number }[];
  assert.equal(row!.images, IMAGES);
  assert.ok(row!.same_best_class >= 0 && row!.same_best_class <= IMAGES);
});
