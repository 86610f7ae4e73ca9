// Statement-level faults through the real sqlinfer: an input path that does not exist, a file that is not
// Parquet, a truncated or corrupted Parquet file, a weights file that is truncated, not HDF5 or lacks a
// layer, a corrupt ONNX file. Each is a clear error (exit status 1) and nothing is written.
import assert from 'node:assert/strict';
import { copyFileSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { randomResnet50Weights } from '../udfs/models/resnet50/random-weights.js';
import { runCli, tempDir } from './helpers/cli.js';
import { writeKerasH5 } from './helpers/keras-h5.js';

const dir = tempDir('sqlinfer-bad-files-');
const inputs = [
  'good.parquet',
  'text.parquet',
  'truncated.parquet',
  'corrupt.parquet',
  'no-layer.h5',
  'truncated.h5',
  'text.h5',
  'corrupt.onnx',
];

before(async () => {
  // 8 rows of 32x32x3 floats: large enough that cutting the file loses its footer, small enough to be quick.
  const made = await runCli(['-c', "COPY (SELECT i, [i::FLOAT * 0.001 FOR i IN range(3072)] AS data FROM range(8) r(i)) TO 'good.parquet'"], { cwd: dir });
  assert.equal(made.code, 0, made.stderr);
  writeFileSync(join(dir, 'text.parquet'), 'these bytes are not a Parquet file\n');
  const good = readFileSync(join(dir, 'good.parquet'));
  writeFileSync(join(dir, 'truncated.parquet'), good.subarray(0, Math.floor(good.length / 2)));
  // Footer intact, column data overwritten: found only when the data is read.
  copyFileSync(join(dir, 'good.parquet'), join(dir, 'corrupt.parquet'));
  const fd = openSync(join(dir, 'corrupt.parquet'), 'r+');
  writeSync(fd, Buffer.alloc(Math.floor(good.length / 2), 0x5a), 0, Math.floor(good.length / 2), 64);
  closeSync(fd);
  await writeKerasH5(join(dir, 'no-layer.h5'), randomResnet50Weights(), { omitLayers: ['conv3_block2_2_bn'] });
  const h5 = readFileSync(join(dir, 'no-layer.h5'));
  writeFileSync(join(dir, 'truncated.h5'), h5.subarray(0, Math.floor(h5.length / 3)));
  writeFileSync(join(dir, 'text.h5'), 'not HDF5');
  writeFileSync(join(dir, 'corrupt.onnx'), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 151 + 7) % 256)));
});

/** Runs `sql` (ending in a COPY to out.parquet); it must fail with `message`, writing nothing. */
async function fails(sql: string, message: RegExp): Promise<void> {
  const run = await runCli(['--resnet50-weights', 'random', '-c', sql], { cwd: dir });
  assert.equal(run.code, 1, `exit status ${run.code}; stderr: ${run.stderr}`);
  assert.match(run.stderr, message);
  assert.equal(run.stdout, '');
  assert.deepEqual(readdirSync(dir).sort(), [...inputs].sort());
}

const copyFrom = (file: string) => `COPY (SELECT i, predict_resnet50(data) AS p FROM '${file}') TO 'out.parquet'`;

test('an input path that does not exist', async () => {
  await fails(copyFrom('missing.parquet'), /No files found that match the pattern "missing.parquet"/);
});

test('a file that is not Parquet, and one cut in half', async () => {
  await fails(copyFrom('text.parquet'), /text\.parquet/);
  await fails(copyFrom('truncated.parquet'), /No magic bytes found at end of file 'truncated\.parquet'/);
});

test('a Parquet file whose data (not its footer) is corrupt fails when read', async () => {
  await fails(`COPY (SELECT i, image_to_tensor(data::BLOB) AS p FROM 'corrupt.parquet') TO 'out.parquet'`, /Execution error at 1:\d+: reading 'corrupt\.parquet' AS corrupt: /);
});

test('a weights file that lacks a layer names the layer', async () => {
  await fails(`SET resnet50_weights = 'no-layer.h5'; ${copyFrom('good.parquet')}`, /weights file '[^']*\/no-layer\.h5' has no layer conv3_block2_2_bn/);
});

test('a truncated weights file, and one that is not HDF5', async () => {
  await fails(`SET resnet50_weights = 'truncated.h5'; ${copyFrom('good.parquet')}`, /weights file '[^']*\/truncated\.h5' is truncated: it has \d+ bytes, its HDF5 header says \d+/);
  await fails(`SET resnet50_weights = 'text.h5'; ${copyFrom('good.parquet')}`, /weights file '[^']*\/text\.h5' is not an HDF5 file/);
  await fails(`SET resnet50_weights = 'nowhere.h5'; ${copyFrom('good.parquet')}`, /nowhere\.h5.*no such file/);
});

test('a corrupt ONNX file', async () => {
  await fails(`CREATE MODEL broken FROM 'corrupt.onnx'`, /corrupt\.onnx.*ONNX/);
});
