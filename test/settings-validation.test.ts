// Every sqlinfer setting is checked when it is SET (or given as a flag): a bad value is an error naming the
// setting and what it accepts, pointing at the value, and the setting keeps its previous value.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, before, test } from 'node:test';
import { createEngine, type Engine } from '../engine/engine.js';
import { SqlError } from '../engine/sql/sql-error.js';
import { createUdfs } from '../udfs/index.js';
import { runCli } from './helpers/cli.js';

const cores = availableParallelism();
/** The maximum of model_threads and model_workers, with its reason as the message gives it. */
const maxThreads = `${4 * cores} \\(4 x the ${cores} cores? of this machine\\)`;

let engine: Engine;
before(async () => {
  engine = await createEngine({ udfs: createUdfs({ threads: 2 }), settings: { resnet50_weights: 'random' } });
});
after(() => engine.close());

const cases: [setting: string, value: string, message: RegExp][] = [
  ['model_threads', '0', new RegExp(`^model_threads must be an integer from 1 to ${maxThreads}, got 0$`)],
  ['model_threads', '-1', new RegExp(`^model_threads must be an integer from 1 to ${maxThreads}, got -1$`)],
  ['model_threads', "'x'", new RegExp(`^model_threads must be an integer from 1 to ${maxThreads}, got 'x'$`)],
  ['model_threads', '10000', new RegExp(`^model_threads must be an integer from 1 to ${maxThreads}, got 10000$`)],
  ['model_threads', '1.5', new RegExp(`^model_threads must be an integer from 1 to ${maxThreads}, got 1.5$`)],
  ['model_workers', '-1', new RegExp(`^model_workers must be an integer from 0 to ${maxThreads}, got -1$`)],
  ['model_batch_size', '-1', /^model_batch_size must be an integer from 0 to 65536, got -1$/],
  ['model_batch_size', '1000000000', /^model_batch_size must be an integer from 0 to 65536, got 1000000000$/],
  ['model_errors', "'skip'", /^model_errors must be one of 'fail', 'null', got 'skip'$/],
  ['parquet_pages', "'sometimes'", /^parquet_pages must be one of 'auto', 'always', 'never', got 'sometimes'$/],
  ['arrow_group_rows', '0', /^arrow_group_rows must be an integer from 1 to 1000000000, got 0$/],
];

for (const [setting, value, message] of cases) {
  test(`SET ${setting} = ${value} is refused with the setting's range`, async () => {
    const previous = engine.settings.get(setting);
    const sql = `SET ${setting} = ${value}`;
    await assert.rejects(engine.run(sql), (error: unknown) => {
      assert.ok(error instanceof SqlError);
      assert.equal(error.code, 'invalid-setting');
      assert.match(error.detail, message);
      assert.equal(error.span?.start, sql.indexOf(value));
      return true;
    });
    assert.equal(engine.settings.get(setting), previous);
  });
}

test('an unknown sqlinfer-looking setting goes to DuckDB, which refuses it by name', async () => {
  await assert.rejects(engine.run('SET model_treads = 2'), /model_treads/);
});

test('more workers than threads is refused when a model statement prepares, naming both', async () => {
  await engine.run('SET model_threads = 2; SET model_workers = 3');
  try {
    await assert.rejects(engine.run('SELECT image_to_tensor(b) FROM (SELECT NULL::BLOB AS b)'), /workers \(3\) cannot exceed threads \(2\)/);
  } finally {
    await engine.run('RESET model_workers; RESET model_threads');
  }
});

test('an unknown preprocess mode is an error naming the argument and the modes', async () => {
  const sql = `SELECT predict_resnet50(x, 'bgr') FROM (SELECT list_resize([0::FLOAT], 150528, 0) AS x)`;
  await assert.rejects(engine.run(sql), (error: unknown) => {
    assert.ok(error instanceof SqlError);
    assert.match(error.detail, /argument 2 \(preprocess\) of predict_resnet50 must be 'caffe', 'tf' or 'none', found 'bgr'/);
    assert.equal(error.code, 'model-call-argument-value');
    assert.equal(error.span?.start, sql.indexOf(`'bgr'`));
    return true;
  });
});

test('the command-line flags are checked the same way, before anything runs (exit status 2)', async () => {
  for (const [flag, value, message] of [
    ['--model-threads', '0', new RegExp(`model_threads must be an integer from 1 to ${maxThreads}, got '0'`)],
    ['--model-threads', 'x', new RegExp(`model_threads must be an integer from 1 to ${maxThreads}, got 'x'`)],
    ['--model-batch-size', '1000000000', /model_batch_size must be an integer from 0 to 65536/],
  ] as const) {
    const run = await runCli([flag, value, '-c', 'SELECT 1']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.equal(run.stdout, '');
  }
});
