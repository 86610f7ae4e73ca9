// Statements that store SQL for later or change rows in place cannot stage a model call: the user gets
// one sentence naming the statement, at its first words, and nothing runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';

const call = `predict_resnet50([1.0]::FLOAT[])`;
const cases: [string, RegExp][] = [
  [`CREATE OR REPLACE VIEW v AS SELECT ${call} FROM range(1)`, /cannot be called in CREATE VIEW: a view stores its query for later/],
  [`CREATE TEMP MACRO m(x) AS ${call}`, /cannot be called in CREATE MACRO: a macro stores its expression/],
  [`UPDATE t SET d = ${call}`, /cannot be called in UPDATE: UPDATE changes rows in place/],
  [`DELETE FROM t WHERE ${call}[1] > 0`, /cannot be called in DELETE/],
  [`PREPARE p AS SELECT ${call} FROM range(1)`, /cannot be called in PREPARE: a prepared statement stores its query/],
];

for (const [sql, expected] of cases) {
  test(`refused: ${sql.slice(0, 40)}`, async () => {
    const { code, stderr } = await runCli(['-c', `CREATE TABLE t AS SELECT [1.0]::FLOAT[] AS d; ${sql}; SELECT 'not reached'`]);
    assert.equal(code, 1);
    assert.match(stderr, /^Plan error at 1:\d+: predict_resnet50 /m);
    assert.match(stderr, expected);
  });
}

test('a view over a model function name that is not a call still goes to DuckDB', async () => {
  const { code, stdout, stderr } = await runCli(['-c', `CREATE VIEW predict_resnet50 AS SELECT 1 AS x; SELECT x FROM predict_resnet50`, '--format', 'csv']);
  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.match(stdout, /^x\n1\n$/);
});
