// Plan errors: each names what was expected and points at the call or argument at fault (golden
// messages in test/golden/plan/errors.txt). Mistakes DuckDB finds after the model calls are reported
// before any model runs, at their place in the user's text.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqlError } from '../engine/sql/sql-error.js';
import { execute, fixture, settings, type Fixture } from './helpers/model-path-fixtures.js';
import { assertGolden } from './helpers/golden.js';

let f: Fixture;
before(async () => {
  f = await fixture();
  await f.connection.run(`CREATE TABLE images AS SELECT * FROM '${f.dir}/image_data.parquet' WHERE id < 20`);
});
after(() => f.close());

const cases = [
  `SELECT scale2(data, 1, 2) FROM images`,
  `SELECT scale2() FROM images`,
  `SELECT scale2(data, id) FROM images`,
  `SELECT id,\n       scale2(data, 'x')\nFROM images`,
  `SELECT scale2(filename) FROM images`,
  `SELECT scale2(nope) FROM images`,
  `SELECT scale2(data) FROM images a JOIN images b USING (id)`,
  `SELECT scale2(list_concat(a.data, b.data)) FROM images a, images b`,
  `SELECT id, (SELECT max(scale2(o.data)[1]) FROM images i WHERE i.id = o.id) FROM images o`,
  `SELECT id, (SELECT scale2(o.data)) FROM images o`,
  `VALUES (scale2([1.0]))`,
  `SELECT scale2(DISTINCT data) FROM images`,
  `SELECT scale2(x := data) FROM images`,
  `SELECT * FROM read_parquet(scale2(data))`,
  `SELECT id FROM images UNION SELECT id FROM images ORDER BY scale2(data)`,
  `SELECT scale2((SELECT data FROM images LIMIT 1)) FROM images`,
  `SELECT blob_len(data) FROM images`,
  `SELECT scale2(list_concat(list(data)[1], [1.0])) FROM images`,
  `WITH RECURSIVE r AS (SELECT 1 AS n, [1.0] AS v UNION ALL SELECT n + 1, scale2(v) FROM r WHERE n < 3) SELECT * FROM r`,
  `SELECT scale2(data) + 1 FROM images`,
  `SELECT id,
  list_max(scale2(data)) AS m, nope
FROM images`,
];

test('plan errors name the problem and point at it', async () => {
  const out: string[] = [];
  for (const sql of cases) {
    const error = await execute({ connection: f.connection, registry: f.registry, settings: settings() }, sql).then(
      () => assert.fail(`expected a plan error for: ${sql}`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SqlError, `${sql}: ${String(error)}`);
    assert.equal(error.phase, 'plan', sql);
    assert.ok(error.span !== undefined, `${sql}: the error has no position`);
    out.push(`-- ${sql.replace(/\n/g, '\n-- ')}\n${error.code}\n${error.format()}\n`);
  }
  assertGolden('plan/errors.txt', out.join('\n'));
  assert.equal(f.scale2.rows, 0, 'a plan error must not run the model');
});
