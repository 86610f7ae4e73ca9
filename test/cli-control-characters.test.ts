// Table, line and markdown output never pass control characters from the data or the column names to
// the terminal (ESC sequences could clear or retitle it): they are shown as escapes. csv and json keep
// the data exact (JSON escapes C0 controls by its own rules).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';

// A window-title OSC ended by BEL, a clear-screen CSI, a carriage return, a backspace, DEL, and C1's CSI.
const value = "chr(27) || ']0;pwned' || chr(7) || 'a' || chr(27) || '[2J' || chr(13) || 'b' || chr(8) || chr(127) || chr(155) || 'c' || chr(10) || 'd'";
const raw = '\x1b]0;pwned\x07a\x1b[2J\rb\b\x7f\x9bc\nd';
const shown = String.raw`\x1b]0;pwned\x07a\x1b[2J\rb\x08\x7f\x9bc\nd`;
const sql = `SELECT ${value} AS "name\x1b[2J", [${value}] AS l`;
// Every control character except the line ends the format writes itself.
const controls = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

for (const format of ['table', 'line', 'markdown']) {
  test(`${format}: control characters in values and column names are shown escaped`, async () => {
    const r = await runCli(['--format', format, '-c', sql]);
    assert.equal(r.stderr, '');
    assert.doesNotMatch(r.stdout, controls);
    assert.ok(r.stdout.includes(shown), r.stdout);
    assert.ok(r.stdout.includes(String.raw`name\x1b[2J`), r.stdout);
    assert.ok(r.stdout.includes(`['${shown}']`), r.stdout);
  });
}

test('.mode line in the shell escapes them too', async () => {
  const r = await runCli(['-i'], { input: `.mode line\n${sql};\n` });
  assert.equal(r.stderr, '');
  assert.doesNotMatch(r.stdout, controls);
  assert.ok(r.stdout.includes(`name\\x1b[2J = ${shown}\n`), r.stdout);
});

test('csv and json keep the characters exact', async () => {
  const csv = await runCli(['--format', 'csv', '-c', sql]);
  assert.equal(csv.stdout, `name\x1b[2J,l\n"${raw}","['${raw}']"\n`);
  const json = await runCli(['--format', 'json', '-c', sql]);
  assert.deepEqual(JSON.parse(json.stdout), [{ 'name\x1b[2J': raw, l: [raw] }]);
});
