// A model statement reads a CTE where DuckDB reads it: a relation's text may name any CTE visible where it
// stands (through a subquery, a nested WITH, or `FROM 'x.parquet'`, which reads a CTE named 'x.parquet'
// before any file), and staged on its own it gets their definitions. Each answer is checked against the
// same model over a table holding what DuckDB reads there.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqlError } from '../engine/sql/sql-error.js';
import { modelsFixture, type ModelsFixture } from './helpers/onnx-model-fixtures.js';

let f: ModelsFixture;
let file: string;
before(async () => {
  f = await modelsFixture();
  file = `'${f.dir}/f.parquet'`;
  await f.engine.run(`CREATE MODEL lin FROM '${f.dir}/linear.onnx'`);
  await f.engine.run(`COPY (SELECT i AS id, [i, 1, 2]::FLOAT[] AS x FROM range(5) t(i)) TO ${file}`);
  // What the CTEs below hold, in a table: the answer DuckDB's binding gives.
  await f.engine.run(`CREATE TABLE cte_rows AS SELECT id, [10 + id, 20, 30]::FLOAT[] AS x FROM ${file}`);
});
after(() => f.close());

const cte = () => `SELECT id, [10 + id, 20, 30]::FLOAT[] AS x FROM ${file}`;

for (const pages of ['always', 'never']) {
  test(`a relation reads the CTE DuckDB binds it to (parquet_pages = '${pages}')`, async () => {
    await f.engine.run(`SET parquet_pages = '${pages}'`);
    const expected = await f.rows('SELECT id, lin(x) AS y FROM cte_rows ORDER BY id');
    const statements = [
      `WITH ${file} AS (${cte()}) SELECT id, lin(x) AS y FROM ${file} ORDER BY id`,
      `WITH ${file} AS (${cte()}) SELECT id, lin(x) AS y FROM (SELECT id, x FROM ${file}) s ORDER BY id`,
      `WITH c AS (${cte()}) SELECT id, lin(x) AS y FROM (SELECT id, x FROM c) s ORDER BY id`,
      `WITH ${file} AS (${cte()}), b AS (SELECT id, x FROM ${file}) SELECT id, lin(x) AS y FROM b ORDER BY id`,
      `WITH c AS (${cte()}) SELECT id, lin(x) AS y FROM (WITH d AS (SELECT * FROM c) SELECT * FROM d) s ORDER BY id`,
      `WITH c AS (${cte()}) SELECT * FROM (WITH d AS (SELECT * FROM c) SELECT id, lin(x) AS y FROM d) s ORDER BY id`,
    ];
    for (const sql of statements) assert.deepEqual(await f.rows(sql), expected, sql);
    // Without a CTE of its name, the string is the file.
    const fromFile = await f.rows(`WITH other AS (${cte()}) SELECT id, lin(x) AS y FROM ${file} ORDER BY id`);
    assert.notDeepEqual(fromFile, expected);
    assert.deepEqual(fromFile, await f.rows(`SELECT id, lin(x) AS y FROM (SELECT * FROM ${file}) ORDER BY id`));
  });
}

test('a CTE that hides an outer CTE of its name, around a model call, is refused with the reason', async () => {
  const error = await f.engine.run(`WITH c AS (${cte()}) SELECT * FROM (WITH c AS (SELECT id, x FROM c) SELECT id, lin(x) AS y FROM c) s`).catch((e: unknown) => e);
  assert.ok(error instanceof SqlError, String(error));
  assert.equal(error.code, 'relation-cte-hidden');
  assert.match(error.message, /the CTE c hides another CTE of that name .*rename one of them/);
});
