// The sample-data generator: JPEGs in class folders, non-square sizes in range, deterministic per seed.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import sharp from 'sharp';
import { MAX_SIDE, MIN_SIDE, writeSampleImages } from '../udfs/images/sample-images.js';

test('writes N decodable JPEGs round-robin into class folders, the same bytes for the same seed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sqlinfer-sample-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const written = await writeSampleImages({ out: join(dir, 'a'), images: 7, seed: 3 });
  assert.equal(written.length, 7);
  assert.deepEqual((await readdir(join(dir, 'a'))).sort(), ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips']);
  assert.deepEqual(await readdir(join(dir, 'a', 'daisy')), ['daisy-0000.jpg', 'daisy-0001.jpg']);
  for (const image of written) {
    const meta = await sharp(join(dir, 'a', image.file)).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, image.width);
    assert.equal(meta.height, image.height);
    assert.notEqual(image.width, image.height);
    for (const side of [image.width, image.height]) assert.ok(side >= MIN_SIDE && side <= MAX_SIDE);
  }
  const again = await writeSampleImages({ out: join(dir, 'b'), images: 7, seed: 3 });
  assert.deepEqual(again, written);
  assert.deepEqual(await readFile(join(dir, 'b', 'roses', 'roses-0000.jpg')), await readFile(join(dir, 'a', 'roses', 'roses-0000.jpg')));
});

test('the classes differ in colour', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sqlinfer-sample-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const written = await writeSampleImages({ out: dir, images: 5, classes: 5, seed: 1 });
  const means = await Promise.all(
    written.map(async (w) => (await sharp(join(dir, w.file)).stats()).channels.slice(0, 3).map((c) => Math.round(c.mean))),
  );
  assert.equal(new Set(means.map((m) => m.join(','))).size, 5);
});

test('npm run sample-data: --images, --out, --classes, and what it wrote', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sqlinfer-sample-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const script = fileURLToPath(new URL('../scripts/sample-data.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script, '--images', '4', '--out', dir, '--classes', '2']);
  assert.deepEqual((await readdir(dir)).sort(), ['daisy', 'dandelion']);
  assert.match(stdout, /daisy\/: 2 JPEGs/);
  assert.match(stdout, /wrote 4 images/);
  await assert.rejects(promisify(execFile)(process.execPath, [script, '--images', '2']), /--out is required/);
});
