// Line mode is where a wide row is read in full: lists are never cut, floats keep every digit (the table
// shortens both), long strings stay whole; BLOBs still show as their size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';

const sql = `SELECT [x / 7 FOR x IN range(1, 101)]::DOUBLE[] AS l, [0.1, 1.123456789]::FLOAT[] AS f,
  repeat('x', 500) AS s, '\\x00\\x01'::BLOB AS b`;
const list = `[${Array.from({ length: 100 }, (_, i) => {
  const x = (i + 1) / 7;
  return Number.isInteger(x) ? `${x}.0` : String(x);
}).join(', ')}]`;
const expected = `l = ${list}\nf = [0.1, 1.1234568]\ns = ${'x'.repeat(500)}\nb = <2 bytes>\n`;

test('--format line shows lists and floats in full', async () => {
  const r = await runCli(['--format', 'line', '-c', sql]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, expected);
});

test('.mode line in the shell shows them in full too', async () => {
  const r = await runCli(['-i'], { input: `.mode line\n${sql};\n` });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, expected);
});

test('the list is exactly the text DuckDB casts it to', async () => {
  const r = await runCli(['--format', 'csv', '-c', `SELECT CAST(l AS VARCHAR) AS l FROM (${sql})`]);
  assert.equal(r.stdout, `l\n"${list}"\n`);
});
