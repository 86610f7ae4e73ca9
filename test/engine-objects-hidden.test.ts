// The engine's own objects (the ImageNet macros, the staged rows of a model statement) never show among
// the user's tables or in EXPORT DATABASE, and an exported database imports again; the macros still work,
// and are made only when named, so the catalog's object ids stay DuckDB's own until then.
import { DuckDBInstance } from '@duckdb/node-api';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEngine, createUdfs } from '../engine/index.js';
import { runCli, tempDir } from './helpers/cli.js';
import { identityModel, linearModel } from './helpers/onnx-model-fixtures.js';

const listings = [
  'SHOW TABLES;',
  'SELECT count(*) AS tables FROM duckdb_tables();',
  'SELECT count(*) AS info FROM information_schema.tables;',
  "SELECT count(*) AS dbs FROM duckdb_databases() WHERE NOT internal AND database_name <> 'memory';",
];

test('SHOW TABLES, duckdb_tables(), information_schema and EXPORT DATABASE hold only the user\'s table', async () => {
  const dir = tempDir();
  const exported = join(dir, 'export');
  const sql = ['CREATE TABLE t AS SELECT 1 AS i;', ...listings, `EXPORT DATABASE '${exported}';`].join('\n');
  const run = await runCli(['--format', 'csv', '-c', sql], { timeoutMs: 60000 });
  assert.equal(run.stderr, '');
  assert.equal(run.stdout, 'name\nt\ntables\n1\ninfo\n1\ndbs\n0\n');
  assert.doesNotMatch(readFileSync(join(exported, 'schema.sql'), 'utf8') + readFileSync(join(exported, 'load.sql'), 'utf8'), /imagenet/);

  const imported = await runCli(['--format', 'csv', '-c', `IMPORT DATABASE '${exported}'; SELECT i FROM t;`], { timeoutMs: 60000 });
  assert.equal(imported.stderr, '');
  assert.equal(imported.stdout, 'i\n1\n');
});

test('imagenet_top5 and imagenet_labels() still work', async () => {
  const sql = [
    'SELECT count(*) AS n, max(idx) AS top FROM imagenet_labels();',
    'SELECT imagenet_top5(list_transform(range(1000), i -> CASE WHEN i = 985 THEN 1 ELSE 0 END::FLOAT))[1].label AS best;',
  ].join('\n');
  const run = await runCli(['--format', 'csv', '-c', sql], { timeoutMs: 60000 });
  assert.equal(run.stderr, '');
  assert.equal(run.stdout, 'n,top\n1000,999\nbest\ndaisy\n');
});

test('after a model statement, no staged table or staging database is left to list', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'linear.onnx'), linearModel());
  const sql = [
    `CREATE MODEL lin FROM '${join(dir, 'linear.onnx')}';`,
    'CREATE TABLE t AS SELECT [1, 2, 3]::FLOAT[] AS x;',
    'SELECT len(lin(x)) AS n FROM t;',
    ...listings,
  ].join('\n');
  const run = await runCli(['--format', 'csv', '-c', sql], { timeoutMs: 60000 });
  assert.equal(run.stderr, '');
  // sqlinfer_models is the user's model catalog, kept in the database on purpose (CREATE MODEL).
  assert.equal(run.stdout, 'n\n2\nname\nsqlinfer_models\nt\ntables\n2\ninfo\n2\ndbs\n0\n');
});

test('a model statement over a listing of the catalog lists only the user\'s objects, as DuckDB would', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'identity.onnx'), identityModel());
  const sql = [
    `CREATE MODEL m FROM '${join(dir, 'identity.onnx')}';`,
    'CREATE TABLE t AS SELECT 1 AS i;',
    'SELECT name, m(0.5) AS v FROM (SHOW ALL TABLES) ORDER BY name;',
    'SELECT database_name, m(0.5) AS v FROM (SHOW SCHEMAS);',
    'SELECT count(*) AS n, min(m(0.5)) AS v FROM duckdb_tables();',
    'SELECT table_name, m(0.5) AS v FROM information_schema.tables ORDER BY table_name;',
  ].join('\n');
  const run = await runCli(['--format', 'csv', '-c', sql], { timeoutMs: 60000 });
  assert.equal(run.stderr, '');
  assert.equal(
    run.stdout,
    'name,v\nsqlinfer_models,0.5\nt,0.5\ndatabase_name,v\nmemory,0.5\nn,v\n2,0.5\ntable_name,v\nsqlinfer_models,0.5\nt,0.5\n',
  );
});

test("the catalog's object ids are DuckDB's own until a statement names a macro; a rollback does not lose the macros", async () => {
  const plain = await DuckDBInstance.create(':memory:');
  const connection = await plain.connect();
  const catalog = ['CREATE SEQUENCE s;', 'CREATE TABLE t (i INTEGER);', 'CREATE INDEX ti ON t (i);', 'SELECT seqrelid, indexrelid, indrelid FROM pg_sequence, pg_index;'];
  for (const sql of catalog.slice(0, -1)) await connection.run(sql);
  const ids = (await connection.runAndReadAll(catalog.at(-1)!)).getRowsJS();
  connection.closeSync();
  plain.closeSync();

  const engine = await createEngine({ udfs: createUdfs({ threads: 1 }) });
  try {
    const results = await engine.run(catalog.join('\n'));
    assert.deepEqual(results.at(-1)!.rows, ids);
    const top = "SELECT imagenet_top5(list_transform(range(1000), i -> (i = 985)::INTEGER::FLOAT))[1].label AS best";
    const [, inside, , after] = await engine.run(`BEGIN; ${top}; ROLLBACK; ${top};`);
    assert.deepEqual([inside!.rows, after!.rows], [[['daisy']], [['daisy']]]);
  } finally {
    await engine.close();
  }
});
