// A model statement means what DuckDB would make of it: staging the input must not change what the query
// may do (unnamed structs, sequences advance, the result has DuckDB's shape).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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
