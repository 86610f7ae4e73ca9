// json and jsonl keep every column when names repeat (a JOIN's two `id`s): later ones are renamed as
// DuckDB renames the columns of `SELECT * FROM (...)`, checked against DuckDB itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';

const tables = `CREATE TABLE a AS SELECT * FROM (VALUES (1, 'x'), (2, 'y')) t(id, v);
CREATE TABLE b AS SELECT * FROM (VALUES (1, 'w')) t(id, w);`;

test('json and jsonl of a LEFT JOIN keep both id columns, the second as id_1', async () => {
  const sql = `${tables} SELECT * FROM a LEFT JOIN b ON a.id = b.id ORDER BY a.id`;
  const json = await runCli(['--format', 'json', '-c', sql]);
  assert.equal(json.stderr, '');
  assert.equal(json.stdout, '[{"id":1,"v":"x","id_1":1,"w":"w"},\n{"id":2,"v":"y","id_1":null,"w":null}]\n');
  const jsonl = await runCli(['--format', 'jsonl', '-c', sql]);
  assert.equal(jsonl.stdout, '{"id":1,"v":"x","id_1":1,"w":"w"}\n{"id":2,"v":"y","id_1":null,"w":null}\n');
});

test("repeated names get DuckDB's own names, in column order", async () => {
  // Names repeated in ASCII case, clashing with a suffix already taken, non-ASCII case, digits (which a
  // JavaScript object would move to the front).
  const names = ['id', 'ID', 'id_1', 'id', 'É', 'é', '2', '2', 'a', 'a_1', 'a'];
  const select = `SELECT ${names.map((n, i) => `${i} AS "${n}"`).join(', ')}`;
  const ours = await runCli(['--format', 'jsonl', '-c', select]);
  const duckdb = await runCli(['--format', 'jsonl', '-c', `SELECT * FROM (${select})`]);
  assert.equal(ours.stderr, '');
  assert.equal(ours.stdout, duckdb.stdout);
  assert.equal(ours.stdout, '{"id":0,"ID_1":1,"id_1_1":2,"id_2":3,"É":4,"é":5,"2":6,"2_1":7,"a":8,"a_1":9,"a_2":10}\n');
});
