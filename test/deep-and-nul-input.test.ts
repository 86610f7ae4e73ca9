// Hostile input through the binary: NUL bytes and expressions nested far too deep give an error with a
// position and status 1, never a crash (stack overflow, "Error in native callback") nor a statement
// that DuckDB ran cut short at the NUL; with and without a model call in the statement.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from './helpers/cli.js';

const crash = /RangeError|Maximum call stack|native callback/;

async function runFile(name: string, text: string) {
  const cwd = tempDir();
  writeFileSync(join(cwd, name), text);
  const run = await runCli(['-f', name, '--format', 'csv'], { cwd, timeoutMs: 120000 });
  assert.doesNotMatch(run.stderr, crash);
  assert.equal(run.code, 1, run.stderr);
  return run;
}

test('a NUL byte is a syntax error at its line and column, and nothing after it runs', async () => {
  const plain = await runFile('nul.sql', "CREATE TABLE t (a INT);\nDELETE FROM t\0 WHERE a = 1;\nSELECT 'never';\n");
  assert.equal(plain.stdout, '');
  assert.match(plain.stderr, /^nul\.sql:2:14: Syntax error: NUL character \(U\+0000\) in the statement/);
  const quoted = await runFile('quoted.sql', "SELECT 'a\0b' AS s;\n");
  assert.match(quoted.stderr, /^quoted\.sql:1:10: Syntax error: NUL character/);
  const model = await runFile('model.sql', 'SELECT predict_resnet50(\0data) FROM t;\n');
  assert.match(model.stderr, /^model\.sql:1:25: Syntax error: NUL character/);
  const piped = await runCli(['--format', 'csv'], { input: 'SELECT 1\0 AS one;\n' });
  assert.equal(piped.code, 1);
  assert.equal(piped.stdout, '');
  assert.match(piped.stderr, /^Syntax error at 1:9: NUL character/);
});

test('100000 nested parentheses in a model call are a parse error at the parenthesis past the limit', async () => {
  const depth = 100000;
  const run = await runFile('deep.sql', `SELECT 1;\nSELECT predict_resnet50(${'('.repeat(depth)}x${')'.repeat(depth)}) FROM t;\n`);
  assert.match(run.stderr, /^deep\.sql:2:\d+: Parse error: expression nested more than 1000 levels deep/);
  const plain = await runFile('plain.sql', `SELECT ${'('.repeat(depth)}1${')'.repeat(depth)};\n`);
  assert.match(plain.stderr, /^plain\.sql:1:\d+: Execution error: Parser Error/);
});

test('a chain of 200000 terms is a parse error at the operator past the limit, with or without a model call', async () => {
  const chain = Array(200000).fill('1').join('+');
  const model = await runFile('chain.sql', `SELECT predict_resnet50(x) + ${chain} FROM t;\n`);
  assert.match(model.stderr, /^chain\.sql:1:\d+: Parse error: expression nested more than 1000 levels deep/);
  const inArgument = await runFile('arg.sql', `SELECT predict_resnet50(${chain}) FROM t;\n`);
  assert.match(inArgument.stderr, /^arg\.sql:1:\d+: Parse error: expression nested more than 1000 levels deep/);
  const plain = await runFile('plain.sql', `SELECT ${chain};\n`);
  assert.match(plain.stderr, /^plain\.sql:1: Execution error: Parser Error: Max expression depth limit of 1000 exceeded/);
});

test('1000 subqueries nested in FROM around a model call are a parse error, with or without the call', async () => {
  const nested = `${'(SELECT * FROM '.repeat(1000)}range(1)${') t'.repeat(1000)}`;
  const model = await runFile('from.sql', `SELECT predict_resnet50([1.0]::FLOAT[]) FROM ${nested};\n`);
  assert.match(model.stderr, /^from\.sql:1:\d+: Parse error: (statement nested too deeply to parse|expression nested more than 1000 levels deep)/);
  const plain = await runFile('plain.sql', `SELECT 1 FROM ${nested};\n`);
  assert.match(plain.stderr, /^plain\.sql:1: Execution error: Parser Error: Max expression depth limit of 1000 exceeded/);
});
