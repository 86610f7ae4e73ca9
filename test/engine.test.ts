// The engine API: createEngine, run (materialized), stream (chunks), settings, errors, abort, close.
import { DuckDBListValue } from '@duckdb/node-api';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEngine, SqlError } from '../engine/index.js';
import { tempDir } from './helpers/cli.js';

test('run returns one result per statement with columns, DuckDB types and faithful values', async () => {
  const engine = await createEngine();
  try {
    const results = await engine.run(`
      CREATE TABLE t AS SELECT range AS i, [range, range + 1] AS l FROM range(3);
      INSERT INTO t VALUES (10, NULL);
      SELECT i, l, 'x' AS s FROM t ORDER BY i;`);
    assert.deepEqual(
      results.map((r) => [r.kind, r.rowsChanged, r.sql]),
      [
        ['nothing', 0, 'CREATE TABLE t AS SELECT range AS i, [range, range + 1] AS l FROM range(3)'],
        ['count', 1, 'INSERT INTO t VALUES (10, NULL)'],
        ['rows', 0, 'SELECT i, l, \'x\' AS s FROM t ORDER BY i'],
      ],
    );
    const select = results[2]!;
    assert.deepEqual(
      select.columns.map((c) => [c.name, c.type]),
      [
        ['i', 'BIGINT'],
        ['l', 'BIGINT[]'],
        ['s', 'VARCHAR'],
      ],
    );
    assert.equal(select.rows.length, 4);
    assert.equal(select.rows[0]![0], 0n);
    assert.ok(select.rows[1]![1] instanceof DuckDBListValue);
    assert.deepEqual((select.rows[1]![1] as DuckDBListValue).items, [1n, 2n]);
    assert.deepEqual(select.rows[3], [10n, null, 'x']);
  } finally {
    await engine.close();
  }
});

test('stream yields statements lazily with their rows in chunks', async () => {
  const engine = await createEngine();
  try {
    const seen: string[] = [];
    for await (const statement of engine.stream('SELECT range AS n FROM range(5000); SELECT 1 AS one')) {
      let rows = 0;
      let chunks = 0;
      let sum = 0n;
      for await (const chunk of statement.chunks()) {
        chunks++;
        rows += chunk.length;
        for (const row of chunk) sum += typeof row[0] === 'bigint' ? row[0] : BigInt(row[0] as number);
      }
      seen.push(`${statement.sql}: ${rows} rows in ${chunks} chunks, sum ${sum}`);
    }
    assert.deepEqual(seen, ['SELECT range AS n FROM range(5000): 5000 rows in 3 chunks, sum 12497500', 'SELECT 1 AS one: 1 rows in 1 chunks, sum 1']);
  } finally {
    await engine.close();
  }
});

test('statements not read to the end do not block the next one', async () => {
  const engine = await createEngine();
  try {
    const kinds: string[] = [];
    for await (const statement of engine.stream('SELECT * FROM range(100000); SELECT 2 AS two')) {
      kinds.push(statement.kind);
      for await (const chunk of statement.chunks()) {
        assert.ok(chunk.length > 0);
        break;
      }
    }
    assert.deepEqual(kinds, ['rows', 'rows']);
  } finally {
    await engine.close();
  }
});

test('a DuckDB error is a SqlError with its position in the whole text, and later statements do not run', async () => {
  const engine = await createEngine();
  try {
    const source = 'CREATE TABLE a (x INT);\nSELECT y\n  FROM a;\nCREATE TABLE b (x INT);';
    const error = await engine.run(source).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SqlError);
    assert.equal(error.phase, 'execute');
    assert.equal(error.code, 'duckdb-binder');
    assert.deepEqual(error.position, { line: 2, column: 8 });
    assert.match(error.format(), /^Execution error at 2:8: Binder Error: Referenced column "y" not found[^]*\nSELECT y\n       \^$/);
    const tables = await engine.run("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name IN ('a', 'b')");
    assert.deepEqual(tables[0]!.rows, [[1n]]);
  } finally {
    await engine.close();
  }
});

test('an error raised while rows are fetched is placed in the text too', async () => {
  const engine = await createEngine();
  try {
    const read: string[] = [];
    await assert.rejects(
      async () => {
        for await (const s of engine.stream("SELECT 1;\nSELECT CAST('x' || range AS INTEGER) FROM range(3000)")) {
          for await (const _ of s.chunks()) read.push(s.sql);
        }
      },
      (e: unknown) => e instanceof SqlError && e.code === 'duckdb-conversion' && e.position?.line === 2,
    );
    assert.deepEqual(read, ['SELECT 1']);
  } finally {
    await engine.close();
  }
});

test("settings: initial values, SET / RESET / SHOW in SQL, validation, DuckDB's own SET untouched", async () => {
  const engine = await createEngine({ settings: { model_threads: 3, resnet50_weights: 'random' } });
  try {
    assert.equal(engine.settings.threads, 3);
    assert.equal(engine.settings.batchSize, 0);
    assert.equal(engine.settings.get('resnet50_weights'), 'random');
    const results = await engine.run('SET model_threads = 2; SET model_batch_size TO 8; SET threads = 1; SHOW sqlinfer_settings');
    assert.deepEqual(
      results.map((r) => r.kind),
      ['nothing', 'nothing', 'nothing', 'rows'],
    );
    assert.equal(engine.settings.threads, 2);
    assert.equal(engine.settings.batchSize, 8);
    assert.deepEqual(results[3]!.rows.find((r) => r[0] === 'model_batch_size')?.slice(0, 2), ['model_batch_size', '8']);
    const duckdbThreads = await engine.run("SELECT current_setting('threads') AS t");
    assert.equal(String(duckdbThreads[0]!.rows[0]![0]), '1');
    await engine.run('RESET model_batch_size');
    assert.equal(engine.settings.batchSize, 0);
    await assert.rejects(engine.run('SELECT 1;\nSET model_batch_size = -1'), (e: unknown) => {
      assert.ok(e instanceof SqlError);
      assert.equal(e.code, 'invalid-setting');
      assert.equal(
        e.format(),
        "Execution error at 2:24: model_batch_size must be an integer from 0 to 65536, got -1\nSET model_batch_size = -1\n                       ^^",
      );
      return true;
    });
    assert.throws(() => engine.settings.set('no_such_setting', 1), /unknown setting 'no_such_setting'/);
  } finally {
    await engine.close();
  }
});

test('an abort interrupts the running statement; the engine stays usable', async () => {
  const engine = await createEngine();
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(
      engine.run('SELECT count(*) FROM range(100000000000) a', { signal: controller.signal }),
      (e: unknown) => e instanceof SqlError && e.code === 'interrupted',
    );
    const after = await engine.run('SELECT 7 AS x');
    assert.deepEqual(after[0]!.rows, [[7]]);
  } finally {
    await engine.close();
  }
});

test('a database file is created if missing and keeps tables; close closes the udfs and the engine', async () => {
  const database = join(tempDir(), 'engine.duckdb');
  let udfsClosed = 0;
  const udfs = { registry: { has: () => false, get: () => undefined, list: () => [] }, setup: { names: ['twice'], sql: ['CREATE TEMP MACRO IF NOT EXISTS twice(x) AS x * 2'] }, close: async () => void udfsClosed++ };
  const first = await createEngine({ database, udfs });
  await first.run('CREATE TABLE kept AS SELECT twice(21) AS v');
  await first.close();
  await first.close();
  assert.equal(udfsClosed, 1);
  await assert.rejects(first.run('SELECT 1'), (e: unknown) => e instanceof SqlError && e.code === 'engine-closed');
  const second = await createEngine({ database });
  try {
    assert.deepEqual((await second.run('SELECT v FROM kept'))[0]!.rows, [[42]]);
  } finally {
    await second.close();
  }
});

test('a database that cannot be opened is a clear error', async () => {
  await assert.rejects(createEngine({ database: join(tempDir(), 'no', 'such', 'dir', 'x.duckdb') }), (e: unknown) => {
    return e instanceof SqlError && e.code === 'open-database' && /cannot open database '.*x\.duckdb'/.test(e.message);
  });
});
