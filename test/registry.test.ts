// The registry of model functions and the udfs API the engine uses.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUdfs, validateSetting } from '../udfs/index.js';
import type { ModelFunction } from '../udfs/model-function.js';
import { createRegistry } from '../udfs/registry.js';

function fakeFunction(name: string): ModelFunction {
  return {
    name,
    description: name,
    args: [],
    resultType: 'FLOAT[]',
    prepare: () => Promise.reject(new Error('not used')),
  };
}

test('names are case-insensitive, duplicates are refused, list() is sorted', () => {
  const registry = createRegistry([fakeFunction('zeta'), fakeFunction('alpha')]);
  assert.equal(registry.get('ALPHA')?.name, 'alpha');
  assert.ok(registry.has('Zeta'));
  assert.ok(!registry.has('beta'));
  assert.equal(registry.get('beta'), undefined);
  assert.throws(() => registry.register(fakeFunction('Alpha')), /'Alpha' is already registered/);
  assert.deepEqual(registry.list().map((f) => f.name), ['alpha', 'zeta']);
});

test('createUdfs registers the built-ins, exposes settings and setup SQL, and closes without starting workers', async () => {
  const udfs = createUdfs({ threads: 2 });
  try {
    assert.deepEqual(udfs.registry.list().map((f) => f.name), ['image_to_tensor', 'predict_resnet50']);
    const predict = udfs.registry.get('predict_resnet50');
    assert.deepEqual(predict?.args.map((a) => [a.name, a.optional, a.constant]), [['x', false, false], ['preprocess', true, true]]);
    assert.deepEqual(udfs.settingsSpec.map((s) => s.name), ['model_threads', 'model_workers', 'model_batch_size', 'resnet50_weights', 'model_errors', 'parquet_pages', 'arrow_group_rows', 'arrow_group_bytes', 'arrow_group_wait_ms']);
    assert.deepEqual(udfs.setup.names, ['imagenet_labels', 'imagenet_top5']);
    assert.ok(udfs.setup.sql.some((sql) => sql.includes('MACRO IF NOT EXISTS imagenet_top5')));
  } finally {
    await udfs.close();
  }
});

test('settings are validated against their ranges', () => {
  assert.equal(validateSetting('MODEL_THREADS', ' 4 '), '4');
  assert.equal(validateSetting('resnet50_weights', 'random'), 'random');
  assert.throws(() => validateSetting('model_batch_size', '-1'), /model_batch_size must be an integer from 0 to 65536, got '-1'/);
  assert.throws(() => validateSetting('model_workers', '1.5'), /model_workers must be an integer/);
  assert.throws(() => validateSetting('no_such', '1'), /unknown setting 'no_such'/);
});
