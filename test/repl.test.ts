// The interactive shell fed through a pipe (-i): statements over several lines, errors that do not end
// the session, dot commands, and the history file in $HOME. test/pty-*.test.ts drive it in a terminal.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
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

test('a semicolon inside a string or comment does not end the statement; .mode switches formats', async () => {
  const input = ["SELECT 'a;b' AS s -- not the end;", ', 2 AS n;', '.mode json', 'SELECT 5 AS x;', ''].join('\n');
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
  assert.equal(r.stderr, "Unknown command '.frobnicate'. Enter .help for the list of commands.\n");
  assert.equal(r.stdout, 'a\n1\n');
  const near = await runCli(['-i'], { input: '.tabls\n.mod csv\n' });
  assert.equal(
    near.stderr,
    "Unknown command '.tabls'. Did you mean .tables? Enter .help for the list of commands.\n" +
      "Unknown command '.mod'. Did you mean .mode? Enter .help for the list of commands.\n",
  );
});

test('.tables, .schema [TABLE] and .models', async () => {
  const input = [
    'CREATE TABLE people (id INTEGER, name VARCHAR);',
    'CREATE VIEW adults AS SELECT * FROM people;',
    '.tables',
    '.schema people',
    '.schema',
    '.schema nope',
    '.models',
    '',
  ].join('\n');
  const r = await runCli(['-i'], { input });
  const [tables, schemaOne, ...rest] = r.stdout.split('\n');
  assert.match(tables!, /^adults +people$/);
  assert.equal(schemaOne, 'CREATE TABLE people(id INTEGER, "name" VARCHAR);');
  assert.ok(rest.includes('CREATE VIEW adults AS SELECT * FROM people;'), r.stdout);
  assert.ok(rest.some((l) => /^predict_resnet50\(x FLOAT\[\] \| BLOB, \[preprocess VARCHAR constant\]\) -> FLOAT\[\]$/.test(l)), r.stdout);
  assert.ok(rest.some((l) => /^image_to_tensor\(image BLOB/.test(l)), r.stdout);
  assert.equal(r.stderr, "Error: no table or view named 'nope'\n");
});

test('.timer, .maxrows and .mode line change how results print; the time never mixes into csv', async () => {
  const input = ['.timer on', 'SELECT 1 AS a;', '.mode csv', 'SELECT 2 AS b;', '.timer off', '.mode table', '.maxrows 2', 'SELECT range AS i FROM range(5);', '.mode line', "SELECT 1 AS id, 'x' AS name;", ''].join('\n');
  const r = await runCli(['-i'], { input });
  const lines = r.stdout.split('\n');
  assert.match(lines[6]!, /^1 row · \d+\.\d{3} s$/);
  assert.deepEqual(lines.slice(7, 9), ['b', '2']);
  assert.match(r.stderr, /^Run Time: \d+\.\d{3} s\n$/);
  assert.ok(r.stdout.includes('│ 0 │\n│ · │\n│ 4 │\n'.replace(/│ (\S) │/g, '│      $1 │').replace('│      · │', '│   ·    │')), r.stdout);
  assert.ok(r.stdout.includes('5 rows (2 shown, 3 left out)\n'), r.stdout);
  assert.ok(r.stdout.endsWith('  id = 1\nname = x\n'), r.stdout);
});

test('.output FILE sends results to the file until .output; .read runs a file of SQL and dot commands', async () => {
  const dir = tempDir();
  const script = join(dir, 'script.sql');
  writeFileSync(script, "CREATE TABLE t AS SELECT 42 AS answer;\n.mode csv\nSELECT answer\n  FROM t;\n");
  const output = join(dir, 'out.csv');
  const input = [`.read ${script}`, `.output ${output}`, 'SELECT answer + 1 AS next FROM t;', '.output', 'SELECT 0 AS screen;', `.read ${join(dir, 'missing.sql')}`, ''].join('\n');
  const r = await runCli(['-i'], { input });
  assert.equal(r.stdout, 'answer\n42\nscreen\n0\n');
  assert.equal(readFileSync(output, 'utf8'), 'next\n43\n');
  assert.match(r.stderr, /^Error: cannot read '.*missing\.sql': ENOENT\n$/);
});
