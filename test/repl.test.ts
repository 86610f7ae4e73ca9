// The interactive shell fed through a pipe (-i): statements over several lines, errors that do not end
// the session, dot commands, and the history file in $HOME.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from './helpers/cli.js';

test('a piped session: multi-line statement, a failure then a working statement, .help, .quit', async () => {
  const home = tempDir('sqlinfer-home-');
  const input = [
    'SELECT',
    '  1 AS a,',
    "  'two' AS b;",
    'SELECT * FROM missing_table;',
    'SELECT 3 AS c;',
    '.help',
    '.quit',
    'SELECT 4 AS never;',
    '',
  ].join('\n');
  const r = await runCli(['-i', '--format', 'csv'], { input, home });
  assert.equal(r.code, 0);
  const [results, help] = r.stdout.split('.help');
  assert.equal(results, 'a,b\n1,two\nc\n3\n');
  assert.match(help!, /show this help/);
  assert.match(help!, /\.quit/);
  assert.doesNotMatch(r.stdout, /never/);
  assert.match(r.stderr, /^Execution error at 1:15: Catalog Error: Table with name missing_table does not exist!/);
  assert.equal(
    readFileSync(join(home, '.sqlinfer_history'), 'utf8'),
    "SELECT 1 AS a, 'two' AS b;\nSELECT * FROM missing_table;\nSELECT 3 AS c;\n.help\n.quit\n",
  );
});

test('a semicolon inside a string or comment does not end the statement; .format switches formats', async () => {
  const input = ["SELECT 'a;b' AS s -- not the end;", ', 2 AS n;', '.format json', 'SELECT 5 AS x;', ''].join('\n');
  const r = await runCli(['--interactive', '--format', 'csv'], { input });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 's,n\na;b,2\n[{"x":5}]\n');
  assert.equal(r.code, 0);
});

test('the session ends at end of input (Ctrl-D) and runs a last statement without ;', async () => {
  const r = await runCli(['-i', '--format', 'csv'], { input: 'SELECT 1 AS a;\nSELECT 2 AS b' });
  assert.equal(r.stdout, 'a\n1\nb\n2\n');
  assert.equal(r.code, 0);
});

test('unknown dot commands are reported and the session goes on', async () => {
  const r = await runCli(['-i', '--format', 'csv'], { input: '.frobnicate\nSELECT 1 AS a;\n' });
  assert.match(r.stderr, /unknown command '\.frobnicate'/);
  assert.equal(r.stdout, 'a\n1\n');
});
