// DuckDB's dialect through the model path: each statement runs with a model call and gives what DuckDB
// gives with a constant in its place; where a construct cannot hold a call, the refusal names it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { modelsFixture, type ModelsFixture } from './helpers/onnx-model-fixtures.js';

let f: ModelsFixture;
before(async () => {
  f = await modelsFixture();
  await f.engine.run(`CREATE MODEL m FROM '${f.dir}/identity.onnx';
    CREATE TABLE t (i INTEGER PRIMARY KEY, j FLOAT, k VARCHAR, v INTEGER);
    INSERT INTO t VALUES (1, 0, 'a', 10), (2, 0, 'b', 20)`);
});
after(() => f.close());

/** The statement with m(0.5) gives the rows DuckDB gives with 0.5::FLOAT. */
async function agrees(sql: string): Promise<void> {
  const expected = await f.rows(sql.replaceAll('m(0.5)', '0.5::FLOAT'));
  assert.deepEqual(await f.rows(sql), expected, sql);
  assert.ok(expected.length > 0, sql);
}

const queries = [
  'SELECT b, m(0.5) FROM VALUES (1), (2) v(b) ORDER BY b',
  'SELECT i, m(0.5) FROM t WHERE i IN ((SELECT 1), (SELECT 2)) ORDER BY i',
  'SELECT i, m(0.5) FROM t WHERE i IN [1, 3]',
  'SELECT column_name, m(0.5) FROM (DESCRIBE t) ORDER BY column_name',
  'SELECT count(*), min(m(0.5)) FROM (SUMMARIZE t)',
  "SELECT *, m(0.5) FROM t PIVOT (sum(v) FOR k IN ('a', 'b')) ORDER BY i",
  'SELECT *, m(0.5) FROM t UNPIVOT (val FOR col IN (i, v)) ORDER BY ALL',
  'SELECT i, m(0.5), cume_dist(ORDER BY i) OVER () FROM t ORDER BY i',
  'SELECT struct_pack(*COLUMNS(*)) AS s, m(0.5) FROM t ORDER BY i',
  'SELECT COLUMNS(*), m(0.5) FROM t ORDER BY i',
  'SELECT *, m(0.5) FROM unnest([7, 8]) WITH ORDINALITY AS u(x, n) ORDER BY n',
  'SELECT *, m(0.5) FROM (SELECT 1 AS a) nulls',
  "SELECT *, m(0.5) FROM t AS 'x' ORDER BY x.i",
  'SELECT x.i, m(0.5) FROM x : t ORDER BY x.i',
  'SELECT [1, 2, 3][:-:-1] AS r, m(0.5) FROM t ORDER BY i',
  'SELECT k, i, count(*), min(m(0.5)) FROM t GROUP BY GROUPING SETS (k, GROUPING SETS (i, ())) ORDER BY ALL',
  'SELECT i, 3! AS f, m(0.5) FROM t ORDER BY i',
  // DuckDB computes the IN list of this PIVOT from the data: a statement of its own before the query.
  'SELECT *, m(0.5) FROM (PIVOT t ON k USING sum(v) GROUP BY i) ORDER BY i',
  "SELECT *, m(0.5) FROM (WITH s AS (SELECT * FROM t) PIVOT s ON k IN ('a', 'b') USING sum(v) GROUP BY i) ORDER BY i",
  'SELECT *, m(0.5) FROM (TABLE t) ORDER BY i',
  'SELECT i, [i, v]::INTEGER ARRAY[2] AS a, CAST([i] AS INTEGER ARRAY) AS l, m(0.5) FROM t ORDER BY i',
];
for (const sql of queries) test(`agrees with DuckDB: ${sql}`, () => agrees(sql));

test('INSERT with ON CONFLICT, RETURNING and WITH before it; CTAS WITH DATA; COPY with bare options', async () => {
  await f.engine.run('CREATE TABLE u (i INTEGER PRIMARY KEY, j FLOAT)');
  await f.engine.run('INSERT INTO u SELECT 1, m(0.25) ON CONFLICT DO NOTHING');
  await f.engine.run('INSERT INTO u SELECT 1, m(0.75) ON CONFLICT (i) DO UPDATE SET j = excluded.j');
  assert.deepEqual(await f.rows('INSERT INTO u SELECT 2, m(0.5) RETURNING i, j'), [[2, 0.5]]);
  await f.engine.run('WITH s AS (SELECT 3 AS i) INSERT INTO u SELECT i, m(0.5) FROM s');
  assert.deepEqual(await f.rows('SELECT * FROM u ORDER BY i'), [[1, 0.75], [2, 0.5], [3, 0.5]]);
  await f.engine.run('CREATE TABLE w AS SELECT m(0.5) AS x WITH DATA');
  assert.deepEqual(await f.rows('SELECT * FROM w'), [[0.5]]);
  await f.engine.run(`COPY (SELECT 1 AS a, m(0.5) AS x) TO '${f.dir}/out.csv' DELIMITER AS ';' HEADER`);
  assert.deepEqual(await f.rows(`SELECT * FROM read_csv('${f.dir}/out.csv', delim = ';', header = true)`), [[1n, 0.5]]);
});

const refusals: [string, RegExp][] = [
  ['INSERT INTO t SELECT 5, m(0.5), \'e\', 1 RETURNING m(j)', /m cannot be called in RETURNING/],
  ['INSERT INTO t SELECT 1, 0, \'a\', 1 ON CONFLICT (i) DO UPDATE SET j = m(0.5)', /m cannot be called in ON CONFLICT/],
  ['SELECT * FROM t PIVOT (sum(v) FOR k IN (m(1)))', /m cannot be called inside PIVOT/],
  ['SELECT * FROM (SUMMARIZE SELECT m(0.5))', /m cannot be called inside SUMMARIZE/],
  ['PIVOT (SELECT k, m(v) AS a FROM t) ON k USING sum(a)', /m cannot be called inside PIVOT/],
  ['UNPIVOT (SELECT m(v) AS a, v FROM t) ON a, v INTO NAME n VALUE x', /m cannot be called inside UNPIVOT/],
  ['WITH s AS (SELECT 1) UPDATE t SET j = m(0.5)', /m cannot be called in UPDATE/],
];
for (const [sql, expected] of refusals) {
  test(`refused, naming the construct: ${sql}`, async () => {
    await assert.rejects(f.engine.run(sql), expected);
  });
}
