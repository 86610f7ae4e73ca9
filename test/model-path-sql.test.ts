// Model calls anywhere a query can hold an expression: each shape's result equals DuckDB computing the
// same thing in SQL (list_transform(data, v -> v * 2) stands in for scale2), and the model sees only the
// rows it must.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { duck, fixture, run, stagedTables, type Fixture } from './helpers/model-path-fixtures.js';

let f: Fixture;
let file: string;
before(async () => {
  f = await fixture();
  file = `'${f.dir}/image_data.parquet'`;
  await f.connection.run(`CREATE TABLE images AS SELECT * FROM ${file} WHERE id < 50`);
  await f.connection.run(`CREATE VIEW odd_images AS SELECT * FROM images WHERE id % 2 = 1`);
  await f.connection.run(`CREATE TABLE labels AS SELECT i AS id, 'label ' || i AS label FROM range(0, 50, 5) t(i)`);
});
after(() => f.close());

const twice = `list_transform(data, v -> v * 2)::FLOAT[]`;

async function same(sql: string, expectedSql: string, seenRows?: number): Promise<unknown[][]> {
  const start = f.scale2.rows;
  const { rows } = await run(f, sql);
  assert.deepEqual(rows, await duck(f, expectedSql), sql);
  if (seenRows !== undefined) assert.equal(f.scale2.rows - start, seenRows, `rows seen by the model for: ${sql}`);
  return rows;
}

test('model output in WHERE', async () => {
  await same(`SELECT id FROM images WHERE scale2(data)[1] BETWEEN 10 AND 20`, `SELECT id FROM images WHERE (${twice})[1] BETWEEN 10 AND 20`, 50);
});

test('GROUP BY and aggregates over model output', async () => {
  await same(
    `SELECT scale2(data)[1] > 40 AS big, count(*) AS n, sum(list_sum(scale2(data))) AS total FROM images GROUP BY big ORDER BY big`,
    `SELECT (${twice})[1] > 40 AS big, count(*) AS n, sum(list_sum(${twice})) AS total FROM images GROUP BY big ORDER BY big`,
    50,
  );
});

test('identical calls are computed once per row', async () => {
  await same(
    `SELECT scale2(data), list_max(scale2( data )), scale2(data)[2] FROM images`,
    `SELECT ${twice}, list_max(${twice}), (${twice})[2] FROM images`,
    50,
  );
});

test('calls nested in calls run level by level', async () => {
  await same(`SELECT scale2(scale2(data)) FROM images LIMIT 3`, `SELECT list_transform(data, v -> v * 4)::FLOAT[] FROM images LIMIT 3`, 6);
});

test('a CTE as the relation, and model calls inside a CTE', async () => {
  await same(
    `WITH small AS (SELECT * FROM images WHERE id < 10) SELECT id, scale2(data) FROM small ORDER BY id`,
    `WITH small AS (SELECT * FROM images WHERE id < 10) SELECT id, ${twice} FROM small ORDER BY id`,
    10,
  );
  await same(
    `WITH p AS (SELECT id, scale2(data) AS s FROM images) SELECT id, s FROM p WHERE s[1] > 90`,
    `WITH p AS (SELECT id, ${twice} AS s FROM images) SELECT id, s FROM p WHERE s[1] > 90`,
    50,
  );
});

test('subqueries: as the relation, and inside the relation of another call', async () => {
  await same(
    `SELECT id, scale2(data) FROM (SELECT * FROM images ORDER BY id DESC LIMIT 5) t`,
    `SELECT id, ${twice} FROM (SELECT * FROM images ORDER BY id DESC LIMIT 5) t`,
    5,
  );
  await same(
    `SELECT id, scale2(s) FROM (SELECT id, scale2(data) AS s FROM images WHERE id < 4) q`,
    `SELECT id, list_transform(data, v -> v * 4)::FLOAT[] FROM images WHERE id < 4`,
    8,
  );
  await same(
    `SELECT id, (SELECT scale2(data) FROM images i WHERE i.id = 1) FROM labels LIMIT 2`,
    `SELECT id, (SELECT ${twice} FROM images i WHERE i.id = 1) FROM labels LIMIT 2`,
    1,
  );
});

test('joins: the model runs on one side, WHERE conjuncts on that side are pushed', async () => {
  await same(
    `SELECT l.label, scale2(i.data) FROM labels l JOIN images i ON l.id = i.id WHERE i.id < 20 ORDER BY l.id`,
    `SELECT l.label, list_transform(i.data, v -> v * 2)::FLOAT[] FROM labels l JOIN images i ON l.id = i.id WHERE i.id < 20 ORDER BY l.id`,
    20,
  );
  // An unqualified column is looked up in each relation's columns.
  await same(
    `SELECT label, scale2(data) FROM labels JOIN images USING (id) ORDER BY id`,
    `SELECT label, ${twice} FROM labels JOIN images USING (id) ORDER BY id`,
    50,
  );
});

test('the nullable side of an outer join is not filtered early', async () => {
  await same(
    `SELECT l.id, scale2(i.data) FROM labels l LEFT JOIN images i ON l.id = i.id + 100 WHERE i.id IS NULL ORDER BY l.id`,
    `SELECT l.id, list_transform(i.data, v -> v * 2)::FLOAT[] FROM labels l LEFT JOIN images i ON l.id = i.id + 100 WHERE i.id IS NULL ORDER BY l.id`,
    50,
  );
});

test('views, table functions and set operations', async () => {
  await same(`SELECT id, scale2(data) FROM odd_images`, `SELECT id, ${twice} FROM odd_images`, 25);
  await same(
    `SELECT id, scale2(data) FROM read_parquet(${file}) WHERE id IN (1, 2)`,
    `SELECT id, ${twice} FROM read_parquet(${file}) WHERE id IN (1, 2)`,
    2,
  );
  await same(
    `SELECT scale2(data) AS s FROM images WHERE id = 1 UNION ALL SELECT scale2(data) FROM images WHERE id = 2`,
    `SELECT ${twice} AS s FROM images WHERE id = 1 UNION ALL SELECT ${twice} FROM images WHERE id = 2`,
    2,
  );
});

test('star expansions hide the staged columns, merged with an existing EXCLUDE', async () => {
  const { columns } = await run(f, `SELECT * EXCLUDE (filename), scale2(data) AS s FROM images LIMIT 1`);
  assert.deepEqual(columns, ['id', 'data', 's']);
  const joined = await run(f, `SELECT l.*, i.*, scale2(i.data) AS s FROM labels l JOIN images i USING (id) LIMIT 1`);
  assert.deepEqual(joined.columns, ['id', 'label', 'id', 'data', 'filename', 's']);
});

test('an unaliased call keeps its text as the column name', async () => {
  const { columns } = await run(f, `SELECT id, scale2(data), list_max(scale2(data)) FROM images LIMIT 1`);
  assert.deepEqual(columns, ['id', 'scale2(data)', 'list_max(scale2(data))']);
});

test('CREATE TABLE AS and INSERT INTO ... SELECT', async () => {
  await run(f, `CREATE TABLE doubled AS SELECT id, scale2(data) AS s FROM images WHERE id < 3`);
  await run(f, `INSERT INTO doubled SELECT id, scale2(data) FROM images WHERE id = 4`);
  assert.deepEqual(await duck(f, `SELECT id, s FROM doubled ORDER BY id`), [
    ['0', [0, 0]],
    ['1', [2, 20]],
    ['2', [4, 40]],
    ['4', [8, 80]],
  ]);
  assert.equal(await stagedTables(f), 0);
});

test('model output in a join condition, a window, QUALIFY, HAVING and DISTINCT ON', async () => {
  await same(
    `SELECT i.id, r.n FROM images i JOIN range(10) r(n) ON scale2(i.data)[1] = r.n * 2 ORDER BY i.id`,
    `SELECT i.id, r.n FROM images i JOIN range(10) r(n) ON (list_transform(i.data, v -> v * 2)::FLOAT[])[1] = r.n * 2 ORDER BY i.id`,
    50,
  );
  await same(
    `SELECT id, row_number() OVER (ORDER BY scale2(data)[1] DESC) AS rn FROM images WHERE id < 6 QUALIFY scale2(data)[1] > 2 ORDER BY rn`,
    `SELECT id, row_number() OVER (ORDER BY (${twice})[1] DESC) AS rn FROM images WHERE id < 6 QUALIFY (${twice})[1] > 2 ORDER BY rn`,
    6,
  );
  await same(
    `SELECT id % 3 AS g, max(scale2(data)[1]) AS m FROM images GROUP BY g HAVING max(scale2(data)[1]) > 90 ORDER BY g`,
    `SELECT id % 3 AS g, max((${twice})[1]) AS m FROM images GROUP BY g HAVING max((${twice})[1]) > 90 ORDER BY g`,
    50,
  );
  await same(
    `SELECT DISTINCT ON (scale2(data)[1] > 40) id FROM images ORDER BY scale2(data)[1] > 40, id`,
    `SELECT DISTINCT ON ((${twice})[1] > 40) id FROM images ORDER BY (${twice})[1] > 40, id`,
    50,
  );
});

test('a bare FROM-first query hides the staged columns', async () => {
  const { columns, rows } = await run(f, `FROM images WHERE scale2(data)[1] = 4`);
  assert.deepEqual(columns, ['id', 'data', 'filename']);
  assert.deepEqual(rows, [['2', [2, 20], 'f2']]);
});
