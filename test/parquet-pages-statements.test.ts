// Model statements whose list arguments are read from Parquet pages give DuckDB's answer: a glob of files
// in several codecs and row groups, with a WHERE and a LIMIT; EXPLAIN says which path each argument
// takes and why; a file changed or corrupted under the statement is an error naming it.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SqlError } from '../engine/sql/sql-error.js';
import { duck, execute, fixture, settings, type Fixture, type RunOutcome } from './helpers/model-path-fixtures.js';

let f: Fixture;
let parts: string;

before(async () => {
  f = await fixture();
  parts = join(f.dir, 'parts');
  mkdirSync(parts);
  await f.connection.run(`CREATE TABLE images AS SELECT 1 AS id, [1.5]::FLOAT[] AS data`);
  const codecs = ['snappy', 'zstd', 'uncompressed'];
  for (const [i, codec] of codecs.entries()) {
    // NULL rows and empty lists; rows of 1 to 9 values; several row groups per file.
    await f.connection.run(
      `COPY (SELECT i AS id, CASE WHEN i % 11 = 4 THEN NULL WHEN i % 13 = 6 THEN []::FLOAT[]
             ELSE [((i * 31 + j) % 97 / 8.0)::FLOAT FOR j IN range(i % 9 + 1)] END AS data
             FROM range(${i * 700}, ${(i + 1) * 700}) t(i))
       TO '${join(parts, `part-${i}.parquet`)}' (COMPRESSION ${codec}, ROW_GROUP_SIZE 250, PARQUET_VERSION ${i === 1 ? 'V2' : 'V1'})`,
    );
  }
});
after(() => f.close());

/**
 * A model statement with `parquet_pages` set: 'always' by default, since these rows are narrower than
 * 'auto' reads from pages.
 */
function run(fixtureOf: Fixture, sql: string, pages = 'always'): Promise<RunOutcome> {
  const values: Record<string, string> = { parquet_pages: pages };
  return execute(
    { connection: fixtureOf.connection, registry: fixtureOf.registry, settings: { ...settings(7), get: (name) => values[name] }, openConnection: fixtureOf.openConnection },
    sql,
  );
}

const expected = (where: string) => `SELECT id, [x * 2 FOR x IN data] AS y FROM '${parts}/*.parquet' ${where}`;

/** The statement's rows are DuckDB's for the same SQL with scale2(column) written as the list it gives. */
async function assertDuckDBAnswer(sql: string, column = 'data'): Promise<void> {
  assert.deepEqual((await run(f, sql)).rows, await duck(f, sql.replace(`scale2(${column})`, `[x * 2 FOR x IN ${column}]`)), sql);
}

async function explainArguments(sql: string, pages = 'always'): Promise<string[]> {
  const { rows } = await run(f, `EXPLAIN ${sql}`, pages);
  return rows.filter((r) => r[0] === 'argument 1').map((r) => String(r[1]));
}

describe('arguments read from Parquet pages', () => {
  test('a glob of files with a WHERE and a LIMIT gives DuckDB answer, rows and values', async () => {
    const sql = `SELECT id, scale2(data) AS y FROM '${parts}/*.parquet' WHERE id % 3 = 1 ORDER BY id LIMIT 400`;
    assert.deepEqual(await explainArguments(sql), ['data: read from Parquet pages (3 files)']);
    const before = f.scale2.rows;
    const { rows } = await run(f, sql);
    assert.deepEqual(rows, await duck(f, `${expected('WHERE id % 3 = 1')} ORDER BY id LIMIT 400`));
    assert.equal(f.scale2.rows - before, 400, 'the model runs on the rows the WHERE and LIMIT keep');
  });

  test('a LIMIT without ORDER BY reads only the rows it keeps, in the files order', async () => {
    const sql = `SELECT id, scale2(data) AS y FROM read_parquet('${parts}/*.parquet') LIMIT 25`;
    assert.deepEqual(await explainArguments(sql), ['data: read from Parquet pages (3 files)']);
    const before = f.scale2.rows;
    const { rows } = await run(f, sql);
    assert.deepEqual(rows, await duck(f, `${expected('')} LIMIT 25`));
    assert.equal(f.scale2.rows - before, 25);
  });

  test('a guarded call reads the rows whose condition holds', async () => {
    const sql = `SELECT id, CASE WHEN id % 2 = 0 THEN scale2(data) END AS y FROM '${parts}/*.parquet' ORDER BY id`;
    assert.deepEqual(await explainArguments(sql), ['data: read from Parquet pages (3 files)']);
    const { rows } = await run(f, sql);
    assert.deepEqual(rows, await duck(f, `SELECT id, CASE WHEN id % 2 = 0 THEN [x * 2 FOR x IN data] END AS y FROM '${parts}/*.parquet' ORDER BY id`));
  });

  for (const [what, sql, reason] of [
    ['an expression', `SELECT id, scale2(list_reverse(data)) AS y FROM '$PARTS/*.parquet'`, 'the argument is an expression, not a column of the relation'],
    ['a filter on the column', `SELECT id, scale2(data) AS y FROM '$PARTS/*.parquet' WHERE len(data) > 3`, 'the relation is copied whole before the model runs'],
    ['a whole-row copy', `SELECT *, scale2(data) AS y FROM '$PARTS/*.parquet'`, 'the relation is copied whole before the model runs'],
    ['files with a column named file_row_number', `SELECT id, scale2(data) AS y FROM '$DIR/numbered.parquet'`, "the files have a column named file_row_number, which hides the row's location"],
    ['a grouping subquery', `SELECT id, scale2(data) AS y FROM (SELECT id, data FROM '$PARTS/*.parquet' GROUP BY ALL) AS s`, 'the column comes through a subquery or CTE that groups or deduplicates rows'],
    ['a computing CTE', `WITH t AS (SELECT id, list_reverse(data) AS data FROM '$PARTS/*.parquet') SELECT id, scale2(data) AS y FROM t`, 'the column comes through a subquery or CTE that computes data'],
    ['a table', `SELECT id, scale2(data) AS y FROM images`, 'the relation images is a table or view, not a Parquet file'],
  ] as const) {
    test(`${what}: read by DuckDB, and EXPLAIN says why`, async () => {
      const statement = sql.replace('$DIR', f.dir).replaceAll('$PARTS', parts);
      await f.connection.run(`COPY (SELECT 1 AS id, 7 AS file_row_number, [1.5]::FLOAT[] AS data) TO '${join(f.dir, 'numbered.parquet')}' (COMPRESSION uncompressed)`);
      const [line] = await explainArguments(statement);
      assert.ok(line?.startsWith(`data: read by DuckDB: ${reason}`) || line?.includes(reason), line);
    });
  }

  for (const [what, sql, check] of [
    ['a subquery that renames the column', `SELECT id, scale2(d) AS y FROM (SELECT id, data AS d FROM '$PARTS/*.parquet' WHERE id % 5 = 0 ORDER BY id DESC LIMIT 300) AS s`, `SELECT id, [x * 2 FOR x IN data] AS y FROM '$PARTS/*.parquet' WHERE id % 5 = 0 ORDER BY id DESC LIMIT 300`],
    ['a FROM-first CTE', `WITH t AS (FROM '$PARTS/*.parquet' WHERE id > 1000) SELECT id, scale2(data) AS y FROM t ORDER BY id`, `SELECT id, [x * 2 FOR x IN data] AS y FROM '$PARTS/*.parquet' WHERE id > 1000 ORDER BY id`],
    ['a CTE over read_parquet with a star', `WITH t AS (SELECT * EXCLUDE (id), id * 10 AS id FROM read_parquet('$PARTS/*.parquet') AS r) SELECT id, scale2(data) AS y FROM t WHERE id < 5000 ORDER BY id`, `SELECT id * 10 AS id, [x * 2 FOR x IN data] AS y FROM '$PARTS/*.parquet' WHERE id * 10 < 5000 ORDER BY id`],
  ] as const) {
    test(`${what}: passed through, read from pages`, async () => {
      const statement = sql.replaceAll('$PARTS', parts);
      assert.deepEqual(await explainArguments(statement), [`${sql.includes('scale2(d)') ? 'd' : 'data'}: read from Parquet pages (3 files)`]);
      const { rows } = await run(f, statement);
      assert.deepEqual(rows, await duck(f, check.replaceAll('$PARTS', parts)));
    });
  }

  test('a list of files and a hive-partitioned folder', async () => {
    // part-2 twice: its rows come again from its first, and each is read again.
    const files = `['${parts}/part-2.parquet', '${parts}/part-0.parquet', '${parts}/part-2.parquet']`;
    const list = `SELECT id, scale2(data) AS y FROM read_parquet(${files}) WHERE id % 4 = 0`;
    assert.deepEqual(await explainArguments(list), ['data: read from Parquet pages (2 files)']);
    assert.deepEqual((await run(f, list)).rows, await duck(f, `SELECT id, [x * 2 FOR x IN data] AS y FROM read_parquet(${files}) WHERE id % 4 = 0`));
    const hive = join(f.dir, 'hive');
    await f.connection.run(`COPY (SELECT id % 3 AS grp, id, data FROM '${parts}/*.parquet') TO '${hive}' (FORMAT parquet, PARTITION_BY (grp))`);
    const sql = `SELECT grp, id, scale2(data) AS y FROM read_parquet('${hive}/*/*.parquet', hive_partitioning = true) WHERE grp = 1 ORDER BY id`;
    assert.deepEqual(await explainArguments(sql), ['data: read from Parquet pages (3 files)']);
    assert.deepEqual((await run(f, sql)).rows, await duck(f, `SELECT grp, id, [x * 2 FOR x IN data] AS y FROM read_parquet('${hive}/*/*.parquet', hive_partitioning = true) WHERE grp = 1 ORDER BY id`));
  });

  test('a scan that names its columns by position: read by DuckDB, which gives the column under the new name', async () => {
    const path = join(f.dir, 'two-lists.parquet');
    await f.connection.run(`COPY (SELECT i AS id, [i::FLOAT, 1] AS a, [-i::FLOAT] AS b FROM range(20) t(i)) TO '${path}'`);
    for (const sql of [
      `SELECT id, scale2(a) AS y FROM read_parquet('${path}') AS t(id, b, a) ORDER BY id`,
      `SELECT id, scale2(a) AS y FROM '${path}' AS t(id, b, a) ORDER BY id`,
      `WITH s AS (SELECT * FROM read_parquet('${path}') AS t(id, b, a)) SELECT id, scale2(a) AS y FROM s ORDER BY id`,
      `WITH s AS (SELECT * FROM '${path}') SELECT id, scale2(a) AS y FROM s AS t(id, b, a) ORDER BY id`,
      `SELECT id, scale2(a) AS y FROM (SELECT * FROM '${path}') AS t(id, b, a) ORDER BY id`,
    ]) {
      await assertDuckDBAnswer(sql, 'a');
      assert.deepEqual(await explainArguments(sql), ['a: read by DuckDB: the relation renames its columns'], sql);
    }
  });

  test("files whose elements differ in type: read by DuckDB, which casts each file's to the scan's type", async () => {
    const mixed = join(f.dir, 'mixed');
    mkdirSync(mixed);
    await f.connection.run(`COPY (SELECT 1 AS id, [1, 2]::INTEGER[] AS data) TO '${mixed}/m-0.parquet'`);
    await f.connection.run(`COPY (SELECT 2 AS id, [1.5, 2.25, -7.5]::FLOAT[] AS data) TO '${mixed}/m-1.parquet'`);
    const sql = `SELECT id, scale2(data) AS y FROM '${mixed}/*.parquet' ORDER BY id`;
    assert.deepEqual((await run(f, sql)).rows, await duck(f, `SELECT id, [x * 2 FOR x IN data] AS y FROM '${mixed}/*.parquet' ORDER BY id`));
    const [line] = await explainArguments(sql);
    assert.match(line ?? '', /^data: read by DuckDB: in .*m-1\.parquet, data is FLOAT\[\], which DuckDB's scan of the files casts to INTEGER\[\]$/);
  });

  test('files in folders named as hive partitions of the column: read by DuckDB, whose partition column it would be', async () => {
    const folder = join(f.dir, 'keyed', 'data=1');
    mkdirSync(folder, { recursive: true });
    await f.connection.run(`COPY (SELECT i AS id, [i::FLOAT] AS data FROM range(5) t(i)) TO '${folder}/f.parquet'`);
    const sql = `SELECT id, scale2(data) AS y FROM read_parquet('${f.dir}/keyed/*/*.parquet', hive_partitioning = false) ORDER BY id`;
    await assertDuckDBAnswer(sql);
    assert.deepEqual(await explainArguments(sql), ["data: read by DuckDB: the files' folders are hive partitions by data"]);
  });

  test('a column whose name holds dots, named like the list\'s leaf: the leaf is found by its path, not its joined name', async () => {
    const path = join(f.dir, 'dotted.parquet');
    await f.connection.run(`COPY (SELECT i AS id, (i * 100)::FLOAT AS "data.list.element", [i::FLOAT, 0.5] AS data FROM range(10) t(i)) TO '${path}'`);
    const sql = `SELECT id, scale2(data) AS y FROM '${path}' ORDER BY id`;
    assert.deepEqual(await explainArguments(sql), ['data: read from Parquet pages (1 file)']);
    assert.deepEqual((await run(f, sql)).rows, await duck(f, `SELECT id, [x * 2 FOR x IN data] AS y FROM '${path}' ORDER BY id`));
  });

  test('files with a column named filename: the scan gives the file under an internal name', async () => {
    const sql = `SELECT filename, scale2(data) AS y FROM '${f.dir}/image_data.parquet' WHERE id > 500`;
    assert.deepEqual(await explainArguments(sql), ['data: read from Parquet pages (1 file)']);
    const { rows } = await run(f, sql);
    assert.deepEqual(rows, await duck(f, `SELECT filename, [x * 2 FOR x IN data] AS y FROM '${f.dir}/image_data.parquet' WHERE id > 500`));
  });

  test('a subquery over a file with a column named filename keeps the name DuckDB gives the file', async () => {
    const sql = `SELECT filename, scale2(data) AS y FROM (SELECT filename, data FROM '${f.dir}/image_data.parquet' WHERE image_data.id > 500) AS s`;
    assert.deepEqual(await explainArguments(sql), ['data: read from Parquet pages (1 file)']);
    await assertDuckDBAnswer(sql);
  });

  test('a file sampled without an alias: its rows come with their locations', async () => {
    // 100 percent: every row, so that the answer can be compared.
    for (const sql of [
      `SELECT id, scale2(data) AS y FROM '${parts}/part-1.parquet' TABLESAMPLE 100 PERCENT WHERE id % 7 = 2 ORDER BY id`,
      `SELECT filename, scale2(data) AS y FROM '${f.dir}/image_data.parquet' TABLESAMPLE 100 PERCENT WHERE id > 900 ORDER BY id`,
    ]) {
      assert.deepEqual(await explainArguments(sql), ['data: read from Parquet pages (1 file)'], sql);
      await assertDuckDBAnswer(sql);
    }
  });

  test("a read_parquet option not known to keep the files' values (here explicit_cardinality): read by DuckDB", async () => {
    const sql = `SELECT id, scale2(data) AS y FROM read_parquet('${parts}/part-1.parquet', explicit_cardinality = 700) WHERE id % 5 = 0`;
    assert.deepEqual(await explainArguments(sql), ['data: read by DuckDB: the Parquet scan sets explicit_cardinality']);
    await assertDuckDBAnswer(sql);
  });

  test("a scan's own filename option, written name = value as DuckDB allows, is read by DuckDB and gives DuckDB's column", async () => {
    for (const [option, column] of [['filename = true', 'filename'], ["filename = 'fname'", 'fname'], ['file_row_number = true', 'file_row_number']]) {
      const sql = `SELECT id, ${column}, scale2(data) AS y FROM read_parquet('${parts}/part-1.parquet', ${option}) WHERE id % 5 = 0`;
      assert.deepEqual(await explainArguments(sql), ['data: read by DuckDB: the scan sets its own row location options'], sql);
      await assertDuckDBAnswer(sql);
    }
  });

  test("SET parquet_pages: 'auto' reads narrow rows with DuckDB, 'never' never reads pages", async () => {
    const sql = `SELECT id, scale2(data) AS y FROM '${parts}/*.parquet'`;
    const [auto] = await explainArguments(sql, 'auto');
    assert.match(auto ?? '', /^data: read by DuckDB: its rows average \d+ bytes, which DuckDB reads faster \(pages from 4096 bytes a row, or SET parquet_pages = 'always'\)$/);
    assert.deepEqual(await explainArguments(sql, 'never'), ["data: read by DuckDB: SET parquet_pages = 'never'"]);
    const wide = join(f.dir, 'wide.parquet');
    await f.connection.run(`COPY (SELECT i AS id, [((i + j) % 251)::FLOAT FOR j IN range(2000)] AS data FROM range(50) t(i)) TO '${wide}'`);
    const wideSql = `SELECT id, scale2(data) AS y FROM '${wide}'`;
    assert.deepEqual(await explainArguments(wideSql, 'auto'), ['data: read from Parquet pages (1 file)']);
    assert.deepEqual((await run(f, wideSql, 'auto')).rows, await duck(f, `SELECT id, [x * 2 FOR x IN data] AS y FROM '${wide}'`));
  });

  test('a file changed while the statement runs: an error naming it, and no result', async () => {
    const changed = join(parts, 'part-2.parquet');
    const sql = `SELECT id, scale2(data) AS y FROM '${parts}/*.parquet'`;
    f.scale2.onRun = () => {
      f.scale2.onRun = null;
      utimesSync(changed, new Date(), new Date(Date.now() + 5000));
    };
    try {
      await assert.rejects(run(f, sql), (error: Error) => {
        assert.ok(error instanceof SqlError, String(error));
        assert.equal(error.code, 'model-input-read');
        assert.match(error.message, /part-2\.parquet changed while the statement read it/);
        return true;
      });
    } finally {
      f.scale2.onRun = null;
    }
  });

  test('a corrupt page: an error naming the file, row group and column', async () => {
    const path = join(f.dir, 'corrupt.parquet');
    await f.connection.run(`COPY (SELECT i AS id, [random()::FLOAT FOR j IN range(50)] AS data FROM range(100) t(i)) TO '${path}' (COMPRESSION snappy)`);
    const [[offset]] = (await duck(f, `SELECT data_page_offset::INTEGER FROM parquet_metadata('${path}') WHERE path_in_schema LIKE 'data%'`)) as [[number]];
    const bytes = readFileSync(path);
    // Scribble over the data column's page header: DuckDB, which reads only the other columns, never notices.
    bytes.fill(0xff, offset, offset + 24);
    writeFileSync(path, bytes);
    await assert.rejects(run(f, `SELECT id, scale2(data) AS y FROM '${path}'`), (error: Error) => {
      assert.ok(error instanceof SqlError, String(error));
      assert.equal(error.code, 'model-input-read');
      assert.match(error.message, /corrupt\.parquet, row group 1, column data: /);
      return true;
    });
  });
});
