// EXPLAIN of model statements prints the stages without running any model (golden outputs in
// test/golden/plan/explain.txt); EXPLAIN ANALYZE runs them and reports rows and times per stage.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { duck, fixture, run, type Fixture } from './helpers/model-path-fixtures.js';
import { assertGolden } from './helpers/golden.js';

let f: Fixture;
before(async () => {
  f = await fixture();
  await f.connection.run(`CREATE TABLE images AS SELECT * FROM '${f.dir}/image_data.parquet' WHERE id < 20`);
  await f.connection.run(`CREATE TABLE labels AS SELECT i AS id, 'label ' || i AS label FROM range(0, 20, 5) t(i)`);
});
after(() => f.close());

const statements = [
  `SELECT filename, scale2(data) AS p FROM '<dir>/image_data.parquet' LIMIT 5`,
  `SELECT id FROM '<dir>/image_data.parquet' WHERE id > 10 ORDER BY scale2(data)[1] DESC LIMIT 3`,
  `SELECT filename, scale2(data) FROM images WHERE id % 2 = 0 ORDER BY filename DESC LIMIT 2`,
  `SELECT l.label, list_max(scale2(i.data)), scale2(i.data)[1]
   FROM labels l JOIN images i ON l.id = i.id
   WHERE i.id < 10 AND l.label <> 'x'`,
  `WITH recent AS (SELECT * FROM images WHERE id >= 15) SELECT id, scale2(scale2(data)) FROM recent`,
  `COPY (SELECT id, scale2(data, 3) AS p FROM images) TO '<dir>/out.parquet' (FORMAT PARQUET)`,
];

test('EXPLAIN prints the input, model and output stages and runs nothing', async () => {
  const out: string[] = [];
  for (const statement of statements) {
    const sql = `EXPLAIN ${statement.replaceAll('<dir>', f.dir)}`;
    const { rows, columns } = await run(f, sql);
    assert.deepEqual(columns, ['stage', 'detail']);
    out.push(`-- ${statement.replace(/\n/g, '\n-- ')}\n${rows.map(([stage, detail]) => `${String(stage).padEnd(14)}${String(detail)}`).join('\n')}\n`);
  }
  assertGolden('plan/explain.txt', out.join('\n').replaceAll(f.dir, '<dir>'));
  assert.equal(f.scale2.rows, 0);
  assert.equal(f.scale2.prepared, 0, 'EXPLAIN must not load models');
  assert.equal(existsSync(join(f.dir, 'out.parquet')), false);
});

test('EXPLAIN ANALYZE runs the statement and counts the rows the model ran on', async () => {
  const { rows, columns } = await run(f, `EXPLAIN ANALYZE SELECT scale2(data) FROM '${f.dir}/image_data.parquet' WHERE id % 2 = 0 LIMIT 5`);
  assert.deepEqual(columns, ['stage', 'detail', 'rows', 'ms']);
  const byStage = new Map(rows.map((r) => [String(r[0]), r]));
  assert.equal(byStage.get('input 1')?.[2], '5');
  assert.equal(byStage.get('model 1')?.[2], '5');
  assert.equal(byStage.get('output')?.[2], '5');
  assert.equal(byStage.get('total')?.[1], 'the model ran on 5 rows');
  assert.ok(Number(byStage.get('model 1')?.[3]) >= 0);
  // What the first batch waited for: DuckDB's first rows, and the model's load that ran beside it.
  assert.match(String(byStage.get('waits 1')?.[1]), /^first input rows after \d+ ms, first batch to the model after \d+ ms, models loaded after \d+ ms$/);
  assert.equal(f.scale2.rows, 5);
});

test('EXPLAIN ANALYZE of a COPY writes the file', async () => {
  const target = join(f.dir, 'analyzed.parquet');
  const { rows } = await run(f, `EXPLAIN ANALYZE COPY (SELECT scale2(data) AS p FROM images) TO '${target}'`);
  assert.equal(rows.find((r) => r[0] === 'output')?.[2], '20');
  assert.deepEqual(await duck(f, `SELECT count(*) FROM '${target}'`), [['20']]);
});
