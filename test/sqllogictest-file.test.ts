// The corpus script's reader of DuckDB's sqllogictest files: records, loops, conditions and requirements.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTestFile } from '../scripts/sqllogictest-file.js';

test('statements and queries with their expectations and sort modes; loops unrolled; skipif/onlyif followed', () => {
  const file = readTestFile(
    [
      '# name: x', 'require parquet', '',
      'statement ok', 'CREATE TABLE t (i INT)', '',
      'loop i 0 2', '',
      'statement ok', 'INSERT INTO t VALUES (${i})', '',
      'endloop', '',
      'foreach w a b', '',
      'query I', "SELECT '${w}'", '----', '${w}', '',
      'endloop', '',
      'skipif duckdb', 'statement ok', 'SELECT never', '',
      'onlyif duckdb', 'statement error', 'SELECT nope', '----', 'Catalog Error', '',
      'mode skip', '', 'statement ok', 'SELECT skipped', '', 'mode unskip', '',
      'query II rowsort', 'SELECT 1, 2', '----', '1', '2', '',
      'load __TEST_DIR__/x.db', '', 'restart', '',
    ].join('\n'),
  );
  assert.equal(file.runnable, true);
  const steps = file.runnable ? file.steps.map((s) => ('sql' in s ? `${s.kind}${s.expectError ? '!' : ''} ${s.sql}${s.kind === 'query' ? ` ${s.sort}` : ''}` : s.kind)) : [];
  assert.deepEqual(steps, [
    'statement CREATE TABLE t (i INT)',
    'statement INSERT INTO t VALUES (0)',
    'statement INSERT INTO t VALUES (1)',
    "query SELECT 'a' none",
    "query SELECT 'b' none",
    'statement! SELECT nope',
    'query SELECT 1, 2 rowsort',
    'load',
    'restart',
  ]);
});

test('a file needing what this machine lacks is not runnable', () => {
  assert.deepEqual(readTestFile('require httpfs\n\nstatement ok\nSELECT 1\n'), { runnable: false, reason: 'require httpfs' });
});
