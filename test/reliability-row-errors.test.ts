// SET model_errors through the engine, over image files some of which are bad. 'fail' (the default) stops
// at the first bad row with an error naming its position and filename, and writes nothing; 'null' gives
// NULL for the bad rows, processes all the others, and reports one summary line as a notice.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createEngine, type Engine } from '../engine/engine.js';
import { SqlError } from '../engine/sql/sql-error.js';
import { createUdfs } from '../udfs/index.js';
import { writeSampleImages } from '../udfs/images/sample-images.js';
import { tempDir } from './helpers/cli.js';
import { onePixelPng, pngBomb, truncatedJpeg } from './helpers/bad-images.js';

const dir = tempDir('sqlinfer-row-errors-');
const photos = join(dir, 'photos');
const bad = ['bad-text.jpg', 'bad-truncated.jpg', 'bad-empty.jpg', 'bad-1x1.png', 'bad-bomb.png'];
const notices: string[] = [];
let engine: Engine;

before(async () => {
  await writeSampleImages({ images: 6, out: photos, seed: 5 });
  const roses = join(photos, 'roses');
  writeFileSync(join(roses, bad[0]!), 'plain text, not an image');
  writeFileSync(join(roses, bad[1]!), await truncatedJpeg());
  writeFileSync(join(roses, bad[2]!), new Uint8Array(0));
  writeFileSync(join(roses, bad[3]!), await onePixelPng());
  writeFileSync(join(roses, bad[4]!), pngBomb());
  engine = await createEngine({
    udfs: createUdfs({ threads: 2 }),
    settings: { resnet50_weights: 'random', model_batch_size: 3 },
    onNotice: (line) => notices.push(line),
  });
  await engine.run(`CREATE TABLE images AS SELECT filename, content FROM read_blob('${photos}/*/*') ORDER BY filename`);
});
after(() => engine.close());

const files = `(SELECT * FROM images ORDER BY filename)`;
const copyTensors = (target: string) => `COPY (SELECT filename, image_to_tensor(content, 8) AS t FROM ${files} AS i) TO '${target}'`;

test("'fail' stops at the first bad row, naming its position, filename and reason; nothing is written", async () => {
  notices.length = 0;
  const target = join(dir, 'fail.parquet');
  const first = (await engine.run(`SELECT * FROM (SELECT filename, row_number() OVER () AS n FROM ${files}) WHERE filename LIKE '%/bad-%' ORDER BY n LIMIT 1`))[0]!.rows[0]!;
  await assert.rejects(engine.run(copyTensors(target)), (error: unknown) => {
    assert.ok(error instanceof SqlError);
    assert.equal(error.code, 'model-row-error');
    assert.equal(error.detail.startsWith(`image_to_tensor failed on row ${first[1]} (filename '${first[0]}'): cannot decode image: `), true, error.detail);
    return true;
  });
  assert.equal(existsSync(target), false);
  assert.deepEqual(readdirSync(dir).sort(), ['photos']);
  assert.deepEqual(notices, []);
});

test("'null' gives NULL for each bad row, every good row its tensor, and one summary notice", async () => {
  notices.length = 0;
  const target = join(dir, 'null.parquet');
  await engine.run(`SET model_errors = 'null'`);
  try {
    await engine.run(copyTensors(target));
  } finally {
    await engine.run('RESET model_errors');
  }
  const rows = (await engine.run(`SELECT filename, len(t) FROM '${target}' ORDER BY filename`))[0]!.rows;
  assert.equal(rows.length, 6 + bad.length);
  for (const [filename, length] of rows) {
    const isBad = bad.some((name) => String(filename).endsWith(name));
    assert.equal(length, isBad ? null : 192n, String(filename));
  }
  assert.equal(notices.length, 1);
  const notice = notices[0]!;
  assert.match(notice, /^image_to_tensor\(content, 8\): 5 of 11 rows failed and gave NULL \(model_errors = 'null'\): /);
  // The first three reasons, each with its row and filename, then how many more.
  assert.equal(notice.match(/row \d+ \(filename '[^']*\/bad-[^']*'\): cannot decode image: /g)?.length, 3);
  assert.match(notice, /; 2 more$/);
});

test('without a filename column the row is named by its position; NULL rows are never errors', async () => {
  const tensors = `(SELECT i, CASE i WHEN 1 THEN [1, 2] WHEN 2 THEN NULL WHEN 3 THEN [1, 'nan'::FLOAT] || list_resize([0::FLOAT], 150526, 0) ELSE list_resize([0::FLOAT], 150528, 0) END AS x FROM range(5) r(i) ORDER BY i)`;
  await assert.rejects(engine.run(`SELECT i, predict_resnet50(x) FROM ${tensors} AS t`), (error: unknown) => {
    assert.ok(error instanceof SqlError);
    assert.equal(error.detail, 'predict_resnet50 failed on row 2: expected 150528 values (224x224x3), found 2');
    return true;
  });
  notices.length = 0;
  await engine.run(`SET model_errors = 'NULL'`);
  try {
    const rows = (await engine.run(`SELECT i, len(predict_resnet50(x)) FROM ${tensors} AS t ORDER BY i`))[0]!.rows;
    assert.deepEqual(rows, [[0n, 1000n], [1n, null], [2n, null], [3n, null], [4n, 1000n]]);
  } finally {
    await engine.run('RESET model_errors');
  }
  assert.deepEqual(notices, [
    "predict_resnet50(x): 2 of 5 rows failed and gave NULL (model_errors = 'null'): " +
      'row 2: expected 150528 values (224x224x3), found 2; ' +
      'row 4: value 2 of 150528 is NaN (or NULL); model inputs must be finite numbers',
  ]);
});

test("model_errors accepts 'fail' and 'null' only, and SHOW lists it", async () => {
  await assert.rejects(engine.run(`SET model_errors = 'skip'`), /model_errors must be one of 'fail', 'null', got 'skip'/);
  const rows = (await engine.run('SHOW sqlinfer_settings'))[0]!.rows;
  assert.ok(rows.some((row) => row[0] === 'model_errors' && row[1] === 'fail'));
});

test('a list of VARCHAR is a plan error at the argument, before any model runs, under either policy', async () => {
  for (const policy of ['fail', 'null']) {
    await engine.run(`SET model_errors = '${policy}'`);
    const sql = `SELECT predict_resnet50(x) FROM (SELECT ['a', 'b'] AS x)`;
    await assert.rejects(engine.run(sql), (error: unknown) => {
      assert.ok(error instanceof SqlError);
      assert.equal(error.phase, 'plan');
      assert.equal(error.detail, 'argument 1 (x) of predict_resnet50 must be FLOAT[] or BLOB, found VARCHAR[]');
      assert.equal(error.span?.start, sql.indexOf('x)'));
      return true;
    });
  }
  await engine.run('RESET model_errors');
});
