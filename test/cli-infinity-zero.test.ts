// Infinite dates and timestamps and -0.0 print as DuckDB prints them (its own CAST to VARCHAR, asked
// through the same binary); json writes "infinity"/"-infinity" and the number -0.0, as DuckDB's to_json.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';

const columns: Record<string, string> = {
  d: `'infinity'::DATE`,
  nd: `'-infinity'::DATE`,
  ts: `'infinity'::TIMESTAMP`,
  nts: `'-infinity'::TIMESTAMP`,
  tz: `'infinity'::TIMESTAMPTZ`,
  s: `'infinity'::TIMESTAMP_S`,
  nms: `'-infinity'::TIMESTAMP_MS`,
  ns: `'infinity'::TIMESTAMP_NS`,
  f: `'-0.0'::FLOAT`,
  z: `'-0.0'::DOUBLE`,
  l: `['-infinity'::DATE, '2024-01-02']`,
};
const select = `SELECT ${Object.entries(columns).map(([name, sql]) => `${sql} AS ${name}`).join(', ')}`;

async function duckdbText(): Promise<string[]> {
  const casts = Object.keys(columns).map((name) => `CAST(${name} AS VARCHAR) AS ${name}`);
  const r = await runCli(['--format', 'jsonl', '-c', `SELECT ${casts.join(', ')} FROM (${select})`]);
  return Object.values(JSON.parse(r.stdout) as Record<string, string>);
}

test("DuckDB's own text is the one expected", async () => {
  assert.deepEqual(await duckdbText(), [
    'infinity', '-infinity', 'infinity', '-infinity', 'infinity', 'infinity', '-infinity', 'infinity', '-0.0', '-0.0',
    '[-infinity, 2024-01-02]',
  ]);
});

test('csv, line, markdown and table print them as DuckDB does', async () => {
  const expected = await duckdbText();
  const csv = await runCli(['--format', 'csv', '-c', select]);
  assert.equal(csv.stderr, '');
  assert.equal(csv.stdout.split('\n')[1], expected.map((t) => (t.includes(',') ? `"${t}"` : t)).join(','));
  const line = await runCli(['--format', 'line', '-c', select]);
  const names = Object.keys(columns);
  assert.equal(line.stdout, names.map((n, i) => `${n.padStart(3)} = ${expected[i]}\n`).join(''));
  const markdown = await runCli(['--format', 'markdown', '-c', select]);
  assert.equal(markdown.stdout.split('\n')[2], `| ${expected.join(' | ')} |`);
  const table = await runCli(['--format', 'table', '-c', select]);
  const cells = table.stdout.split('\n')[4]!.split('│').slice(1, -1).map((c) => c.trim());
  assert.deepEqual(cells, expected);
});

test('json: "infinity" and "-infinity" strings, -0.0 as a number', async () => {
  const r = await runCli(['--format', 'json', '-c', select]);
  assert.equal(
    r.stdout,
    '[{"d":"infinity","nd":"-infinity","ts":"infinity","nts":"-infinity","tz":"infinity","s":"infinity","nms":"-infinity",' +
      '"ns":"infinity","f":-0.0,"z":-0.0,"l":["-infinity","2024-01-02"]}]\n',
  );
  const [row] = JSON.parse(r.stdout) as { z: number }[];
  assert.ok(Object.is(row!.z, -0));
});
