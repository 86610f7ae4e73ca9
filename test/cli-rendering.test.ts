// The shell's renderers on values that need care: nested types, floats, dates, BLOBs, long lists and
// long results. Runs the renderers in-process on engine results (no child process).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEngine, type Engine } from '../engine/index.js';
import { stringOutput } from '../shell/output.js';
import { renderStatement, type Format } from '../shell/render/renderer.js';

let engine: Engine;
before(async () => {
  engine = await createEngine();
});
after(async () => {
  await engine.close();
});

async function render(format: Format, sql: string): Promise<string> {
  const out = stringOutput();
  for await (const statement of engine.stream(sql)) await renderStatement(format, statement, out);
  return out.text();
}

test('json: nested values, floats, decimals, dates, timestamps and BLOBs', async () => {
  const text = await render(
    'json',
    `SELECT {'k': [0.1::FLOAT, 2]} AS s, MAP {'a': 1} AS m, 1.50::DECIMAL(5,2) AS d, 2.0::DOUBLE AS f,
            DATE '2024-01-02' AS dt, TIMESTAMP '2024-01-02 03:04:05.25' AS ts, '\\x01\\xFF'::BLOB AS b,
            'NaN'::DOUBLE AS nan, 123456789012345678901234567890::HUGEINT AS h`,
  );
  assert.equal(
    text,
    '[{"s":{"k":[0.1,2]},"m":{"a":1},"d":1.5,"f":2,"dt":"2024-01-02","ts":"2024-01-02T03:04:05.25","b":"Af8=","nan":"NaN","h":"123456789012345678901234567890"}]\n',
  );
});

test('table: floats, long lists shortened, BLOBs as their size', async () => {
  const text = await render('table', `SELECT 0.1::FLOAT AS f, 3::DOUBLE AS d, range(1000)::FLOAT[] AS l, repeat('x', 3000)::BLOB AS b`);
  const row = text.split('\n')[4]!;
  assert.equal(row, '│   0.1 │    3.0 │ [0.0, 1.0, 2.0, 3.0, 4.0, … 1000 items] │ <2.9 KiB> │');
});

test('table: long results show their first and last rows and the count', async () => {
  const lines = (await render('table', 'SELECT range AS i FROM range(1000)')).split('\n');
  assert.equal(lines[4], '│      0 │');
  assert.equal(lines[24], '│   ·    │');
  assert.equal(lines[44], '│    999 │');
  assert.equal(lines.at(-2), '1000 rows (40 shown)');
});

test('table: EXPLAIN prints the plan as drawn by DuckDB', async () => {
  const text = await render('table', 'EXPLAIN SELECT 1');
  assert.match(text, /PROJECTION/);
  assert.doesNotMatch(text, /explain_key/);
});

test('csv: quotes fields with commas, quotes and line breaks; BLOBs as base64', async () => {
  const text = await render('csv', `SELECT 'line1\nline2' AS a, 'say "hi"' AS b, '\\x00'::BLOB AS c, NULL AS d`);
  assert.equal(text, 'a,b,c,d\n"line1\nline2","say ""hi""",AA==,\n');
});
