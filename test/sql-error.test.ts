// Error messages are part of the interface: their positions, wording and caret lines are pinned here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStatement } from '../engine/sql/parser.js';
import { SqlError, sqlErrorAt } from '../engine/sql/sql-error.js';

function parseError(sql: string): SqlError {
  try {
    parseStatement(sql);
  } catch (e) {
    assert.ok(e instanceof SqlError, `expected a SqlError, got ${String(e)}`);
    return e;
  }
  return assert.fail(`expected ${JSON.stringify(sql)} to fail`);
}

const cases: [string, string, string][] = [
  ['SELECT * FORM t', 'unexpected-token', "Parse error at 1:10: expected FROM, found 'FORM'\nSELECT * FORM t\n         ^^^^"],
  ['SELECT a FORM t', 'unexpected-token', "Parse error at 1:10: expected FROM, found 'FORM'\nSELECT a FORM t\n         ^^^^"],
  ['SELECT * FROM t WHRE a = 1', 'unexpected-token', "Parse error at 1:17: expected WHERE, found 'WHRE'\nSELECT * FROM t WHRE a = 1\n                ^^^^"],
  [
    'SELECT a\nFROM t\nWHERE x = 1 GRUOP BY a',
    'unexpected-token',
    "Parse error at 3:13: expected GROUP, found 'GRUOP'\nWHERE x = 1 GRUOP BY a\n            ^^^^^",
  ],
  ['SELECT (1', 'unexpected-end', "Parse error at 1:10: expected ')', found end of input\nSELECT (1\n         ^"],
  ['SELECT 1 +', 'unexpected-end', 'Parse error at 1:11: expected an expression, found end of input\nSELECT 1 +\n          ^'],
  [
    'SELECT CAST(a AS) FROM t',
    'unexpected-token',
    "Parse error at 1:17: expected a type name, found ')'\nSELECT CAST(a AS) FROM t\n                ^",
  ],
  [
    'SELECT a FROM t JOIN u ON\nWHERE x',
    'unexpected-token',
    "Parse error at 2:1: expected an expression, found 'WHERE'\nWHERE x\n^^^^^",
  ],
  ["SELECT 1,\n  'abc", 'unterminated-string', "Syntax error at 2:3: unterminated string literal\n  'abc\n  ^^^^"],
  [
    'COPY (SELECT 1) TO out.parquet',
    'unexpected-token',
    "Parse error at 1:20: expected a file name string, found 'out'\nCOPY (SELECT 1) TO out.parquet\n                   ^^^",
  ],
  [
    'SELECT 1 2',
    'unexpected-token',
    "Parse error at 1:10: expected end of statement, found '2'\nSELECT 1 2\n         ^",
  ],
];

for (const [sql, code, formatted] of cases) {
  test(`error for ${JSON.stringify(sql)}`, () => {
    const error = parseError(sql);
    assert.equal(error.code, code);
    assert.equal(error.format(), formatted);
  });
}

test('a statement the parser does not know names what it expected', () => {
  const error = parseError('DESCRIBE t');
  assert.equal(error.phase, 'parse');
  assert.equal(error.detail, "expected SELECT, WITH, FROM, VALUES, COPY, CREATE TABLE, INSERT or EXPLAIN, found 'DESCRIBE'");
});

test('carets line up under tabs', () => {
  assert.equal(parseError('SELECT\ta\tFORM t').format(), "Parse error at 1:10: expected FROM, found 'FORM'\nSELECT\ta\tFORM t\n      \t \t^^^^");
});

test('the message is the headline; fields are exposed', () => {
  const error = parseError('SELECT * FORM t');
  assert.equal(error.message, "Parse error at 1:10: expected FROM, found 'FORM'");
  assert.equal(error.phase, 'parse');
  assert.equal(error.detail, "expected FROM, found 'FORM'");
  assert.deepEqual(error.span, { start: 9, end: 13 });
  assert.deepEqual(error.position, { line: 1, column: 10 });
  assert.equal(error.name, 'SqlError');
});

test('an error without a position (e.g. from DuckDB) keeps its message and cause', () => {
  const cause = new Error('Catalog Error: Table with name x does not exist!');
  const error = new SqlError({ phase: 'execute', code: 'duckdb-error', detail: cause.message, cause });
  assert.equal(error.format(), 'Execution error: Catalog Error: Table with name x does not exist!');
  assert.equal(error.cause, cause);
  assert.equal(error.position, undefined);
});

test('sqlErrorAt builds a positioned error; rebase moves it into the whole script', () => {
  const statement = 'SELECT nope';
  const error = sqlErrorAt('plan', 'model-not-found', "unknown model function 'nope'", statement, { start: 7, end: 11 });
  assert.equal(error.format(), "Plan error at 1:8: unknown model function 'nope'\nSELECT nope\n       ^^^^");
  const script = 'SELECT 1;\nSELECT nope';
  assert.equal(
    error.rebase(script, 10).format(),
    "Plan error at 2:8: unknown model function 'nope'\nSELECT nope\n       ^^^^",
  );
});

test('a span over several lines underlines to the end of its first line', () => {
  const error = sqlErrorAt('parse', 'unexpected-token', 'bad', 'SELECT (1 +\n 2)', { start: 7, end: 15 });
  assert.equal(error.format(), 'Parse error at 1:8: bad\nSELECT (1 +\n       ^^^^');
});
