// The model path end to end over a Parquet file with 100 row groups: results, order, NULLs, batches.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqlError } from '../engine/sql/sql-error.js';
import { duck, fixture, run, stagedTables, type Fixture } from './helpers/model-path-fixtures.js';

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

test('rows stay paired when the session turned preserve_insertion_order off, and the setting is restored', async () => {
  await f.connection.run('SET preserve_insertion_order = false');
  try {
    const { rows } = await run(f, `SELECT id, scale2(data)[2] FROM '${f.dir}/image_data.parquet' WHERE id % 3 = 0`);
    assert.equal(rows.length, 334);
    for (const [id, x] of rows) assert.equal(x, Number(id) % 7 === 3 ? null : Number(id) * 20);
    assert.deepEqual(await duck(f, `SELECT current_setting('preserve_insertion_order')`), [[false]]);
  } finally {
    await f.connection.run('SET preserve_insertion_order = true');
  }
});

test('the staged temp tables are dropped when the statement finishes', async () => {
  await run(f, `SELECT scale2(scale2(data)) FROM (SELECT * FROM '${f.dir}/image_data.parquet' LIMIT 3)`);
  assert.equal(await stagedTables(f), 0);
});

test('an output-stage error names the call, not the staged column', async () => {
  const error = await run(f, `SELECT CAST(scale2(data) AS INTEGER) FROM '${f.dir}/image_data.parquet' WHERE id < 3`).then(
    () => assert.fail('expected a conversion error'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SqlError);
  assert.equal(error.phase, 'execute');
  assert.match(error.message, /source column scale2\(data\)$/);
  assert.doesNotMatch(error.message, /__sqlinfer|LINE/);
  assert.equal(await stagedTables(f), 0);
});

test('DOUBLE[], INTEGER[] and fixed-size arrays are cast to FLOAT[] for the model', async () => {
  const { rows } = await run(
    f,
    `SELECT scale2(list_transform(data, v -> v::DOUBLE)), scale2([id, 1]::INTEGER[]), scale2([id, 2]::FLOAT[2])
     FROM '${f.dir}/image_data.parquet' WHERE id = 5`,
  );
  assert.deepEqual(rows, [[[10, 100], [10, 2], [10, 4]]]);
});
