// A model function's name used as a table alias, a CTE name, a table or a macro is not a call: such
// statements go to DuckDB unchanged, and the statements after them run (they used to end the script
// silently with status 0, and hang the shell).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { routeStatement } from '../engine/index.js';
import { createRegistry } from '../udfs/registry.js';
import type { ModelFunction } from '../udfs/model-function.js';
import { cliPath, runCli, tempDir } from './helpers/cli.js';
import { linearModel } from './helpers/onnx-model-fixtures.js';

const statements = [
  'SELECT n FROM range(3) AS predict_resnet50(n);',
  'SELECT count(*) AS c FROM range(2) predict_resnet50(n);',
  'WITH predict_resnet50(a) AS (SELECT 1) SELECT a FROM predict_resnet50;',
  'WITH x AS (SELECT 1), predict_resnet50(a) AS MATERIALIZED (SELECT 2) SELECT a FROM predict_resnet50;',
  'CREATE TABLE predict_resnet50(a INT);',
  'INSERT INTO predict_resnet50(a) VALUES (7);',
  "SELECT 'after' AS last;",
];

test('through the binary: a model name as alias, CTE or table goes to DuckDB and the script goes on', async () => {
  const run = await runCli(['--format', 'csv', '-c', statements.join('\n')], { timeoutMs: 60000 });
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);
  assert.equal(run.stdout, 'n\n0\n1\n2\nc\n2\na\n1\na\n2\nlast\nafter\n');
});

test('piped into the shell, the same statements run and the shell ends', async () => {
  const run = await runCli(['--format', 'csv'], { input: statements.join('\n'), timeoutMs: 60000 });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /last\nafter\n$/);
});

test('a user model (CREATE MODEL lin) as an alias, a CTE and a table name goes to DuckDB', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'linear.onnx'), linearModel());
  const sql = [
    `CREATE MODEL lin FROM '${join(dir, 'linear.onnx')}';`,
    'SELECT n FROM range(2) AS lin(n);',
    'WITH lin(a) AS (SELECT 5) SELECT a FROM lin;',
    'CREATE TABLE lin(a INT);',
    "SELECT 'after' AS last;",
  ].join('\n');
  const run = await runCli(['--format', 'csv', '-c', sql], { timeoutMs: 60000 });
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);
  assert.equal(run.stdout, 'n\n0\n1\na\n5\nlast\nafter\n');
});

const testModel: ModelFunction = {
  name: 'lin',
  description: 'test-only',
  args: [{ name: 'x', kinds: ['float-list'], optional: false, constant: false }],
  resultType: 'FLOAT[]',
  prepare: async () => {
    throw new Error('not run by routing tests');
  },
};
const registry = createRegistry([testModel]);

test('routing: relation names are not calls, calls in every expression position still are', () => {
  for (const sql of [
    'SELECT n FROM range(3) AS lin(n)',
    'SELECT n FROM range(3) lin(n)',
    'SELECT * FROM t lin(a)',
    'SELECT * FROM "t" lin(a)',
    'WITH lin(a) AS (SELECT 1) SELECT * FROM lin',
    'WITH RECURSIVE lin(a) AS (SELECT 1) SELECT * FROM lin',
    'WITH x AS (SELECT 1), lin(a) AS (SELECT 2) SELECT * FROM lin',
    'WITH x AS (SELECT 1), lin(a) AS NOT MATERIALIZED (SELECT 2) SELECT * FROM lin',
    'CREATE TABLE lin(a INT)',
    'CREATE TABLE IF NOT EXISTS lin(a INT)',
    'CREATE VIEW lin(a) AS SELECT 1',
    'CREATE MACRO lin(a) AS a + 1',
    'INSERT INTO lin(a) VALUES (1)',
    'CREATE INDEX i ON lin(a)',
    'CREATE TABLE t(a INT REFERENCES lin(a))',
    "COPY lin(a) FROM 'x.csv'",
    'SELECT CAST(x AS lin(3))',
  ]) {
    assert.deepEqual(routeStatement(sql, registry), { kind: 'duckdb' }, sql);
  }
  for (const sql of [
    'SELECT lin(x) FROM t',
    'SELECT 1, lin(x) AS y FROM t',
    'SELECT * FROM t ORDER BY lin(x)',
    'SELECT * FROM t WHERE y BETWEEN lin(x) AND 2',
    'SELECT * FROM t WHERE NOT lin(x)',
    'SELECT * FROM a JOIN b ON lin(x) = 1',
    'SELECT CASE WHEN true THEN lin(x) ELSE lin(y) END FROM t',
    'SELECT (lin(x)) FROM t',
    'SELECT * FROM lin(x)',
    'WITH q AS (SELECT lin(x) FROM t) SELECT * FROM q',
  ]) {
    assert.deepEqual(routeStatement(sql, registry), { kind: 'model', calls: ['lin'] }, sql);
  }
});

test('a statement that never finishes nor fails ends the command with an error and status 1, not 0', () => {
  // Stands for any engine bug that leaves a promise pending: Node would otherwise end the process
  // with status 0 once nothing else is left to do.
  const dir = tempDir();
  const preload = join(dir, 'never-settles.mjs');
  const engineUrl = new URL('../engine/engine.js', import.meta.url).href;
  writeFileSync(preload, `import { Engine } from '${engineUrl}';\nEngine.prototype.stream = async function* () { await new Promise(() => {}); };\n`);
  const run = spawnSync(process.execPath, ['--import', preload, cliPath, '-c', 'SELECT 1'], { encoding: 'utf8', timeout: 60000, env: { ...process.env, HOME: dir } });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /internal error: a statement stopped without finishing or failing/);
});
