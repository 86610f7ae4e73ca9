import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lex, tokenize, type Token } from '../engine/sql/lexer.js';
import { SqlError } from '../engine/sql/sql-error.js';

const shape = (tokens: Token[]): string[] => tokens.filter((t) => t.kind !== 'eof').map((t) => `${t.kind} ${t.text}`);

test('string literals keep doubled quotes inside one token', () => {
  assert.deepEqual(shape(tokenize("'it''s' ''")), ["string 'it''s'", "string ''"]);
});

test('E-strings take backslash escapes, including an escaped quote', () => {
  assert.deepEqual(shape(tokenize("E'a\\'b' e'\\n'")), ["escape-string E'a\\'b'", "escape-string e'\\n'"]);
});

test('dollar-quoted strings, plain and tagged, hold quotes, semicolons and other tags', () => {
  assert.deepEqual(shape(tokenize("$$it's; fine$$ $fn$ body $$ inner $$ $fn$")), [
    "dollar-string $$it's; fine$$",
    'dollar-string $fn$ body $$ inner $$ $fn$',
  ]);
});

test('quoted identifiers with doubled quotes', () => {
  assert.deepEqual(shape(tokenize('"a ""b"" c" "select"')), ['quoted-identifier "a ""b"" c"', 'quoted-identifier "select"']);
});

test('comments are set aside, nested block comments included', () => {
  const result = lex('a -- line ; comment\n/* block /* nested */ still */ b');
  assert.deepEqual(shape(result.tokens), ['word a', 'word b']);
  assert.deepEqual(
    result.comments.map((c) => c.text),
    ['-- line ; comment', '/* block /* nested */ still */'],
  );
});

test('numbers: integers, decimals, leading dot, exponents, separators', () => {
  assert.deepEqual(shape(tokenize('1 1.5 .5 1. 1e-3 2E+10 1_000')), [
    'number 1',
    'number 1.5',
    'number .5',
    'number 1.',
    'number 1e-3',
    'number 2E+10',
    'number 1_000',
  ]);
});

test('0x1F is the number 0 followed by the word x1F, as DuckDB reads it', () => {
  assert.deepEqual(shape(tokenize('0x1F')), ['number 0', 'word x1F']);
});

test('parameters: ?, $1 and $name', () => {
  assert.deepEqual(shape(tokenize('? $1 $name ?2')), ['parameter ?', 'parameter $1', 'parameter $name', 'parameter ?2']);
});

test('operators take the longest match', () => {
  const ops = ':: -> ->> ** // || @ ^ % << >> & | ~ ! = == != <> < <= > >= := => ~~ !~~ @> <@ &&';
  assert.deepEqual(
    tokenize(ops).filter((t) => t.kind !== 'eof').map((t) => t.text),
    ops.split(' '),
  );
});

test('a sign after an operator is its own token', () => {
  assert.deepEqual(shape(tokenize('a<=-1 b*-2')), [
    'word a',
    'operator <=',
    'operator -',
    'number 1',
    'word b',
    'operator *',
    'operator -',
    'number 2',
  ]);
});

test('punctuation', () => {
  assert.deepEqual(
    tokenize('( ) [ ] { } , ; . :').filter((t) => t.kind !== 'eof').map((t) => t.kind),
    ['(', ')', '[', ']', '{', '}', ',', ';', '.', ':'],
  );
});

test('keywords are plain words with their case kept; names may contain $ and non-ASCII letters', () => {
  assert.deepEqual(shape(tokenize('SeLeCt name, données, a$b')), [
    'word SeLeCt',
    'word name',
    ', ,',
    'word données',
    ', ,',
    'word a$b',
  ]);
});

test('every token spans its exact text and the stream ends with eof', () => {
  const source = "SELECT  x::INT[] AS \"y\" -- c\nFROM 't.parquet' WHERE z >= 1e3;";
  const tokens = tokenize(source);
  for (const t of tokens) assert.equal(source.slice(t.start, t.end), t.text);
  assert.deepEqual(tokens.at(-1), { kind: 'eof', text: '', start: source.length, end: source.length });
});

function lexError(source: string): SqlError {
  const { error } = lex(source);
  assert.ok(error instanceof SqlError);
  assert.throws(() => tokenize(source), SqlError);
  return error;
}

test('an unterminated string is a lex error at its opening quote', () => {
  const error = lexError("SELECT 1,\n  'abc");
  assert.equal(error.phase, 'lex');
  assert.equal(error.code, 'unterminated-string');
  assert.deepEqual(error.position, { line: 2, column: 3 });
  assert.equal(lex("SELECT 'abc").unterminatedAt, 7);
});

test('unterminated E-strings, dollar strings, quoted identifiers and comments', () => {
  assert.equal(lexError("SELECT E'a\\'").code, 'unterminated-string');
  assert.equal(lexError('SELECT $$abc').code, 'unterminated-string');
  assert.equal(lexError('SELECT "abc').code, 'unterminated-identifier');
  const comment = lexError('SELECT 1 /* a /* b */');
  assert.equal(comment.code, 'unterminated-comment');
  assert.equal(comment.span?.start, 9);
});

test('an unknown character is a lex error naming it', () => {
  const error = lexError('SELECT `x`');
  assert.equal(error.code, 'unexpected-character');
  assert.equal(error.detail, "unexpected character '`'");
  assert.deepEqual(error.span, { start: 7, end: 8 });
});
