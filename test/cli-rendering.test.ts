// The shell's renderers on values that need care: nested types, floats, dates, BLOBs, long lists, long
// and wide results, line mode, EXPLAIN. Runs the renderers in-process on engine results (no child process).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { createEngine, createUdfs, type Engine } from '../engine/index.js';
import { tempDir } from './helpers/cli.js';
import { stringOutput } from './helpers/string-output.js';
import { modelPlanText } from '../shell/render/explain.js';
import type { RenderOptions } from '../shell/render/render-options.js';
import { renderStatement, type Format } from '../shell/render/renderer.js';

let engine: Engine;
before(async () => {
  engine = await createEngine();
});
after(async () => {
  await engine.close();
});

async function render(format: Format, sql: string, options: RenderOptions = {}): Promise<string> {
  const out = stringOutput();
  for await (const statement of engine.stream(sql)) await renderStatement(format, statement, out, options);
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
  assert.equal(lines.at(-2), '1000 rows (40 shown, 960 left out)');
});

test('table: maxRows sets the rows shown, 0 shows all', async () => {
  const four = (await render('table', 'SELECT range AS i FROM range(10)', { maxRows: 4 })).split('\n');
  assert.deepEqual(four.slice(4, 9), ['│ 0 │', '│ 1 │', '│ · │', '│ 8 │', '│ 9 │'].map((l) => l.replace(/│ (.) │/, '│      $1 │').replace('│      · │', '│   ·    │')));
  assert.equal(four.at(-2), '10 rows (4 shown, 6 left out)');
  const all = await render('table', 'SELECT range AS i FROM range(100)', { maxRows: 0 });
  assert.match(all, /│ {5}50 │/);
  assert.match(all, /\n100 rows\n$/);
});

test('table: fits the width, cutting wide columns with … and hiding the columns that do not fit', async () => {
  const sql = `SELECT repeat('x', 200) AS wide, 1 AS c1, 2 AS c2, 3 AS c3, 4 AS c4, 5 AS c5, 6 AS c6, 7 AS c7, 8 AS c8`;
  const narrow = (await render('table', sql, { width: 60 })).split('\n');
  for (const line of narrow.slice(0, -2)) assert.ok(line.length <= 60, `${line.length}: ${line}`);
  assert.match(narrow[4]!, /^│ x+… │ +1 │ .* │ … │$/);
  assert.match(narrow.at(-2)!, /^1 row · \d columns hidden: (c\d, )*c8$/);
  const wide = (await render('table', `SELECT repeat('x', 100) AS wide, 1 AS c1`, { width: 80 })).split('\n');
  assert.equal(wide[4], `│ ${'x'.repeat(65)}… │       1 │`);
  assert.equal(wide.at(-2), '1 row');
});

test('table: the timer adds the time to the footer; NULL dimmed only with color', async () => {
  const text = await render('table', 'SELECT NULL AS n', { elapsedMs: () => 1234.6, color: true });
  assert.ok(text.includes('\x1b[2mNULL\x1b[0m'));
  assert.match(text, /\n1 row · 1\.235 s\n$/);
  assert.ok(!(await render('table', 'SELECT NULL AS n')).includes('\x1b['));
});

test('table: lists of floats are shortened with four significant digits and a count', async () => {
  const text = await render('table', `SELECT [0.0012, 0.00031, 1e-7, 123.456, 5] || range(996)::FLOAT[] AS p`);
  assert.equal(text.split('\n')[4], '│ [0.0012, 3.1e-4, 1e-7, … 1001 items] │');
});

test('line: one name = value line per column, a blank line between rows', async () => {
  const text = await render('line', `SELECT range AS id, 'row ' || range AS long_name, NULL AS n FROM range(2)`);
  assert.equal(text, '       id = 0\nlong_name = row 0\n        n = NULL\n\n       id = 1\nlong_name = row 1\n        n = NULL\n');
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

test('table: EXPLAIN of a model statement is grouped by stage, its SQL wrapped to the width', async () => {
  const dir = tempDir();
  const file = join(dir, 'tensors.parquet');
  const udfs = createUdfs();
  const withModels = await createEngine({ udfs });
  try {
    await withModels.run(`COPY (SELECT 'a.jpg' AS filename, [0.5]::FLOAT[] AS data) TO '${file}'`);
    const out = stringOutput();
    const sql = `EXPLAIN SELECT filename, predict_resnet50(data) AS p FROM '${file}' WHERE filename LIKE 'a%' LIMIT 3`;
    for await (const statement of withModels.stream(sql)) await renderStatement('table', statement, out, { width: 60 });
    const lines = out.text().split('\n');
    assert.equal(lines[0], 'stage 1');
    assert.match(out.text(), /^ {2}filter {5}filename LIKE 'a%'$/m);
    assert.match(out.text(), /^ {2}model {6}predict_resnet50\(data\) ->/m);
    assert.match(out.text(), /^ {13}batch \d+, threads \d+$/m);
    assert.match(out.text(), /^output\n {2}SELECT /m);
    for (const line of lines) assert.ok(line.length <= 60, `${line.length}: ${line}`);
    assert.doesNotMatch(out.text(), /[┌│]/);
  } finally {
    await withModels.close();
  }
});

test('EXPLAIN ANALYZE of a model statement: each step followed by its rows and time', () => {
  const text = modelPlanText(
    [
      ['input 1', 'SELECT data FROM t', 2n, null],
      ['model 1', 'f(data) -> t1.m1; batch 64, threads 2; a model', 2n, 95n],
      ['total', 'the model ran on 2 rows', 2n, null],
    ],
    80,
  );
  assert.equal(
    text,
    'stage 1\n  input      SELECT data FROM t\n             = 2 rows\n  model      f(data) -> t1.m1\n             batch 64, threads 2\n' +
      '             a model\n             = 2 rows in 95 ms\ntotal\n  the model ran on 2 rows\n  = 2 rows\n',
  );
});
