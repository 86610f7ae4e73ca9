// Routing statements by their tokens: registered model calls take the model path, sqlinfer's settings
// are handled by the engine, everything else goes to DuckDB untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DuckDBListValue } from '@duckdb/node-api';
import { createEngine, routeStatement, SqlError } from '../engine/index.js';
import type { ModelFunction } from '../udfs/model-function.js';
import { createRegistry } from '../udfs/registry.js';

/** A model function that exists only in this test. */
const testModel: ModelFunction = {
  name: 'embed_test',
  description: 'test-only model function',
  args: [{ name: 'x', kinds: ['float-list'], optional: false, constant: false }],
  resultType: 'FLOAT[]',
  prepare: async () => {
    throw new Error('not run by routing tests');
  },
};
const registry = createRegistry([testModel]);

test('a statement calling a registered model function takes the model path', () => {
  for (const sql of [
    'SELECT embed_test(x) FROM t',
    'SELECT EMBED_TEST (x) FROM t;',
    'SELECT "embed_test"(x) FROM t',
    "COPY (SELECT id, embed_test(v) AS e FROM 'in.parquet') TO 'out.parquet'",
    'SELECT * FROM t WHERE list_max(embed_test(v)) > 0.5',
  ]) {
    assert.deepEqual(routeStatement(sql, registry), { kind: 'model', calls: ['embed_test'] }, sql);
  }
});

test('the same statement goes to DuckDB when the function is not registered', () => {
  assert.deepEqual(routeStatement('SELECT embed_test(x) FROM t', createRegistry()), { kind: 'duckdb' });
  assert.deepEqual(routeStatement('SELECT embed_test(x) FROM t'), { kind: 'duckdb' });
});

test('names that are not calls of a registered function go to DuckDB', () => {
  for (const sql of [
    "SELECT 'embed_test(x)' AS s",
    'SELECT 1 -- embed_test(x)',
    'SELECT /* embed_test(x) */ 1',
    'SELECT embed_test FROM t',
    'SELECT my_schema.embed_test(x) FROM t',
    'SELECT embed_test_other(x) FROM t',
  ]) {
    assert.deepEqual(routeStatement(sql, registry), { kind: 'duckdb' }, sql);
  }
});

test('every other statement goes to DuckDB', () => {
  for (const sql of [
    'DESCRIBE t',
    'SUMMARIZE t',
    'PRAGMA version',
    'CREATE TABLE t (a INTEGER)',
    "COPY t TO 'out.parquet' (FORMAT PARQUET)",
    "SELECT * FROM read_blob('images/*.jpg')",
    'SET threads = 2',
    'RESET threads',
    'SHOW TABLES',
  ]) {
    assert.deepEqual(routeStatement(sql, registry), { kind: 'duckdb' }, sql);
  }
});

test("sqlinfer's settings are intercepted: SET with = or TO, RESET, SHOW sqlinfer_settings", () => {
  assert.deepEqual(routeStatement('SET model_threads = 4'), {
    kind: 'set-setting',
    name: 'model_threads',
    value: 4,
    valueSpan: { start: 20, end: 21 },
  });
  assert.deepEqual(routeStatement('SET SESSION Model_Batch_Size TO 128;'), {
    kind: 'set-setting',
    name: 'model_batch_size',
    value: 128,
    valueSpan: { start: 32, end: 35 },
  });
  assert.equal((routeStatement("SET resnet50_weights = '/w/it''s.h5'") as { value: string }).value, "/w/it's.h5");
  assert.equal((routeStatement('SET resnet50_weights = random') as { value: string }).value, 'random');
  assert.equal((routeStatement('SET model_threads = -1') as { value: number }).value, -1);
  assert.deepEqual(routeStatement('RESET model_threads'), { kind: 'reset-setting', name: 'model_threads' });
  assert.deepEqual(routeStatement('SHOW sqlinfer_settings'), { kind: 'show-settings' });
});

test('a malformed SET of a sqlinfer setting is an error pointing at the problem', () => {
  assert.throws(
    () => routeStatement('SET model_threads 4'),
    (error: unknown) => error instanceof SqlError && error.code === 'invalid-setting' && error.format() === "Parse error at 1:19: expected = or TO after SET model_threads\nSET model_threads 4\n                  ^",
  );
  assert.throws(
    () => routeStatement('SET model_threads = 1, 2'),
    (error: unknown) => error instanceof SqlError && /expects one value/.test(error.message),
  );
});

/** A working test-only model function: doubles every element of a FLOAT[] (NULL in, NULL out). */
const doubleModel: ModelFunction = {
  name: 'double_test',
  description: 'test-only: doubles each element',
  args: [{ name: 'x', kinds: ['float-list'], optional: false, constant: false }],
  resultType: 'FLOAT[]',
  prepare: async () => ({
    description: 'double_test (in-process)',
    resultType: 'FLOAT[]',
    run: async (batch) => {
      const column = batch.columns[0]!;
      if (column.kind !== 'float-list') throw new Error(`expected a float-list column, got ${column.kind}`);
      return { kind: 'float-list', values: column.values.map((v) => v * 2), offsets: column.offsets.slice(), valid: column.valid.slice() };
    },
  }),
};

test('through the engine: a registered call runs on the model path, the same text without it goes to DuckDB', async () => {
  const sql = 'SELECT double_test(x) AS d FROM (VALUES ([1.5, 2]::FLOAT[]), (NULL)) t(x)';
  const withModel = await createEngine({ udfs: { registry: createRegistry([doubleModel]) } });
  try {
    const [result] = await withModel.run(sql);
    assert.deepEqual(
      result!.rows.map((r) => (r[0] === null ? null : (r[0] as DuckDBListValue).items)),
      [[3, 4], null],
    );
  } finally {
    await withModel.close();
  }
  const without = await createEngine();
  try {
    await assert.rejects(without.run(sql), (e: unknown) => e instanceof SqlError && e.code === 'duckdb-catalog' && /double_test/.test(e.message));
  } finally {
    await without.close();
  }
});
