import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCompleteInput, splitStatements } from '../engine/sql/split-statements.js';

const texts = (source: string): string[] => splitStatements(source).map((s) => s.text);

test('splits on top-level semicolons and reports where each statement sits', () => {
  const source = 'SELECT 1;\n  SELECT 2 ;SELECT 3';
  const parts = splitStatements(source);
  assert.deepEqual(parts.map((p) => p.text), ['SELECT 1', 'SELECT 2', 'SELECT 3']);
  for (const p of parts) assert.equal(source.slice(p.span.start, p.span.end), p.text);
  assert.deepEqual(parts[1]!.span, { start: 12, end: 20 });
});

test('semicolons inside strings, identifiers, comments and dollar quotes do not split', () => {
  const source = [
    "SELECT 'a;b', E'c\\';d'",
    'SELECT "x;y" FROM t',
    'SELECT 1 -- not; here\n + 1',
    'SELECT /* ; */ 2',
    'SELECT $$;$$, $q$ ; $q$',
  ].join(';\n');
  assert.equal(texts(source).length, 5);
  assert.equal(texts(source)[2], 'SELECT 1 -- not; here\n + 1');
});

test('empty statements and comment-only statements are dropped', () => {
  assert.deepEqual(texts(';; -- nothing\n ; /* still nothing */ ;SELECT 1;;'), ['SELECT 1']);
  assert.deepEqual(texts('   '), []);
  assert.deepEqual(texts('-- only a comment'), []);
});

test('comments around a statement are not part of its text', () => {
  assert.deepEqual(texts('-- load\nSELECT 1 /* trailing */;'), ['SELECT 1']);
});

test('an unterminated string does not throw: the rest is one incomplete statement', () => {
  const source = "SELECT 1; SELECT 'abc; SELECT 2";
  assert.deepEqual(texts(source), ['SELECT 1', "SELECT 'abc; SELECT 2"]);
  assert.deepEqual(texts("SELECT 1; -- c\n'open"), ['SELECT 1', "'open"]);
});

test('an unknown character does not stop splitting', () => {
  assert.deepEqual(texts('SELECT `a`; SELECT 2'), ['SELECT `a`', 'SELECT 2']);
});

test('isCompleteInput: a top-level semicolon at the end completes the input', () => {
  assert.equal(isCompleteInput('SELECT 1;'), true);
  assert.equal(isCompleteInput('SELECT 1;  -- done\n'), true);
  assert.equal(isCompleteInput('SELECT 1; /* c */'), true);
  assert.equal(isCompleteInput('SELECT 1; SELECT 2'), false);
  assert.equal(isCompleteInput('SELECT 1'), false);
  assert.equal(isCompleteInput(''), false);
  assert.equal(isCompleteInput('-- ;'), false);
});

test('isCompleteInput: open strings, identifiers, comments and dollar quotes continue', () => {
  assert.equal(isCompleteInput("SELECT 'a;"), false);
  assert.equal(isCompleteInput('SELECT "a;'), false);
  assert.equal(isCompleteInput('SELECT 1 /* ;'), false);
  assert.equal(isCompleteInput('SELECT $$ ;'), false);
  assert.equal(isCompleteInput("SELECT 'a;\n';"), true);
});

test('each statement carries its own tokens and lexical error, with offsets in its text', () => {
  const [first, second] = splitStatements("SELECT 1; -- note\n  SELECT 'x' || 'y");
  assert.deepEqual(
    first!.lexed.tokens.map((t) => [t.kind, t.text, t.start]),
    [['word', 'SELECT', 0], ['number', '1', 7], ['eof', '', 8]],
  );
  assert.equal(first!.lexed.error, null);
  assert.equal(second!.text, "SELECT 'x' || 'y");
  assert.deepEqual(second!.lexed.tokens.slice(0, 2).map((t) => [t.text, t.start]), [['SELECT', 0], ["'x'", 7]]);
  assert.equal(second!.lexed.error?.code, 'unterminated-string');
  assert.equal(second!.lexed.error?.span?.start, 14);
  assert.equal(second!.lexed.error?.source, second!.text);
});

test('every statement gets the first lexical error of its own text, not only the first of the script', () => {
  const [first, second] = splitStatements("SELECT `a`; SELECT 'abc");
  assert.equal(first!.lexed.error?.code, 'unexpected-character');
  assert.equal(second!.lexed.error?.code, 'unterminated-string');
  assert.deepEqual(second!.lexed.error?.span, { start: 7, end: 11 });
});

test('each statement as written: from the previous `;` through its own, the last one to the end of the script', () => {
  const written = (source: string) => splitStatements(source).map((s) => s.written.text);
  assert.deepEqual(written('SELECT 1; /* c */\n SELECT 2; -- tail\n'), ['SELECT 1;', ' /* c */\n SELECT 2; -- tail\n']);
  assert.deepEqual(written(';;SELECT 1;; -- after'), ['SELECT 1;']);
  assert.deepEqual(written('-- head\nSELECT 1 -- no semicolon'), ['-- head\nSELECT 1 -- no semicolon']);
  const source = 'SELECT 1;\n-- two\nSELECT 2;';
  for (const s of splitStatements(source)) assert.equal(source.slice(s.written.start, s.written.start + s.written.text.length), s.written.text);
});
