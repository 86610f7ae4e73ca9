// The model path end to end over a Parquet file with 100 row groups: results, order, NULLs, batches.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { duck, fixture, run, type Fixture } from './model-path-fixtures.js';

let f: Fixture;
before(async () => {
  f = await fixture();
});
after(() => f.close());

test('select list: every row computed once, in input order, NULL in gives NULL out', async () => {
  const before = f.scale2.rows;
  const { rows, columns } = await run(f, `SELECT id, scale2(data) AS doubled FROM '${f.dir}/image_data.parquet'`);
  assert.equal(f.scale2.rows - before, 1000);
  assert.deepEqual(columns, ['id', 'doubled']);
  assert.equal(rows.length, 1000);
  rows.forEach((row, i) => {
    assert.equal(row[0], String(i));
    assert.deepEqual(row[1], i % 7 === 3 ? null : [2 * i, 20 * i]);
  });
});

test('star keeps the relation columns only', async () => {
  const { rows, columns } = await run(f, `SELECT *, scale2(data) AS d FROM '${f.dir}/image_data.parquet' WHERE id < 3`);
  assert.deepEqual(columns, ['id', 'data', 'filename', 'd']);
  assert.deepEqual(rows[1], ['1', [1, 10], 'f1', [2, 20]]);
});

test('the model stage spans chunk and batch boundaries', async () => {
  const { rows } = await run(f, `SELECT list_sum(scale2(data)) FROM '${f.dir}/image_data.parquet'`, 1000);
  const expected = await duck(f, `SELECT list_sum(list_transform(data, v -> v * 2)) FROM '${f.dir}/image_data.parquet'`);
  assert.deepEqual(rows, expected);
});

test('blob arguments and a fixed-size result type', async () => {
  const { rows, columns } = await run(f, `SELECT blob_len(b) AS n, typeof(blob_len(b)) AS t FROM (VALUES ('\\x01\\x02'::BLOB), (NULL), ('abc'::BLOB)) v(b)`);
  assert.deepEqual(columns, ['n', 't']);
  assert.deepEqual(rows, [[[2, 1], 'FLOAT[2]'], [null, 'FLOAT[2]'], [[3, 97], 'FLOAT[2]']]);
});

test('a constant argument reaches the function', async () => {
  const { rows } = await run(f, `SELECT scale2(data, 3) FROM '${f.dir}/image_data.parquet' LIMIT 2`);
  assert.deepEqual(rows, [[[0, 0]], [[3, 30]]]);
});
