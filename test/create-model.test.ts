// CREATE MODEL, DROP MODEL, SHOW MODELS and DESCRIBE MODEL: what they show, and their errors, each at the
// part of the statement at fault.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { modelsFixture, type ModelsFixture } from './helpers/onnx-model-fixtures.js';

let f: ModelsFixture;
before(async () => {
  f = await modelsFixture();
});
after(() => f.close());

async function fails(sql: string, code: string, pattern: RegExp, at: string): Promise<void> {
  await assert.rejects(f.engine.run(sql), (error: Error & { code?: string; span?: { start: number; end: number } }) => {
    assert.equal(error.code, code, `${sql}: ${error.message}`);
    assert.match(error.message, pattern, sql);
    assert.equal(sql.slice(error.span!.start, error.span!.end), at, sql);
    return true;
  });
}

test('SHOW MODELS lists built-in and user models; DESCRIBE MODEL shows format, runtime, file, size, inputs and outputs', async () => {
  await f.engine.run(`CREATE MODEL Outputs2 FROM '${f.dir}/two_outputs.onnx' WITH (batch_size => 16)`);
  const shown = await f.rows('SHOW MODELS');
  assert.deepEqual(
    shown.map((r) => [r[0], r[1]]),
    [
      ['image_to_tensor', 'built-in'],
      ['outputs2', 'onnx'],
      ['predict_resnet50', 'built-in'],
    ],
  );
  assert.deepEqual(shown[1], ['outputs2', 'onnx', `${f.dir}/two_outputs.onnx`, 'x', 'STRUCT("y" FLOAT[], "total" FLOAT)']);
  const described = Object.fromEntries((await f.rows('DESCRIBE MODEL outputs2')) as [string, string][]);
  assert.equal(described['format'], 'onnx');
  assert.match(described['runtime']!, /^onnxruntime-node \d+\.\d+\.\d+ \(cpu\)$/);
  assert.equal(described['file'], `${f.dir}/two_outputs.onnx`);
  assert.match(described['size']!, /^\d+ bytes$/);
  assert.equal(described['input x'], 'float32 [N, 3]');
  assert.equal(described['output y'], 'float32 [N, 2]');
  assert.equal(described['output total'], 'float32 [N, 1]');
  assert.equal(described['result type'], 'STRUCT("y" FLOAT[], "total" FLOAT)');
  assert.equal(described['options'], 'batch_size => 16');
  const builtin = Object.fromEntries((await f.rows('DESCRIBE MODEL predict_resnet50')) as [string, string][]);
  assert.equal(builtin['format'], 'built-in');
  assert.equal(builtin['result type'], 'FLOAT[]');
});

test('DROP MODEL removes the function; IF EXISTS makes a missing model no error', async () => {
  await f.engine.run(`CREATE MODEL dropme FROM '${f.dir}/linear.onnx'`);
  assert.deepEqual(await f.rows('SELECT dropme([1, 0, 0]) FROM range(1)'), [[[1.25, -1.5]]]);
  await f.engine.run('DROP MODEL dropme');
  await assert.rejects(f.engine.run('SELECT dropme([1, 0, 0]) FROM range(1)'), /dropme/);
  await f.engine.run('DROP MODEL IF EXISTS dropme');
  await fails('DROP MODEL dropme', 'model-not-found', /there is no model named dropme/, 'dropme');
  await fails('DROP MODEL predict_resnet50', 'model-builtin', /built-in model function and cannot be dropped/, 'predict_resnet50');
});

test('names clashing with a model, a built-in or a DuckDB function are errors at the name; OR REPLACE replaces', async () => {
  await f.engine.run(`CREATE MODEL m FROM '${f.dir}/linear.onnx'`);
  await fails(`CREATE MODEL m FROM '${f.dir}/dynamic.onnx'`, 'model-name-taken', /a model named m already exists: use CREATE OR REPLACE MODEL/, 'm');
  await f.engine.run(`CREATE MODEL IF NOT EXISTS m FROM '${f.dir}/dynamic.onnx'`);
  assert.deepEqual(await f.rows('SELECT m([1, 0, 0]) FROM range(1)'), [[[1.25, -1.5]]]);
  await f.engine.run(`CREATE OR REPLACE MODEL m FROM '${f.dir}/dynamic.onnx'`);
  assert.deepEqual(await f.rows('SELECT m([1, 0, 0]) FROM range(1)'), [[[2, 0, 0]]]);
  await fails(`CREATE OR REPLACE MODEL predict_resnet50 FROM '${f.dir}/linear.onnx'`, 'model-name-taken', /built-in model function and cannot be replaced/, 'predict_resnet50');
  await fails(`CREATE MODEL list_sum FROM '${f.dir}/linear.onnx'`, 'model-name-taken', /list_sum is a DuckDB function/, 'list_sum');
  await fails(`CREATE MODEL "ABS" FROM '${f.dir}/linear.onnx'`, 'model-name-taken', /abs is a DuckDB function/, '"ABS"');
});

test('a missing or unreadable file, an unknown format and bad options are errors at the path or option', async () => {
  await fails(`CREATE MODEL a FROM '${f.dir}/nope.onnx'`, 'model-invalid', /cannot read the model file .*nope\.onnx': no such file/, `'${f.dir}/nope.onnx'`);
  await writeFile(`${f.dir}/weights.bin`, 'not a model');
  await fails(`CREATE MODEL a FROM '${f.dir}/weights.bin'`, 'model-invalid', /unknown model format of .*weights\.bin'/, `'${f.dir}/weights.bin'`);
  await writeFile(`${f.dir}/broken.onnx`, 'not a model');
  await fails(`CREATE MODEL a FROM '${f.dir}/broken.onnx'`, 'model-invalid', /is not an ONNX model onnxruntime can load/, `'${f.dir}/broken.onnx'`);
  await fails(`CREATE MODEL a FROM '${f.dir}/linear.onnx' WITH (batch_size => 0)`, 'model-invalid', /option batch_size must be a positive integer, found 0/, '0');
  await fails(`CREATE MODEL a FROM '${f.dir}/linear.onnx' WITH (colour => 'red')`, 'model-invalid', /unknown option colour/, 'colour');
  await fails(`CREATE MODEL a FROM '${f.dir}/two_outputs.onnx' WITH (output => 'z')`, 'model-invalid', /option output names 'z', which is not an output \(outputs: 'y', 'total'\)/, `'z'`);
  await fails(`CREATE MODEL a FROM 42`, 'model-statement-syntax', /expected the model's file as a quoted string, found '42'/, '42');
  await fails(`CREATE MODEL a FROM '${f.dir}/linear.onnx' WITH (batch_size 4)`, 'model-statement-syntax', /expected => after the option batch_size, found '4'/, '4');
});

test('a model whose file disappeared fails at the call', async () => {
  await writeFile(`${f.dir}/gone.onnx`, await import('node:fs/promises').then((fs) => fs.readFile(`${f.dir}/linear.onnx`)));
  await f.engine.run(`CREATE MODEL gone FROM '${f.dir}/gone.onnx'`);
  await import('node:fs/promises').then((fs) => fs.rm(`${f.dir}/gone.onnx`));
  await fails('SELECT 1, gone([1, 2, 3]) FROM range(1)', 'model-unavailable', /gone: cannot read the model file/, 'gone([1, 2, 3])');
});

test('DESCRIBE of a table named model still goes to DuckDB', async () => {
  await f.engine.run('CREATE TABLE model AS SELECT 1 AS a');
  const rows = await f.rows('DESCRIBE model');
  assert.equal(rows[0]![0], 'a');
});
