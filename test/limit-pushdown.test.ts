// LIMIT runs below the model only where that cannot change the result: the model then sees exactly the
// rows the statement needs, whatever the file's row groups.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { duck, fixture, run, type Fixture } from './helpers/model-path-fixtures.js';

let f: Fixture;
let file: string;
before(async () => {
  f = await fixture();
  file = `'${f.dir}/image_data.parquet'`;
});
after(() => f.close());

async function seen(sql: string): Promise<{ rows: unknown[][]; seen: number }> {
  const start = f.scale2.rows;
  const { rows } = await run(f, sql);
  return { rows, seen: f.scale2.rows - start };
}

test('LIMIT 5 over 1000 rows in 100 row groups runs the model on exactly 5 rows', async () => {
  const { rows, seen: n } = await seen(`SELECT scale2(data) FROM ${file} LIMIT 5`);
  assert.equal(n, 5);
  assert.deepEqual(rows, [[[0, 0]], [[2, 20]], [[4, 40]], [null], [[8, 80]]]);
});

test('LIMIT with OFFSET pushes LIMIT + OFFSET', async () => {
  const { rows, seen: n } = await seen(`SELECT id, scale2(data) FROM ${file} LIMIT 2 OFFSET 4`);
  assert.equal(n, 6);
  assert.deepEqual(rows, [['4', [8, 80]], ['5', [10, 100]]]);
});

test('WHERE conjuncts without model output are pushed with the LIMIT', async () => {
  const { rows, seen: n } = await seen(`SELECT id, scale2(data) FROM ${file} WHERE id >= 500 AND id % 2 = 0 LIMIT 3`);
  assert.equal(n, 3);
  assert.deepEqual(rows, [['500', null], ['502', [1004, 10040]], ['504', [1008, 10080]]]);
});

test('ORDER BY the model output keeps the LIMIT above the model', async () => {
  const { rows, seen: n } = await seen(`SELECT id FROM ${file} ORDER BY scale2(data)[2] DESC NULLS LAST LIMIT 3`);
  assert.equal(n, 1000);
  assert.deepEqual(rows, [['999'], ['998'], ['996']]);
});

test('an ORDER BY over the relation columns goes down with the LIMIT', async () => {
  const { rows, seen: n } = await seen(`SELECT filename, scale2(data) FROM ${file} WHERE id < 500 ORDER BY filename DESC LIMIT 2 OFFSET 1`);
  assert.equal(n, 3);
  assert.deepEqual(rows, [['f98', [196, 1960]], ['f97', [194, 1940]]]);
});

test('ORDER BY a SELECT alias or position keeps the LIMIT above the model', async () => {
  assert.equal((await seen(`SELECT scale2(data) AS id FROM ${file} ORDER BY id LIMIT 2`)).seen, 1000);
  assert.equal((await seen(`SELECT id, scale2(data) FROM ${file} ORDER BY 1 LIMIT 2`)).seen, 1000);
});

test('a WHERE on the model output keeps the LIMIT above the model (but its other conjuncts are pushed)', async () => {
  const { rows, seen: n } = await seen(`SELECT id FROM ${file} WHERE id < 100 AND scale2(data)[1] > 100 LIMIT 2`);
  assert.equal(n, 100);
  assert.deepEqual(rows, [['51'], ['53']]);
});

test('aggregates, GROUP BY, DISTINCT and window functions keep the LIMIT above the model', async () => {
  for (const sql of [
    `SELECT count(scale2(data)) FROM ${file} LIMIT 1`,
    `SELECT scale2(data)[1] > 10 AS big, count(*) FROM ${file} GROUP BY big LIMIT 5`,
    `SELECT DISTINCT scale2(data)[1] > 10 FROM ${file} LIMIT 5`,
    `SELECT row_number() OVER (), scale2(data) FROM ${file} LIMIT 5`,
  ]) {
    const { seen: n } = await seen(sql);
    assert.equal(n, 1000, sql);
  }
});

test('a LIMIT over a set operation or an outer query is not pushed into its operands', async () => {
  const union = await seen(`SELECT scale2(data) FROM ${file} WHERE id < 10 UNION ALL SELECT scale2(data) FROM ${file} WHERE id >= 990 LIMIT 3`);
  assert.equal(union.seen, 20);
  assert.equal(union.rows.length, 3);
  const outer = await seen(`SELECT * FROM (SELECT id, scale2(data) AS s FROM ${file}) WHERE s[1] = 4 LIMIT 1`);
  assert.equal(outer.seen, 1000);
  assert.deepEqual(outer.rows, [['2', [4, 40]]]);
});

test('a LIMIT inside a subquery is pushed for that subquery', async () => {
  const { rows, seen: n } = await seen(`SELECT count(*) FROM (SELECT scale2(data) FROM ${file} LIMIT 4)`);
  assert.equal(n, 4);
  assert.deepEqual(rows, [['4']]);
});

test('results with a pushed LIMIT equal DuckDB computing the same in SQL', async () => {
  const { rows } = await seen(`SELECT id, scale2(data) AS s FROM ${file} WHERE id > 900 LIMIT 50 OFFSET 20`);
  const expected = await duck(f, `SELECT id, list_transform(data, v -> v * 2)::FLOAT[] AS s FROM ${file} WHERE id > 900 LIMIT 50 OFFSET 20`);
  assert.deepEqual(rows, expected);
});
