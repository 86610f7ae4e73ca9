// The model statements' parser and routing: what each statement parses to, and where syntax errors point.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeStatement } from '../engine/router.js';
import { parseModelStatement } from '../engine/sql/model-catalog-syntax.js';
import { SqlError } from '../engine/sql/sql-error.js';

test('model statements route to the catalog; DuckDB statements that look alike do not', () => {
  for (const sql of ['CREATE MODEL m FROM \'a.onnx\'', 'create or replace model m from \'a\'', 'DROP MODEL IF EXISTS m', 'SHOW MODELS;', 'DESCRIBE MODEL m', 'desc model m']) {
    assert.equal(routeStatement(sql).kind, 'model-catalog', sql);
  }
  for (const sql of ['DESCRIBE model', 'SHOW models_table', 'SHOW TABLES', 'CREATE TABLE model (a INT)', 'DROP TABLE model', 'SELECT * FROM model']) {
    assert.equal(routeStatement(sql).kind, 'duckdb', sql);
  }
});

test('CREATE MODEL parses its name, path and options with their spans', () => {
  const sql = `CREATE OR REPLACE MODEL "My Model" FROM 'm.onnx' WITH (batch_size => 8, output := 'y', threads = -1, flag => true)`;
  const s = parseModelStatement(sql);
  assert.equal(s.kind, 'CreateModel');
  if (s.kind !== 'CreateModel') return;
  assert.equal(s.orReplace, true);
  assert.equal(s.name, 'my model');
  assert.equal(sql.slice(s.nameSpan.start, s.nameSpan.end), '"My Model"');
  assert.equal(s.path, 'm.onnx');
  assert.deepEqual(
    s.options.map((o) => [o.name, o.value, sql.slice(o.valueSpan.start, o.valueSpan.end)]),
    [
      ['batch_size', 8, '8'],
      ['output', 'y', "'y'"],
      ['threads', -1, '-1'],
      ['flag', true, 'true'],
    ],
  );
  assert.deepEqual(parseModelStatement('DROP MODEL IF EXISTS x;'), { kind: 'DropModel', ifExists: true, name: 'x', nameSpan: { start: 21, end: 22 } });
});

test('syntax errors point at the token at fault', () => {
  const at = (sql: string, token: string, pattern: RegExp) => {
    assert.throws(() => parseModelStatement(sql), (error: unknown) => {
      assert.ok(error instanceof SqlError);
      assert.match(error.message, pattern);
      assert.equal(sql.slice(error.span!.start, error.span!.end), token, sql);
      return true;
    });
  };
  at(`CREATE MODEL m 'a.onnx'`, `'a.onnx'`, /expected FROM, found ''a\.onnx''/);
  at(`CREATE MODEL s.m FROM 'a'`, '.', /a model name has one part/);
  at(`CREATE MODEL m FROM 'a' WITH (x => 1`, '', /expected , or \) in the options, found the end of the statement/);
  at(`CREATE MODEL m FROM 'a' WITH (x => 1, x => 2)`, 'x', /option x is given twice/);
  at(`DROP MODEL m extra`, 'extra', /expected the end of the statement, found 'extra'/);
  at(`CREATE OR REPLACE MODEL IF NOT EXISTS m FROM 'a'`, 'EXISTS', /OR REPLACE and IF NOT EXISTS cannot be used together/);
});
