// Re-emitting SQL with spans replaced: nested replacements, insertions, whitespace-normalised call keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeSql, quoteIdentifier } from '../engine/plan/sql-text.js';
import { TextEdits } from '../engine/plan/text-edits.js';

test('nested edits render inside the edit that contains them', () => {
  const source = 'SELECT f(x) FROM (SELECT f(y) FROM t) s';
  const edits = new TextEdits(source);
  const inner = source.indexOf('f(y)');
  edits.replace({ start: inner, end: inner + 4 }, 's.m1');
  const sub = source.indexOf('(SELECT');
  edits.add({ span: { start: sub, end: source.length }, text: (render) => `[${render({ start: sub, end: source.length })}]` });
  edits.replace({ start: 7, end: 11 }, 'm2');
  assert.equal(edits.render({ start: 0, end: source.length }), 'SELECT m2 FROM [(SELECT s.m1 FROM t) s]');
});

test('insertions keep their order and sit outside a replacement that ends where they start', () => {
  const source = 'SELECT * FROM t';
  const edits = new TextEdits(source);
  edits.insert(8, ' EXCLUDE (a');
  edits.insert(8, ', b)');
  edits.replace({ start: 14, end: 15 }, '(x) AS t');
  edits.insert(15, ' WHERE true');
  assert.equal(edits.render({ start: 0, end: source.length }), 'SELECT * EXCLUDE (a, b) FROM (x) AS t WHERE true');
});

test('normalizeSql collapses whitespace outside quotes only', () => {
  assert.equal(normalizeSql('f(  x ,\n y )'), 'f(x,y)');
  assert.equal(normalizeSql("f('a  b',  \"c  d\")"), "f('a  b',\"c  d\")");
  assert.equal(normalizeSql('a  AND   b'), 'a AND b');
});

test('quoteIdentifier quotes only when DuckDB needs it', () => {
  assert.equal(quoteIdentifier('image_data'), 'image_data');
  assert.equal(quoteIdentifier('select'), '"select"');
  assert.equal(quoteIdentifier('scale2(data)'), '"scale2(data)"');
  assert.equal(quoteIdentifier('a"b'), '"a""b"');
});
