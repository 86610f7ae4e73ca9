// Dot commands in scripts: on a line of their own between statements of a -f file, of piped stdin or of
// a -c argument, they change the output as in the interactive shell (and as in DuckDB's shell).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from './helpers/cli.js';

const script = [
  '-- formats change between statements',
  '.mode csv',
  "SELECT 1 AS a, 'x' AS b;",
  '  .mode line',
  'SELECT 3 AS d,',
  '  4 AS e;',
  '.mode json',
  'SELECT 5 AS f; /* a comment, then a dot command */',
  '.timer on',
  '.mode table',
  'SELECT 6 AS g;',
  '',
].join('\n');

const expected = /^a,b\n1,x\nd = 3\ne = 4\n\[\{"f":5\}\]\n[^]*│ +6 │\n[^]*1 row · \d+\.\d{3} s\n$/;

test('a -f file: .mode and .timer on their own lines apply to the statements after them', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'report.sql'), script);
  const run = await runCli(['-f', join(dir, 'report.sql')]);
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);
  assert.match(run.stdout, expected);
});

test('piped stdin and -c: the same dot commands work', async () => {
  const piped = await runCli([], { input: script });
  assert.equal(piped.stderr, '');
  assert.equal(piped.code, 0);
  assert.match(piped.stdout, expected);
  const command = await runCli(['-c', '.mode csv\nSELECT 7 AS h;']);
  assert.equal(command.code, 0, command.stderr);
  assert.equal(command.stdout, 'h\n7\n');
});

test('a line starting with . inside a statement is SQL, not a dot command', async () => {
  const run = await runCli(['--format', 'csv'], { input: 'SELECT\n.5 AS half;\n' });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'half\n0.5\n');
});

test('.read inside a script, .quit ends it with status 0, a bad dot command fails it with status 1', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'inner.sql'), '.mode csv\nSELECT 8 AS i;\n');
  const read = await runCli([], { input: `.read ${join(dir, 'inner.sql')}\nSELECT 9 AS j;\n.quit\nSELECT 10 AS never;\n` });
  assert.equal(read.code, 0, read.stderr);
  assert.equal(read.stdout, 'i\n8\nj\n9\n');
  const bad = await runCli([], { input: '.mode xml\nSELECT 1;\n' });
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^Error: unknown mode 'xml'/);
});

test('.output FILE in a script writes the results after it to FILE', async () => {
  const dir = tempDir();
  const file = join(dir, 'out.csv');
  const run = await runCli([], { input: `.mode csv\n.output ${file}\nSELECT 11 AS k;\n.output\nSELECT 12 AS l;\n` });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'l\n12\n');
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(file, 'utf8'), 'k\n11\n');
});
