// The model stage's batching: fixed-size batches whatever DuckDB's chunk sizes, a bounded number in
// flight, results appended in input order even when batches finish out of order.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RowError, type ArgBatch, type ModelFunction, type ResultColumn } from '../udfs/model-function.js';
import { duck, execute, fixture, settings, TestRegistry, type Fixture } from './helpers/model-path-fixtures.js';

let f: Fixture;
before(async () => {
  f = await fixture();
});
after(() => f.close());

/** Returns each row's first value; later batches finish first, and concurrency is recorded. */
function shuffler() {
  const seen = { batches: [] as number[], firstRows: [] as number[], active: 0, maxActive: 0, activeRows: 0, maxActiveRows: 0 };
  const fn: ModelFunction = {
    name: 'first_value',
    description: 'test: first element',
    args: [{ name: 'x', kinds: ['float-list'], optional: false, constant: false }],
    resultType: 'FLOAT[]',
    async prepare() {
      return {
        description: 'first_value',
        resultType: 'FLOAT[]',
        async run(batch: ArgBatch): Promise<ResultColumn> {
          seen.batches.push(batch.rowCount);
          seen.firstRows.push(batch.firstRow);
          seen.active++;
          seen.maxActive = Math.max(seen.maxActive, seen.active);
          seen.activeRows += batch.rowCount;
          seen.maxActiveRows = Math.max(seen.maxActiveRows, seen.activeRows);
          // Earlier batches wait longer, so completions arrive out of order.
          await new Promise((resolve) => setTimeout(resolve, seen.batches.length % 2 === 1 ? 8 : 1));
          seen.active--;
          seen.activeRows -= batch.rowCount;
          const x = batch.columns[0]!;
          if (x.kind !== 'float-list') throw new Error('expected float-list');
          const values = new Float32Array(batch.rowCount);
          const offsets = new Int32Array(batch.rowCount + 1);
          let at = 0;
          for (let r = 0; r < batch.rowCount; r++) {
            if (x.valid[r]) values[at++] = x.values[x.offsets[r]!]!;
            offsets[r + 1] = at;
          }
          return { kind: 'float-list', values: values.slice(0, at), offsets, valid: x.valid.slice() };
        },
      };
    },
  };
  return { fn, seen };
}

test('batches have the configured size, stay within the in-flight cap, and come back in order', async () => {
  const { fn, seen } = shuffler();
  const registry = new TestRegistry([fn]);
  const { rows } = await execute(
    { connection: f.connection, registry, settings: settings(64, 2) },
    `SELECT id, first_value(data)[1] AS v FROM '${f.dir}/image_data.parquet' WHERE id < 1000`,
  );
  // Rows from Parquet pages: the last rows wait for the input's end, then go in even quarter batches
  // (ArgBatcher's balanceEnd).
  assert.deepEqual(seen.batches, [...Array(14).fill(64), ...Array(6).fill(15), 14]);
  assert.deepEqual(seen.firstRows, seen.batches.map((_, i) => seen.batches.slice(0, i).reduce((a, b) => a + b, 0)));
  // In flight: 2 x threads full batches' worth of rows, which the one being sent may pass; the end's
  // small batches go out together, more of them at once than full batches.
  assert.ok(seen.maxActiveRows < 4 * 64 + 15, `at most 4 batches' worth of rows in flight and the one being sent, saw ${seen.maxActiveRows}`);
  assert.ok(seen.maxActive > 4, `the small batches at the end go out together, saw at most ${seen.maxActive} at once`);
  rows.forEach((row, i) => assert.deepEqual(row, [String(i), i % 7 === 3 ? null : i]));
});

test('progress reports rows done against the input row count', async () => {
  const reports: { done: number; total: number | null }[] = [];
  await execute(
    { connection: f.connection, registry: f.registry, settings: settings(100, 1), onProgress: (p) => reports.push({ done: p.done, total: p.total }) },
    `SELECT scale2(data) FROM '${f.dir}/image_data.parquet' WHERE id < 250`,
  );
  assert.deepEqual(reports.at(0), { done: 0, total: 250 });
  assert.deepEqual(reports.at(-1), { done: 250, total: 250 });
});

test('an empty input runs no batch and the statement returns no rows', async () => {
  const before = f.scale2.batches;
  const { rows } = await execute(
    { connection: f.connection, registry: f.registry, settings: settings() },
    `SELECT scale2(data) FROM '${f.dir}/image_data.parquet' WHERE id < 0`,
  );
  assert.deepEqual(rows, []);
  assert.equal(f.scale2.batches, before);
});

// DuckDB's appender flushes by itself every ~200k rows, and a flush on the connection streaming the input
// ends that stream without an error: every row must still reach the model, with a second connection for
// the appends and without one.
for (const side of [true, false]) {
  test(`more rows than the appender buffers all reach the model (${side ? 'appending on a second connection' : 'results held until the input is read'})`, async () => {
    await f.connection.run(`CREATE OR REPLACE TABLE many AS SELECT i AS id, [i::FLOAT] AS data FROM range(250000) r(i)`);
    const before = f.scale2.rows;
    const { rows } = await execute(
      { connection: f.connection, registry: f.registry, settings: settings(4096, 2), ...(side ? { openConnection: f.openConnection } : {}) },
      `SELECT count(*), count(*) FILTER (WHERE scale2(data)[1] = 2 * id) FROM many`,
    );
    assert.equal(f.scale2.rows - before, 250000);
    assert.deepEqual(rows, [['250000', '250000']]);
  });
}

test('a stage that fails while the next chunk is read ahead stops, and the connection serves the next statement', async () => {
  const failing: ModelFunction = {
    name: 'fail_first',
    description: 'test: fails on its first batch',
    args: [{ name: 'x', kinds: ['float-list'], optional: false, constant: false }],
    resultType: 'FLOAT[]',
    async prepare() {
      return {
        description: 'fail_first',
        resultType: 'FLOAT[]',
        run(batch: ArgBatch): Promise<ResultColumn> {
          return Promise.reject(new RowError(batch.firstRow + 3, 'refused on purpose'));
        },
      };
    },
  };
  await f.connection.run(`CREATE OR REPLACE TABLE chunks AS SELECT i AS id, [i::FLOAT] AS data FROM range(10000) r(i)`);
  await assert.rejects(
    execute(
      { connection: f.connection, registry: new TestRegistry([failing]), settings: settings(64, 2), openConnection: f.openConnection },
      // A costly argument, so that the chunk read ahead is still being computed when the first batch fails.
      `SELECT fail_first([list_sum(list_transform(range(20000), x -> x * id))::FLOAT]) FROM chunks`,
    ),
    /fail_first failed on row 4: refused on purpose/,
  );
  // The read-ahead was interrupted; the interrupt must not reach the statements that follow.
  assert.deepEqual(await duck(f, `SELECT count(*) FROM chunks`), [['10000']]);
  const { rows } = await execute(
    { connection: f.connection, registry: f.registry, settings: settings(64, 2), openConnection: f.openConnection },
    `SELECT count(*) FILTER (WHERE scale2(data)[1] = 2 * id) FROM chunks`,
  );
  assert.deepEqual(rows, [['10000']]);
});
