// The rows a model saw are the rows the rest of the statement sees: each relation that feeds a model is
// read once, its results joined back by row key. Whatever a second evaluation of the relation would give
// (a volatile filter, a sample, a file arriving in a glob), every result stays on its own row and the
// statement gives the answer of one evaluation, as DuckDB does.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SqlError } from '../engine/sql/sql-error.js';
import { duck, execute, fixture, run, settings, stagedTables, TestRegistry, type Fixture } from './helpers/model-path-fixtures.js';
import type { ArgBatch, ModelFunction, ResultColumn } from '../udfs/model-function.js';

let f: Fixture;
let file: string;
before(async () => {
  f = await fixture();
  file = `'${f.dir}/image_data.parquet'`;
  await f.connection.run(`CREATE TABLE images AS SELECT * FROM ${file} WHERE id < 200`);
});
after(() => f.close());

/** Every row's result belongs to it: scale2(data)[1] is twice its id (rows with NULL data give NULL). */
function assertOwnRows(rows: unknown[][]): void {
  for (const [id, first] of rows) {
    if (first !== null) assert.equal(first, 2 * Number(id), `row ${String(id)} got another row's result`);
  }
}

test('a volatile filter (a macro around random()) is evaluated once: one sample, results on their own rows', async () => {
  await f.connection.run(`CREATE OR REPLACE MACRO coin() AS random() < 0.5`);
  for (let i = 0; i < 3; i++) {
    const { rows } = await run(f, `SELECT id, scale2(data)[1] FROM images WHERE coin()`);
    assertOwnRows(rows);
    // Two evaluations of the filter would keep about a quarter of the rows; one keeps about half.
    assert.ok(rows.length > 60 && rows.length < 140, `kept ${rows.length} of 200 rows`);
  }
});

test('random() in the WHERE and USING SAMPLE give one evaluation, results on their own rows', async () => {
  const filtered = await run(f, `SELECT id, scale2(data)[1] FROM images WHERE random() < 0.5`);
  assertOwnRows(filtered.rows);
  assert.ok(filtered.rows.length > 60 && filtered.rows.length < 140, `kept ${filtered.rows.length} of 200 rows`);
  const sampled = await run(f, `SELECT id, scale2(data)[1] FROM images USING SAMPLE 25 ROWS`);
  assert.equal(sampled.rows.length, 25);
  assertOwnRows(sampled.rows);
  const inline = await run(f, `SELECT id, scale2(data)[1] FROM images TABLESAMPLE 30 ROWS`);
  assert.equal(inline.rows.length, 30);
  assertOwnRows(inline.rows);
});

test('a filter on now() keeps its rows and each its own result', async () => {
  await f.connection.run(`CREATE OR REPLACE TABLE events AS SELECT id, data, now() - INTERVAL (id) SECOND AS ts FROM images`);
  const { rows } = await run(f, `SELECT id, scale2(data)[1] FROM events WHERE ts > now() - INTERVAL 100 SECOND ORDER BY id`);
  assert.deepEqual(rows.map((r) => r[0]), [...Array(100).keys()].map(String));
  assertOwnRows(rows);
});

test('a file that arrives in the glob while the model runs does not shift the results', async () => {
  const dir = join(f.dir, 'arriving');
  mkdirSync(dir, { recursive: true });
  await f.connection.run(`COPY (SELECT * FROM images WHERE id < 100) TO '${dir}/a.parquet'`);
  let copied = false;
  const arrive: ModelFunction = {
    ...f.scale2,
    name: 'arrive',
    async prepare(context) {
      const inner = await f.scale2.prepare(context);
      return {
        ...inner,
        run(batch: ArgBatch, signal?: AbortSignal): Promise<ResultColumn> {
          // A new file sorting first: a second scan of the glob would see its rows ahead of a.parquet's.
          if (!copied) copyFileSync(join(dir, 'a.parquet'), join(dir, '0.parquet'));
          copied = true;
          return inner.run!(batch, signal);
        },
      };
    },
  };
  const { rows } = await execute(
    { connection: f.connection, registry: new TestRegistry([arrive]), settings: settings(16), openConnection: f.openConnection },
    `SELECT id, arrive(data)[1] FROM '${dir}/*.parquet'`,
  );
  assert.ok(copied);
  assert.equal(rows.length, 100);
  assertOwnRows(rows);
});

test('columns named like sqlinfer internals are the user\'s own and cannot replace a model result', async () => {
  await f.connection.run(
    `CREATE OR REPLACE TABLE tricky AS SELECT id, data, -1 AS __sqlinfer_m1, -2 AS __sqlinfer_key, -3 AS __sqlinfer_1_m1 FROM images WHERE id < 20`,
  );
  const { rows, columns } = await run(f, `SELECT *, scale2(data)[1] AS s FROM tricky`);
  assert.deepEqual(columns, ['id', 'data', '__sqlinfer_m1', '__sqlinfer_key', '__sqlinfer_1_m1', 's']);
  assert.deepEqual(
    rows.map((r) => [r[0], r[2], r[3], r[4]]),
    (await duck(f, `SELECT id, __sqlinfer_m1, __sqlinfer_key, __sqlinfer_1_m1 FROM tricky`)),
  );
  assertOwnRows(rows.map((r) => [r[0], r[5]]));
  // A join with a relation that has such a column keeps that column too.
  const joined = await run(f, `SELECT t.__sqlinfer_m1, i.id, scale2(i.data)[1] FROM tricky t JOIN images i USING (id) ORDER BY i.id`);
  assert.deepEqual(joined.rows.map((r) => r[0]), Array(20).fill(-1));
  assertOwnRows(joined.rows.map((r) => [r[1], r[2]]));
});

test('a call under CASE, COALESCE, IF, AND or OR runs only on the rows DuckDB evaluates it on', async () => {
  f.scale2.failOn = 5;
  try {
    const shapes: [string, string][] = [
      [`SELECT id, CASE WHEN id % 5 <> 0 THEN scale2(data)[1] END FROM images`, `SELECT id, CASE WHEN id % 5 <> 0 THEN data[1] * 2 END FROM images`],
      [`SELECT id, CASE id WHEN 5 THEN -1 ELSE scale2(data)[1] END FROM images`, `SELECT id, CASE id WHEN 5 THEN -1 ELSE data[1] * 2 END FROM images`],
      [`SELECT id, COALESCE(CASE WHEN id = 5 THEN 0 END, scale2(data)[1]) FROM images`, `SELECT id, COALESCE(CASE WHEN id = 5 THEN 0 END, data[1] * 2) FROM images`],
      [`SELECT id, IF(id = 5, NULL, scale2(data)[1]) FROM images`, `SELECT id, IF(id = 5, NULL, data[1] * 2) FROM images`],
      [`SELECT id FROM images WHERE id <> 5 AND scale2(data)[1] > 100`, `SELECT id FROM images WHERE id <> 5 AND data[1] * 2 > 100`],
      [`SELECT id, id = 5 OR scale2(data)[1] > 100 FROM images`, `SELECT id, id = 5 OR data[1] * 2 > 100 FROM images`],
    ];
    // The model fails on row 5's value: it must never get it.
    for (const [sql, expected] of shapes) {
      const { rows } = await run(f, sql);
      assert.deepEqual(rows, await duck(f, expected), sql);
    }
    // Unguarded, the same row fails the statement.
    await assert.rejects(run(f, `SELECT id, scale2(data)[1] FROM images`), /scale2 failed on row 6/);
  } finally {
    f.scale2.failOn = null;
  }
});

test('a call inside a lambda is refused with a reason, not run on the shadowed column', async () => {
  await f.connection.run(`CREATE OR REPLACE TABLE lists AS SELECT id, data, [data, data] AS datas FROM images WHERE id < 5`);
  const error = await run(f, `SELECT list_transform(datas, data -> scale2(data)) FROM lists`).then(
    () => assert.fail('expected a plan error'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SqlError);
  assert.equal(error.code, 'model-call-placement');
  assert.match(error.message, /inside a lambda/);
  assert.equal(await stagedTables(f), 0);
});

test('inside the user\'s transaction a model statement works and its writes commit or roll back with it', async () => {
  await f.connection.run(`CREATE OR REPLACE TABLE results (id BIGINT, s FLOAT)`);
  await f.connection.run('BEGIN TRANSACTION');
  await f.connection.run(`INSERT INTO results VALUES (-1, -1)`);
  const { rows } = await run(f, `SELECT id, scale2(data)[1] FROM images WHERE id < 10`);
  assertOwnRows(rows);
  await run(f, `INSERT INTO results SELECT id, scale2(data)[1] FROM images WHERE id < 10`);
  await f.connection.run('ROLLBACK');
  assert.deepEqual(await duck(f, `SELECT count(*) FROM results`), [['0']]);
  await f.connection.run('BEGIN TRANSACTION');
  await run(f, `INSERT INTO results SELECT id, scale2(data)[1] FROM images WHERE id < 10`);
  await f.connection.run('COMMIT');
  assert.deepEqual(await duck(f, `SELECT count(*), count(*) FILTER (WHERE s = 2 * id OR s IS NULL) FROM results`), [['10', '10']]);
  assert.equal(await stagedTables(f), 0);
});

test('a first model statement inside a transaction that rolls back leaves the next ones working', async () => {
  const g = await fixture();
  try {
    const sql = `SELECT id, scale2(data)[1] FROM '${g.dir}/image_data.parquet' WHERE id < 10`;
    await g.connection.run('BEGIN TRANSACTION');
    assertOwnRows((await run(g, sql)).rows);
    await g.connection.run('ROLLBACK');
    const { rows } = await run(g, sql);
    assert.equal(rows.length, 10);
    assertOwnRows(rows);
  } finally {
    g.close();
  }
});

test('a virtual column of a file scan (file_row_number) reaches the output', async () => {
  const { rows } = await run(f, `SELECT file_row_number, scale2(data)[1] FROM ${file} WHERE id = 4`);
  assert.deepEqual(rows, [['4', 8]]);
});

test("a table's rowid reaches the output, in the select list, WHERE and ORDER BY, after deletes", async () => {
  await f.connection.run(`CREATE OR REPLACE TABLE with_gaps AS SELECT * FROM images WHERE id < 20`);
  await f.connection.run(`DELETE FROM with_gaps WHERE id % 4 = 1`);
  const sql = `SELECT rowid, with_gaps.rowid AS r2, id, scale2(data)[1] FROM with_gaps WHERE rowid > 5 ORDER BY rowid DESC`;
  const { rows } = await run(f, sql);
  assertOwnRows(rows.map(([, , id, first]) => [id, first]));
  assert.deepEqual(rows.map((r) => r.slice(0, 3)), (await duck(f, sql.replace('scale2(data)[1]', 'data[1] * 2'))).map((r) => r.slice(0, 3)));
});

test('an unaliased select item is named by its text as written, spaces kept', async () => {
  const { columns } = await run(f, `SELECT scale2( data )[1]  +  1, id FROM images WHERE id < 2`);
  assert.deepEqual(columns, ['scale2( data )[1]  +  1', 'id']);
});

test('a guard outside an aggregate or a window does not choose the rows the aggregate reads', async () => {
  const shapes: [string, string][] = [
    [`SELECT id, CASE WHEN id % 3 = 0 THEN sum(scale2(data)[1]) OVER () END FROM images ORDER BY id`, `SELECT id, CASE WHEN id % 3 = 0 THEN sum(data[1] * 2) OVER () END FROM images ORDER BY id`],
    [`SELECT id, CASE WHEN id % 3 = 0 THEN lag(scale2(data)[1]) OVER (ORDER BY id) END FROM images ORDER BY id`, `SELECT id, CASE WHEN id % 3 = 0 THEN lag(data[1] * 2) OVER (ORDER BY id) END FROM images ORDER BY id`],
    [`SELECT id % 2 AS g, CASE WHEN id % 2 IS NULL THEN sum(scale2(data)[1]) ELSE -1 END FROM images GROUP BY ROLLUP(g) ORDER BY g`, `SELECT id % 2 AS g, CASE WHEN id % 2 IS NULL THEN sum(data[1] * 2) ELSE -1 END FROM images GROUP BY ROLLUP(g) ORDER BY g`],
  ];
  for (const [sql, expected] of shapes) {
    const { rows } = await run(f, sql);
    assert.deepEqual(rows, await duck(f, expected), sql);
  }
});

test('a guard that could change between two evaluations (a macro around random(), now()) is not used', async () => {
  await f.connection.run(`CREATE OR REPLACE MACRO rnd() AS random()`);
  for (const guard of [`rnd() < 0.5`, `epoch_us(now()) % 2 = 0`]) {
    const { rows } = await run(f, `SELECT id, data IS NULL, CASE WHEN ${guard} THEN scale2(data)[1] ELSE -1 END FROM images`);
    // Every row got either its result or -1: none lost its result to a second, different evaluation.
    for (const [id, missing, value] of rows) if (value === null) assert.equal(missing, true, `row ${String(id)} under ${guard}`);
  }
});

test('the relation named as a whole row is refused with a reason', async () => {
  const error = await run(f, `SELECT images, scale2(data) FROM images`).then(() => assert.fail('expected a plan error'), (e: unknown) => e);
  assert.ok(error instanceof SqlError);
  assert.equal(error.code, 'model-relation-row');
  assert.match(error.detail, /images as a whole row cannot be read/);
});

test('inside a transaction, staged tables never touch the user\'s tables of the same names', async () => {
  await f.connection.run(`CREATE OR REPLACE TABLE t1 AS SELECT * FROM images WHERE id < 5`);
  await f.connection.run(`CREATE OR REPLACE TEMP TABLE s1 AS SELECT 42 AS kept`);
  await f.connection.run('BEGIN TRANSACTION');
  try {
    const { rows } = await run(f, `SELECT id, scale2(data)[1] FROM t1 ORDER BY id`);
    assertOwnRows(rows);
    assert.equal(rows.length, 5);
  } finally {
    await f.connection.run('COMMIT');
  }
  assert.deepEqual(await duck(f, `SELECT kept FROM s1`), [[42]]);
});

test('a WHERE is not pushed below a USING SAMPLE of the same SELECT: DuckDB samples the rows before filtering', async () => {
  for (const [where, sample] of [['id > 100', '30 ROWS (reservoir, 1)'], ['id % 3 = 1', '20% (bernoulli, 2)']]) {
    const sql = `SELECT id, scale2(data)[1] FROM images WHERE ${where} USING SAMPLE ${sample}`;
    const { rows } = await run(f, sql);
    assertOwnRows(rows);
    const ids = (rows_: unknown[][]) => rows_.map((r) => String(r[0])).sort();
    assert.deepEqual(ids(rows), ids(await duck(f, sql.replace('scale2(data)[1]', 'data[1] * 2'))), sql);
  }
});

test('LIMIT is not pushed below a USING SAMPLE of the same SELECT', async () => {
  const { rows } = await run(f, `SELECT count(*) FROM (SELECT scale2(data) FROM ${file} USING SAMPLE 50 PERCENT (bernoulli) LIMIT 100)`);
  assert.deepEqual(rows, [['100']]);
});

test('a call in a SELECT without FROM runs once, as DuckDB evaluates such a SELECT, and errors point into the text as written', async () => {
  const { rows, columns } = await run(f, `SELECT scale2([1, 2]::FLOAT[]) AS s, 7 AS seven`);
  assert.deepEqual(columns, ['s', 'seven']);
  assert.deepEqual(rows, [[[2, 4], 7]]);
  const sql = `SELECT scale2([1.0]::FLOAT[]) WHERE nope > 1`;
  const error = await run(f, sql).then(() => assert.fail('expected an error'), (e: unknown) => e);
  assert.ok(error instanceof SqlError);
  assert.equal(error.source, sql);
  assert.equal(sql.slice(error.span!.start, error.span!.end), 'nope');
});
