// ONNX models registered with CREATE MODEL and called from SQL: outputs equal values computed here from
// the models' known weights, for one and several inputs (by position and by name), several outputs
// (a STRUCT, or one picked with the output option), int64 inputs, dynamic and fixed batch dimensions.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { linear, modelsFixture, rounded, type ModelsFixture } from './helpers/onnx-model-fixtures.js';

let f: ModelsFixture;
before(async () => {
  f = await modelsFixture();
  for (const name of ['linear', 'linear_batch1', 'two_inputs', 'two_outputs', 'int64', 'int32', 'dynamic']) {
    await f.engine.run(`CREATE MODEL ${name} FROM '${f.dir}/${name}.onnx'`);
  }
  await f.engine.run(`CREATE TABLE xs AS SELECT i AS id, [i, i * 0.5, 1 - i]::FLOAT[] AS x FROM range(10) t(i)`);
});
after(() => f.close());

const xOf = (i: number) => [i, i * 0.5, 1 - i];

test('a linear layer gives x W + b for every row, in order, with batches smaller than the input', async () => {
  await f.engine.run('SET model_batch_size = 3');
  const rows = await f.rows('SELECT id, linear(x) FROM xs ORDER BY id');
  await f.engine.run('RESET model_batch_size');
  assert.deepEqual(rows, Array.from({ length: 10 }, (_, i) => [BigInt(i), rounded(linear(xOf(i)))]));
});

test('NULL rows give NULL and never reach the model; arrays, double lists and named arguments are accepted', async () => {
  const rows = await f.rows(
    `SELECT linear(CASE WHEN id % 2 = 0 THEN x END), linear(x := x::DOUBLE[3]), linear([id, 0, 0]) FROM xs WHERE id < 3 ORDER BY id`,
  );
  assert.deepEqual(rows, [0, 1, 2].map((i) => [i % 2 === 0 ? rounded(linear(xOf(i))) : null, rounded(linear(xOf(i))), rounded(linear([i, 0, 0]))]));
});

test('a model with a fixed batch of 1 runs row by row', async () => {
  const rows = await f.rows('SELECT linear_batch1(x) FROM xs ORDER BY id');
  assert.deepEqual(rows, Array.from({ length: 10 }, (_, i) => [rounded(linear(xOf(i)))]));
});

test('two inputs map by position or by name', async () => {
  const expected = [[1 + 10 * 3, 2 + 10 * 4]];
  assert.deepEqual(await f.rows('SELECT two_inputs([1, 2], [3, 4]) FROM range(1)'), [expected]);
  assert.deepEqual(await f.rows('SELECT two_inputs(b := [3, 4], a := [1, 2]) FROM range(1)'), [expected]);
  assert.deepEqual(await f.rows('SELECT two_inputs([1, 2], b := [3, 4]) FROM range(1)'), [expected]);
});

test('two outputs give a STRUCT with a field per output; a [N, 1] output is one value per row', async () => {
  const [columns] = await f.engine.run('SELECT two_outputs(x) AS r FROM xs LIMIT 1');
  assert.equal(columns!.columns[0]!.type, 'STRUCT("y" FLOAT[], "total" FLOAT)');
  const rows = await f.rows('SELECT two_outputs(x) AS r, two_outputs(x).total AS t FROM xs ORDER BY id');
  assert.deepEqual(
    rows,
    Array.from({ length: 10 }, (_, i) => {
      const total = Math.round(xOf(i).reduce((a, b) => a + b, 0) * 1e5) / 1e5;
      return [{ y: rounded(linear(xOf(i))), total }, total];
    }),
  );
});

test('output => name picks one output', async () => {
  await f.engine.run(`CREATE MODEL row_total FROM '${f.dir}/two_outputs.onnx' WITH (output => 'total')`);
  const [result] = await f.engine.run('SELECT row_total([1, 2, 3.5]) AS t FROM range(2)');
  assert.equal(result!.columns[0]!.type, 'FLOAT');
  assert.deepEqual(result!.rows, [[6.5], [6.5]]);
});

test('int64 inputs are exact beyond float precision, and an int64 [N] output is a BIGINT column', async () => {
  const big = 2 ** 40 + 1;
  const [result] = await f.engine.run(`SELECT int64([${big}, 1, 2, id]) AS s, int64(ids := [1, 2, 3, 4]::INTEGER[]) FROM range(3) t(id)`);
  assert.equal(result!.columns[0]!.type, 'BIGINT');
  assert.deepEqual(result!.rows, [0, 1, 2].map((i) => [BigInt(big + 3 + i), 10n]));
});

test('values are converted to the element type an input needs (DOUBLE to int32 rounds, as DuckDB casts)', async () => {
  assert.deepEqual(await f.rows('SELECT int32([1.6, 2.4]), int32([3, 5]::BIGINT[]) FROM range(1)'), [[[1, 1], [1.5, 2.5]]]);
});

test('a dynamic row dimension takes its length from the rows (the same within a batch)', async () => {
  assert.deepEqual(await f.rows('SELECT dynamic([1, 2, 3]), dynamic([0.5]) FROM range(2)'), [
    [[2, 4, 6], [1]],
    [[2, 4, 6], [1]],
  ]);
});

test('a scalar argument is a one-value row', async () => {
  await f.engine.run(`CREATE MODEL scaled FROM '${f.dir}/dynamic.onnx' WITH (input_shape => '[1]')`);
  assert.deepEqual(await f.rows('SELECT scaled(id) FROM range(3) t(id)'), [[[0]], [[2]], [[4]]]);
});

test('LIMIT is pushed below a user model', async () => {
  const [explain] = await f.engine.run('EXPLAIN SELECT linear(x) FROM xs LIMIT 2');
  const text = explain!.rows.map((r) => r.join(' ')).join('\n');
  assert.match(text, /LIMIT 2 pushed/);
});

test('plan-time errors point at the call or the argument', async () => {
  const fails = async (sql: string, code: string, pattern: RegExp, at: string) => {
    await assert.rejects(f.engine.run(sql), (error: Error & { code?: string; span?: { start: number; end: number } }) => {
      assert.equal(error.code, code, `${sql}: ${error.message}`);
      assert.match(error.message, pattern);
      assert.equal(sql.slice(error.span!.start, error.span!.end), at);
      return true;
    });
  };
  await fails('SELECT linear(x, x) FROM xs', 'model-call-arity', /linear expects 1 argument, found 2/, 'linear(x, x)');
  await fails('SELECT two_inputs([1, 2]) FROM xs', 'model-call-arity', /two_inputs expects 2 arguments, found 1/, 'two_inputs([1, 2])');
  await fails('SELECT linear(y := x) FROM xs', 'model-call-named-argument', /linear has no input named y \(inputs: x\)/, 'y');
  await fails(`SELECT linear([1, 2]::FLOAT[2]) FROM xs`, 'model-call-argument-shape', /takes 3 values per row .* but FLOAT\[2\] has 2/, '[1, 2]::FLOAT[2]');
  await fails(`SELECT linear(2.5) FROM xs`, 'model-call-argument-shape', /takes 3 values per row .* but DECIMAL\(2,1\) has 1/, '2.5');
  await fails(`SELECT linear('abc') FROM xs`, 'model-call-argument-type', /must be a number or a list of numbers, found VARCHAR/, `'abc'`);
});

test('a row of the wrong length fails at run time, naming the row', async () => {
  await assert.rejects(f.engine.run('SELECT linear(CASE WHEN id = 4 THEN [1, 2] ELSE x END) FROM xs'), /linear failed on row 5: input 'x' expects 3 values \(rows of shape \[3\]\), found 2/);
});

test("under SET model_errors = 'null' a row of the wrong length gives NULL and the others their values", async () => {
  await f.engine.run(`SET model_errors = 'null'`);
  try {
    const rows = await f.rows('SELECT linear(CASE WHEN id = 1 THEN [1, 2] ELSE x END) FROM xs WHERE id < 3 ORDER BY id');
    assert.deepEqual(rows, [[rounded(linear(xOf(0)))], [null], [rounded(linear(xOf(2)))]]);
  } finally {
    await f.engine.run('RESET model_errors');
  }
});
