// DuckDB's error messages as SqlErrors: codes from DuckDB's error kinds, and the `LINE n:` position
// mapped back to the statement's text (also when DuckDB shortened the line with "...").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { duckdbError } from '../engine/exec/duckdb-error.js';

test('the LINE block becomes a position in the source, the rest of the message is kept', () => {
  const source = 'SELECT 1;\nSELECT *\n  FROM nope';
  const statement = source.slice(10);
  const error = duckdbError(
    new Error('Catalog Error: Table with name nope does not exist!\nDid you mean "pg_enum"?\n\nLINE 2:   FROM nope\n               ^'),
    statement,
  ).rebase(source, 10);
  assert.equal(error.code, 'duckdb-catalog');
  assert.deepEqual(error.position, { line: 3, column: 8 });
  assert.equal(
    error.format(),
    'Execution error at 3:8: Catalog Error: Table with name nope does not exist!\nDid you mean "pg_enum"?\n  FROM nope\n       ^^^^',
  );
});

test('a line DuckDB shortened with "..." is still located', () => {
  const statement = `SELECT ${'a'.repeat(120)} AS x, zzz AS e, ${'b'.repeat(120)} AS y`;
  const error = duckdbError(
    new Error(`Binder Error: Referenced column "zzz" not found\n\nLINE 1: ...${'a'.repeat(40)} AS x, zzz AS e, ${'b'.repeat(40)}...\n${' '.repeat(8 + 3 + 40 + 7)}^`),
    statement,
  );
  assert.equal(error.span?.start, statement.indexOf('zzz'));
  assert.equal(error.span?.end, statement.indexOf('zzz') + 3);
});

test('without the user text, or when the context is not found, no position is invented', () => {
  const message = 'Parser Error: syntax error at or near "x"\n\nLINE 1: SELECT __sqlinfer_t1 x\n                              ^';
  const generated = duckdbError(new Error(message));
  assert.equal(generated.span, undefined);
  assert.equal(generated.detail, 'Parser Error: syntax error at or near "x"');
  const elsewhere = duckdbError(new Error(message), 'SELECT something else');
  assert.equal(elsewhere.span, undefined);
  assert.equal(elsewhere.detail, message);
});

test('codes name DuckDB error kinds; an interrupt is "interrupted"; the stream prefix is dropped', () => {
  assert.equal(duckdbError(new Error('INTERRUPT Error: Interrupted!')).code, 'interrupted');
  assert.equal(duckdbError(new Error('Invalid Input Error: bad')).code, 'duckdb-invalid-input');
  const parser = duckdbError(new Error('Failed to extract statements: Parser Error: syntax error at end of input'));
  assert.equal(parser.code, 'duckdb-parser');
  assert.equal(parser.message, 'Execution error: Parser Error: syntax error at end of input');
  assert.equal(duckdbError('odd').code, 'duckdb-error');
});
