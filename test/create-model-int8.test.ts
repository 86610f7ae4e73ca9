import assert from 'node:assert/strict';
import { rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { chooseInt8KernelForm } from '../udfs/models/resnet50/int8-kernel-form.js';
import { randomResnet50Weights } from '../udfs/models/resnet50/random-weights.js';
import { writeKerasH5 } from './helpers/keras-h5.js';
import { runCli, tempDir } from './helpers/cli.js';
import { PHOTO_DIR } from './helpers/photo-weights.js';

// The user's path: CREATE MODEL ... FROM resnet50 in one session, its use in the next ones. Random
// weights keep it fast; the accuracy itself is tested in resnet50-int8-agreement.test.ts.
const dir = tempDir('sqlinfer-create-int8-');
const db = join(dir, 'models.duckdb');
const photos = `${PHOTO_DIR}*.jpg`;
const CREATE = "CREATE MODEL resnet50_int8 FROM resnet50 WITH (precision => 'int8', calibrate => 'SELECT data FROM ''image_data.parquet'' USING SAMPLE 8 ROWS')";

async function sqlinfer(args: readonly string[], timeoutMs = 120_000) {
  return runCli(['--resnet50-weights', 'random', ...args], { cwd: dir, timeoutMs });
}

async function rowsOf(args: readonly string[]): Promise<Record<string, unknown>[]> {
  const run = await sqlinfer(['--format', 'json', ...args]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>[];
}

before(async () => {
  const run = await sqlinfer(['-c', `COPY (SELECT filename, image_to_tensor(content) AS data FROM read_blob('${photos}')) TO 'image_data.parquet'`]);
  assert.equal(run.code, 0, run.stderr);
});

test('CREATE MODEL FROM resnet50 in int8 is kept: DESCRIBE shows its precision, kernel form and accuracy; the next session runs it without calibrating; DROP removes it', async () => {
  const describe = await rowsOf([db, '-c', CREATE, '-c', 'DESCRIBE MODEL resnet50_int8']);
  const property = (name: string) => String(describe.find((r) => r['property'] === name)?.['value']);
  assert.match(property('precision'), /^int8 \(QDQ: int8 weights per output channel, uint8 activations/);
  assert.equal(property('kernel form'), chooseInt8KernelForm().reason);
  assert.equal(property('calibration'), "6 rows of: SELECT data FROM 'image_data.parquet' USING SAMPLE 8 ROWS (activation ranges by min/max)");
  assert.match(property('accuracy'), /^top-1 agreement \d+\.\d%, top-5 overlap \d+\.\d%, mean KL \S+ vs fp32 \(2 held-out rows\)$/);
  assert.equal(property('weights'), 'random (seed 42)');

  // Without the calibration rows, a session that calibrated again would fail.
  await rm(join(dir, 'image_data.parquet'));
  const rows = await rowsOf([
    db,
    '-c',
    `SELECT len(p) AS n, list_sum(p) AS total, list_position(p, list_max(p)) = list_position(q, list_max(q)) AS same_top FROM (SELECT resnet50_int8(content) AS p, predict_resnet50(content) AS q FROM read_blob('${photos}'))`,
  ]);
  assert.equal(rows.length, 10);
  for (const row of rows) {
    assert.equal(row['n'], 1000);
    assert.ok(Math.abs(Number(row['total']) - 1) < 1e-3);
  }
  // The shared runtime's row policy holds: a bad row gives NULL under model_errors = 'null'.
  const policy = await rowsOf([
    db,
    '-c',
    "SET model_errors = 'null'",
    '-c',
    `SELECT resnet50_int8(b) IS NULL AS failed FROM (SELECT content AS b FROM read_blob('${PHOTO_DIR}chelsea.jpg') UNION ALL SELECT 'not an image'::BLOB) ORDER BY failed`,
  ]);
  assert.deepEqual(policy, [{ failed: false }, { failed: true }]);
  const explain = await sqlinfer([db, '-c', `EXPLAIN SELECT resnet50_int8(content) FROM read_blob('${photos}') LIMIT 3`]);
  assert.equal(explain.code, 0, explain.stderr);
  assert.match(explain.stdout, /ResNet-50 in int8 \((symmetric|zero-point) weights\)/);
  assert.match(explain.stdout, /LIMIT 3 pushed/);

  const shown = await rowsOf([db, '-c', 'SHOW MODELS']);
  assert.deepEqual(shown.find((r) => r['name'] === 'resnet50_int8'), { name: 'resnet50_int8', format: 'resnet50-int8', file: 'random (seed 42)', arguments: 'x, [preprocess]', result_type: 'FLOAT[]' });
  const dropped = await rowsOf([db, '-c', 'DROP MODEL resnet50_int8', '-c', 'SHOW MODELS']);
  assert.equal(dropped.find((r) => r['name'] === 'resnet50_int8'), undefined);
});

/** CREATE with `calibrate` fails at CREATE, pointing at the calibrate option, with `message`. */
async function createFails(calibrate: string, message: RegExp): Promise<void> {
  const quoted = calibrate.replace(/'/g, "''");
  const sql = `CREATE MODEL q FROM resnet50 WITH (precision => 'int8', calibrate => '${quoted}')`;
  const run = await sqlinfer(['-c', `COPY (SELECT image_to_tensor(content) AS data, filename FROM read_blob('${photos}') LIMIT 2) TO 'two.parquet'`, '-c', sql, '-c', 'SHOW MODELS']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, message);
  const caret = run.stderr.split('\n').find((l) => l.includes('^'))!;
  assert.equal(caret.indexOf('^'), sql.indexOf(`'${quoted}'`), run.stderr);
}

test('a calibration query without rows, with rows of the wrong shape or type, or failing, is a clear error at CREATE', async () => {
  await createFails("SELECT data FROM 'two.parquet' WHERE false", /the calibration query returned no rows/);
  await createFails('SELECT [1.0, 2.0, 3.0]::FLOAT[] AS data', /row 1 of the calibration query has 3 values, where resnet50 takes 150528/);
  await createFails("SELECT filename FROM 'two.parquet'", /the calibration query's column filename is VARCHAR; it must be FLOAT\[\]/);
  await createFails("SELECT data, filename FROM 'two.parquet'", /the calibration query gives 2 columns \(data, filename\); it must give one/);
  await createFails("SELECT 'not an image'::BLOB", /row 1 of the calibration query is not an image resnet50 can read/);
  await createFails("SELECT data FROM 'missing.parquet'", /the calibration query fails: .*missing\.parquet/);
  await createFails("SELECT image_to_tensor(content) FROM read_blob('x.jpg')", /image_to_tensor is a model function, which a calibration query cannot call/);
});

test('CREATE MODEL FROM resnet50 checks its options; a call with another preprocess mode than calibrated is refused', async () => {
  const bad = await sqlinfer(['-c', "CREATE MODEL q FROM resnet50 WITH (precision => 'int4', calibrate => 'SELECT 1')"]);
  assert.match(bad.stderr, /option precision must be 'int8'/);
  const unknown = await sqlinfer(['-c', "CREATE MODEL q FROM resnet50 WITH (precision => 'int8', calibrate => 'SELECT 1', bits => 4)"]);
  assert.match(unknown.stderr, /unknown option bits: a model FROM resnet50 takes precision, calibrate, preprocess/);
  const other = await sqlinfer(['-c', "CREATE MODEL q FROM mobilenet WITH (precision => 'int8')"]);
  assert.match(other.stderr, /FROM the built-in resnet50 only/);

  const calibrate = `SELECT content FROM read_blob(''${photos}'') LIMIT 2`;
  const run = await sqlinfer(['-c', `CREATE MODEL q FROM resnet50 WITH (precision => 'int8', calibrate => '${calibrate}')`, '-c', `SELECT q(content, 'tf') FROM read_blob('${photos}')`]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /q: calibrated on rows preprocessed 'caffe', not 'tf'/);
});

test('a model calibrated on a weights file refuses to run once the file has changed', async () => {
  const weights = join(dir, 'weights.h5');
  await writeKerasH5(weights, randomResnet50Weights(7));
  const calibrate = `SELECT content FROM read_blob(''${photos}'') LIMIT 2`;
  const created = await runCli(['--resnet50-weights', weights, join(dir, 'file-weights.duckdb'), '-c', `CREATE MODEL q FROM resnet50 WITH (precision => 'int8', calibrate => '${calibrate}')`], { cwd: dir, timeoutMs: 120_000 });
  assert.equal(created.code, 0, created.stderr);
  await utimes(weights, new Date(), new Date(Date.now() + 60_000));
  // The stored model names its own weights: the session's setting does not matter.
  const run = await sqlinfer([join(dir, 'file-weights.duckdb'), '-c', `SELECT q(content) FROM read_blob('${photos}')`]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /the weights .*weights\.h5 changed since q was calibrated on them: CREATE OR REPLACE MODEL q to calibrate again/);
});
