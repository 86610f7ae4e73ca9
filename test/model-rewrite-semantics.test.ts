// A model statement means what DuckDB would make of it: staging the input must not change what the query
// may do (unnamed structs, sequences advance, the result has DuckDB's shape).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqlError } from '../engine/sql/sql-error.js';
import { modelsFixture, type ModelsFixture } from './helpers/onnx-model-fixtures.js';

let f: ModelsFixture;
before(async () => {
  f = await modelsFixture();
  await f.engine.run(`CREATE MODEL m FROM '${f.dir}/identity.onnx'`);
});
after(() => f.close());

test('nextval in the input advances the sequence once per row, as DuckDB does', async () => {
  await f.engine.run('CREATE SEQUENCE seq');
  assert.deepEqual(await f.rows(`SELECT *, m(0.5) AS v FROM (SELECT nextval('seq') AS n FROM range(3)) q`), [
    [1n, 0.5],
    [2n, 0.5],
    [3n, 0.5],
  ]);
  assert.deepEqual(await f.rows(`SELECT currval('seq')`), [[3n]]);
  // Hidden in a macro, too.
  await f.engine.run(`CREATE MACRO next_of(s) AS nextval(s)`);
  assert.deepEqual(await f.rows(`SELECT *, m(0.5) AS v FROM (SELECT next_of('seq') AS n FROM range(2)) q`), [
    [4n, 0.5],
    [5n, 0.5],
  ]);
});

test('CREATE TABLE ... AS with a model call returns what any CTAS returns', async () => {
  const [plain] = await f.engine.run('CREATE TABLE c1 AS SELECT 0.5::FLOAT AS v FROM range(3)');
  const [model] = await f.engine.run('CREATE TABLE c2 AS SELECT m(0.5) AS v FROM range(3)');
  assert.deepEqual({ ...model, sql: '', span: null }, { ...plain, sql: '', span: null });
  assert.deepEqual(await f.rows('SELECT count(*), min(v) FROM c2'), [[3n, 0.5]]);
});

test('unnamed structs (ROW), also inside a struct, come out as DuckDB gives them', async () => {
  const query = `SELECT *, m(0.5) AS v FROM (SELECT ROW(1, 'a') AS r, ROW(2, ROW(3, 'b')) AS n, {'k': ROW(4, 5)} AS s, 6 AS i) q`;
  const model = await f.engine.run(query);
  const plain = await f.engine.run(query.replace('m(0.5)', '0.5::FLOAT'));
  assert.deepEqual(model[0]?.columns.map((c) => c.type), plain[0]?.columns.map((c) => c.type));
  assert.deepEqual(model[0]?.rows.map((r) => r.map(String)), plain[0]?.rows.map((r) => r.map(String)));
});

test('unnamed structs inside lists and maps, and NULL ones, come out as DuckDB gives them', async () => {
  const inner = [
    `SELECT list_zip([1, 2], ['a', 'b']) AS z`,
    `[ROW(1, 'a'), NULL] AS l`,
    `[[ROW(1, [ROW(2, 3)])]] AS ll`,
    `map([1], [ROW(1, 'x')]) AS mp`,
    `CASE WHEN false THEN ROW(1, 2) END AS nr`,
    `[ROW(1, 2)]::STRUCT(a INT, b INT)[1] AS named_array`,
  ].join(', ');
  // DuckDB's own text of each value: the client library prints an unnamed struct's fields under one key.
  const text = (select: string) => `SELECT z::VARCHAR, l::VARCHAR, ll::VARCHAR, mp::VARCHAR, nr::VARCHAR, named_array::VARCHAR, v FROM (${select}) q2`;
  const query = `SELECT *, m(0.5) AS v FROM (${inner}) q`;
  const model = await f.engine.run(query);
  const plain = await f.engine.run(query.replace('m(0.5)', '0.5::FLOAT'));
  assert.deepEqual(model[0]?.columns.map((c) => c.type), plain[0]?.columns.map((c) => c.type));
  assert.deepEqual(await f.rows(text(query)), await f.rows(text(query.replace('m(0.5)', '0.5::FLOAT'))));
  assert.deepEqual((await f.rows(text(query)))[0]?.slice(0, 5), ["[(1, a), (2, b)]", '[(1, a), NULL]', '[[(1, [(2, 3)])]]', '{1=(1, x)}', null]);
});

test('under PRAGMA enable_verification (DuckDB runs each query again to compare), a model statement runs', async () => {
  const g = await modelsFixture();
  try {
    await g.engine.run(`CREATE MODEL m FROM '${g.dir}/identity.onnx'; PRAGMA enable_verification`);
    assert.deepEqual(await g.rows('SELECT i, m(0.5) AS v FROM range(2) r(i) ORDER BY i'), [
      [0n, 0.5],
      [1n, 0.5],
    ]);
  } finally {
    await g.close();
  }
});

test("a model statement that fails on a row inside BEGIN ... COMMIT aborts the transaction, as DuckDB's errors do", async () => {
  await f.engine.run(`CREATE OR REPLACE MODEL lin FROM '${f.dir}/linear.onnx'`);
  await f.engine.run(`CREATE TABLE bad AS SELECT i AS id, CASE WHEN i = 3 THEN [1, 2] ELSE [i, 1, 2] END::FLOAT[] AS v FROM range(1, 6) r(i)`);
  await f.engine.run('CREATE TABLE kept (id BIGINT, y FLOAT)');
  await f.engine.run("BEGIN; INSERT INTO kept VALUES (0, 0);");
  await assert.rejects(f.engine.run('INSERT INTO kept SELECT id, lin(v)[1] FROM bad'), /lin failed on row 3/);
  await assert.rejects(f.engine.run('SELECT 1'), /transaction is aborted/);
  await f.engine.run('COMMIT');
  assert.deepEqual(await f.rows('SELECT count(*) FROM kept'), [[0n]]);
  // A statement refused before it runs (a plan error) leaves the transaction as it is, as DuckDB's binder errors do.
  await f.engine.run("BEGIN; INSERT INTO kept VALUES (0, 0);");
  await assert.rejects(f.engine.run('SELECT lin(no_such_column) FROM bad'));
  await f.engine.run('COMMIT');
  assert.deepEqual(await f.rows('SELECT count(*) FROM kept'), [[1n]]);
});

test('a call over grouping keys in a grouped SELECT gives one value per group, as DuckDB computes it', async () => {
  await f.engine.run('CREATE TABLE grouped AS SELECT i AS id, i % 3 AS g, i * 1.5 AS x FROM range(1, 11) r(i)');
  for (const sql of [
    'SELECT g, m(g) AS r FROM grouped GROUP BY g ORDER BY g',
    'SELECT g, m(g) + sum(x) AS r FROM grouped GROUP BY g HAVING m(g) > 0 ORDER BY m(g) DESC',
    'SELECT g + 1 AS k, m(g + 1) AS r, m(0.5) AS c FROM grouped GROUP BY g + 1 ORDER BY k',
  ]) {
    assert.deepEqual(await f.rows(sql), await f.rows(sql.replace(/\bm\(([^()]*(\([^()]*\))?[^()]*)\)/g, 'CAST($1 AS FLOAT)')), sql);
  }
  // A call over a column that is not a grouping key is DuckDB's binder error, as without the model.
  await assert.rejects(f.engine.run('SELECT g, m(x) FROM grouped GROUP BY g'), /must appear in the GROUP BY clause/);
});

test('structs with some fields named and some not (a Parquet UNION as DuckDB reads it) are refused, never staged without their fields', async () => {
  const file = `'${f.dir}/list_union.parquet'`;
  await f.engine.run(`COPY (SELECT 1 AS id, [1::UNION(str VARCHAR, num INT), 'one'] AS items) TO ${file}`);
  const error = await f.engine.run(`SELECT *, m(0.5) AS v FROM (SELECT items FROM read_parquet(${file})) q`).catch((e: unknown) => e);
  assert.ok(error instanceof SqlError, String(error));
  assert.equal(error.code, 'relation-struct-names');
  assert.match(error.message, /column items of q holds structs with some fields named and some not/);
  // Without that column, the statement runs.
  assert.deepEqual(await f.rows(`SELECT id, m(0.5) AS v FROM read_parquet(${file})`), [[1, 0.5]]);
});
