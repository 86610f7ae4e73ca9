// The boxed table lines up CJK text and emoji (two columns each on a terminal): every line of the box has
// the same display width, and cells cut to fit the width are cut by display width.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import stringWidth from 'string-width';
import { runCli } from './helpers/cli.js';

const rows = `SELECT * FROM (VALUES (1, '日本語', '🦆'), (2, 'abc', '👨‍👩‍👧 family'), (3, '한국어 텍스트', 'é')) t(id, "名前", emoji) ORDER BY id`;

function boxWidths(stdout: string): number[] {
  return stdout.split('\n').filter((l) => /^[┌│├└]/.test(l)).map((l) => stringWidth(l));
}

test('table: rows with CJK and emoji line up', async () => {
  const r = await runCli(['--format', 'table', '-c', rows]);
  assert.equal(r.stderr, '');
  const widths = boxWidths(r.stdout);
  assert.equal(widths.length, 8);
  assert.deepEqual(new Set(widths), new Set([widths[0]]), r.stdout);
  assert.ok(r.stdout.includes('│       1 │ 日本語        │ 🦆        │\n'), r.stdout);
});

test('table: a cell wider than the table is cut by display width, never mid-character', async () => {
  const r = await runCli(['--format', 'table', '-c', `SELECT 1 AS id, repeat('日本🦆', 100) AS t`]);
  const widths = boxWidths(r.stdout);
  assert.deepEqual(new Set(widths), new Set([160]), r.stdout);
  // 24 times 日本🦆 is 144 columns; one more 日 and the … would not fit the 146 left for the cell.
  assert.ok(r.stdout.includes(`│ ${'日本🦆'.repeat(24)}…  │\n`), r.stdout);
});

test('markdown: long cells are cut to 80 display columns', async () => {
  const r = await runCli(['--format', 'markdown', '-c', `SELECT repeat('日本', 100) AS t`]);
  const cell = r.stdout.split('\n')[2]!.slice(2, -2);
  assert.equal(cell, `${'日本'.repeat(19)}日…`);
  assert.equal(stringWidth(cell), 79);
});
