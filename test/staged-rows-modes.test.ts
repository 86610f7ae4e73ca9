// The two ways a relation's rows are staged give the same answers: streamed through the model with only
// the narrow columns the statement reads staged on the way, or copied whole first (a star, a wide column
// read later, nested calls). EXPLAIN says which.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { duck, execute, fixture, run, settings, type Fixture } from './helpers/model-path-fixtures.js';

let f: Fixture;
before(async () => {
  f = await fixture();
  await f.connection.run(`CREATE TABLE images AS SELECT * FROM '${f.dir}/image_data.parquet' WHERE id < 300`);
});
after(() => f.close());

const twice = `list_transform(data, v -> v * 2)::FLOAT[]`;

async function stageOf(sql: string): Promise<string> {
  const { rows } = await execute({ connection: f.connection, registry: f.registry, settings: settings() }, `EXPLAIN ${sql}`);
  return String(rows.find((r) => String(r[0]).startsWith('stage'))![1]);
}

const cases: [string, string, 'streamed' | 'copied'][] = [
  [`SELECT id, scale2(data) FROM images`, `SELECT id, ${twice} FROM images`, 'streamed'],
  [`SELECT count(*) FILTER (WHERE scale2(data)[1] = 2 * id) FROM images`, `SELECT count(*) FROM images WHERE data IS NOT NULL`, 'streamed'],
  [`SELECT filename, scale2(data)[2] AS y FROM images WHERE id % 3 = 0 ORDER BY y DESC LIMIT 7`, `SELECT filename, (${twice})[2] AS y FROM images WHERE id % 3 = 0 ORDER BY y DESC LIMIT 7`, 'streamed'],
  [`SELECT *, scale2(data) FROM images`, `SELECT *, ${twice} FROM images`, 'copied'],
  [`SELECT data, scale2(data) FROM images`, `SELECT data, ${twice} FROM images`, 'copied'],
  [`SELECT id, scale2(scale2(data)) FROM images`, `SELECT id, list_transform(data, v -> v * 4)::FLOAT[] FROM images`, 'copied'],
  [`SELECT i.id, l.id, scale2(i.data)[1] FROM images i JOIN images l USING (id) WHERE l.id < 40`, `SELECT i.id, l.id, (list_transform(i.data, v -> v * 2)::FLOAT[])[1] FROM images i JOIN images l USING (id) WHERE l.id < 40`, 'copied'],
];

for (const [sql, expected, mode] of cases) {
  test(`${mode}: ${sql}`, async () => {
    const { rows } = await run(f, sql);
    assert.deepEqual(rows, await duck(f, expected));
    assert.equal((await stageOf(sql)).startsWith('the columns read later'), mode === 'streamed');
  });
}
