// model_threads (and model_workers) stop at 4 x the machine's cores: more threads only queue on the cores,
// each with its own copy of the model (1024 threads on 2 cores took 75 s and 3.9 GB for a 2 s query).
// The refusal says the maximum and why, for SET and for the flag alike.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { validateSetting } from '../udfs/index.js';
import { runCli } from './helpers/cli.js';

const cores = availableParallelism();
const max = 4 * cores;
const reason = `\\(4 x the ${cores} cores? of this machine\\)`;

test('SET model_threads = 1024 is refused with the maximum, at the value; the script stops there', async () => {
  const run = await runCli(['--format', 'csv', '-c', "SET model_threads = 1024;\nSELECT 'never';"]);
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, new RegExp(`^Execution error at 1:21: model_threads must be an integer from 1 to ${max} ${reason}, got 1024\\n`));
});

test('the maximum itself is accepted and shown by SHOW sqlinfer_settings', async () => {
  const run = await runCli(['--format', 'csv', '-c', `SET model_threads = ${max}; SET model_workers = ${max}; SHOW sqlinfer_settings;`]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`\\nmodel_threads,${max},`));
  assert.match(run.stdout, new RegExp(`\\nmodel_workers,${max},`));
});

test('--model-threads 1024 is a usage error (status 2) with the same message', async () => {
  const run = await runCli(['--model-threads', '1024', '-c', 'SELECT 1']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, new RegExp(`^sqlinfer: model_threads must be an integer from 1 to ${max} ${reason}, got '1024'\\n`));
});

test('one validator: the udfs spec check and SET give the same words', () => {
  assert.throws(() => validateSetting('model_threads', 1024), new RegExp(`^Error: model_threads must be an integer from 1 to ${max} ${reason}, got 1024$`));
  assert.throws(() => validateSetting('model_errors', 'skip'), /^Error: model_errors must be one of 'fail', 'null', got 'skip'$/);
});
