// COPY over an existing file replaces it only on success: a failed statement, or one cancelled in its model
// stage or while DuckDB writes its output, leaves the old file byte for byte and no temporary file behind.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { createEngine, type Engine } from '../engine/engine.js';
import { SqlError } from '../engine/sql/sql-error.js';
import { createUdfs } from '../udfs/index.js';
import { writeSampleImages } from '../udfs/images/sample-images.js';
import { tempDir } from './helpers/cli.js';

const dir = tempDir('sqlinfer-atomic-');
const outDir = join(dir, 'out');
const target = join(outDir, 'result.parquet');
const OLD = 'the previous result, which must survive';
let engine: Engine;
let onProgress: ((done: number) => void) | null = null;

before(async () => {
  await writeSampleImages({ images: 6, out: join(dir, 'photos'), seed: 9 });
  engine = await createEngine({
    udfs: createUdfs({ threads: 2 }),
    settings: { model_batch_size: 1 },
    onProgress: (p) => {
      if (p.total !== null) onProgress?.(p.done);
    },
  });
  await engine.run(`CREATE TABLE images AS SELECT filename, content FROM read_blob('${dir}/photos/*/*.jpg') ORDER BY filename`);
});
after(() => engine.close());
beforeEach(() => {
  onProgress = null;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(target, OLD);
});

const untouched = () => {
  assert.equal(readFileSync(target, 'utf8'), OLD);
  assert.deepEqual(readdirSync(outDir), ['result.parquet']);
};

const copy = (query: string) => `COPY (${query}) TO '${target}' (FORMAT PARQUET)`;

test('a successful COPY replaces the existing file', async () => {
  await engine.run(copy(`SELECT filename, image_to_tensor(content, 4) AS t FROM images`));
  const rows = (await engine.run(`SELECT count(*), min(len(t)) FROM '${target}'`))[0]!.rows;
  assert.deepEqual(rows, [[6n, 48n]]);
  assert.deepEqual(readdirSync(outDir), ['result.parquet']);
});

test('a COPY that fails on a bad row leaves the old file untouched', async () => {
  const query = `SELECT image_to_tensor(CASE WHEN filename LIKE '%tulips%' THEN 'x'::BLOB ELSE content END, 4) AS t FROM images`;
  await assert.rejects(engine.run(copy(query)), /image_to_tensor failed on row \d+ \(filename '[^']*tulips[^']*'\)/);
  untouched();
});

test('a COPY cancelled in its model stage leaves the old file untouched', async () => {
  const controller = new AbortController();
  onProgress = (done) => {
    if (done >= 2) controller.abort();
  };
  await assert.rejects(
    engine.run(copy(`SELECT filename, image_to_tensor(content, 64) AS t FROM images`), { signal: controller.signal }),
    (error: unknown) => error instanceof SqlError && error.code === 'interrupted',
  );
  untouched();
});

test('a COPY cancelled while DuckDB writes its (long) output leaves the old file untouched', async () => {
  const controller = new AbortController();
  // The output stage repeats each staged row many times: stop it once its temporary file has appeared
  // in its hidden folder.
  const poll = setInterval(() => {
    const folder = readdirSync(outDir).find((name) => name.includes('.sqlinfer-'));
    if (folder !== undefined && existsSync(join(outDir, folder, 'result.parquet'))) controller.abort();
  }, 10);
  try {
    const query = `SELECT i.filename, image_to_tensor(i.content, 4) AS t, r.range AS k FROM images AS i, range(20000000) AS r`;
    await assert.rejects(engine.run(copy(query), { signal: controller.signal }), (error: unknown) => {
      assert.ok(error instanceof SqlError && error.code === 'interrupted', String(error));
      return true;
    });
  } finally {
    clearInterval(poll);
  }
  assert.ok(controller.signal.aborted, 'the temporary output never appeared');
  untouched();
});

test('the engine works normally after the cancelled statements', async () => {
  const rows = (await engine.run(`SELECT count(image_to_tensor(content, 4)) FROM images`))[0]!.rows;
  assert.deepEqual(rows, [[6n]]);
});
