// The Parquet page reader against DuckDB's own read of the same rows, bit for bit, over a matrix of files
// DuckDB writes: every codec x Parquet v1/v2 x dictionary on/off x NULL rows, NULL elements, empty lists
// x several row groups and pages; and the small files other writers made (test/fixtures/parquet/).
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readChunkColumn } from '../engine/exec/arg-columns.js';
import { inspectTensorColumn } from '../engine/parquet/parquet-footer.js';
import { ParquetTensorReader, TensorReadError, type TensorRows } from '../engine/parquet/tensor-reader.js';
import type { ElementType } from '../udfs/model-function.js';
import { tempDir } from './helpers/cli.js';

let db: DuckDBInstance;
let connection: DuckDBConnection;
const dir = tempDir('sqlinfer-pages-');

before(async () => {
  db = await DuckDBInstance.create(':memory:');
  connection = await db.connect();
});
after(() => {
  connection.closeSync();
  db.closeSync();
});

const sqlType: Record<ElementType, string> = { float32: 'FLOAT[]', float64: 'DOUBLE[]', int32: 'INTEGER[]', int64: 'BIGINT[]', uint8: 'UTINYINT[]', bool: 'BOOLEAN[]' };

/** DuckDB's read of `column` as `element` lists, through the path the model stage used before pages. */
async function duckdbRows(path: string, column: string, element: ElementType, rows: readonly number[]): Promise<TensorRows> {
  const list = rows.length === 0 ? '-1' : rows.join(', ');
  const sql = `SELECT CAST(${column} AS ${sqlType[element]}) FROM (SELECT *, file_row_number AS __r FROM read_parquet('${path}')) WHERE __r IN (${list}) ORDER BY array_position([${list}], __r)`;
  const result = await connection.run(sql);
  const parts: TensorRows[] = [];
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const column = readChunkColumn(chunk, 0, element === 'float32' ? 'float-list' : { sql: '', kind: 'tensor-list', element, scalar: false });
    parts.push(column as TensorRows);
  }
  return concat(parts, element);
}

function concat(parts: readonly TensorRows[], element: ElementType): TensorRows {
  const rows = parts.reduce((n, p) => n + p.valid.length, 0);
  const total = parts.reduce((n, p) => n + p.values.length, 0);
  const size = element === 'float64' || element === 'int64' ? 8 : 4;
  const bytes = new Uint8Array(total * size);
  const offsets = new Int32Array(rows + 1);
  const valid = new Uint8Array(rows);
  let row = 0;
  let at = 0;
  for (const p of parts) {
    const b = new Uint8Array(p.values.buffer, p.values.byteOffset, p.values.byteLength);
    bytes.set(b, at * size);
    for (let i = 0; i < p.valid.length; i++) {
      valid[row + i] = p.valid[i]!;
      offsets[row + i + 1] = offsets[row]! + p.offsets[i + 1]! - p.offsets[0]!;
    }
    row += p.valid.length;
    at += p.values.length;
  }
  return { values: new Uint8Array(bytes.buffer) as never, offsets, valid };
}

/** The column's type in DuckDB's scan of `path`, which the page reader must find in the file. */
async function scanType(path: string, column: string): Promise<string> {
  const reader = await connection.runAndReadAll(`SELECT typeof(${column}) FROM read_parquet('${path}') LIMIT 1`);
  return String(reader.getRows()[0]![0]);
}

/** Our read of `rows` of `path`. */
async function pageRows(path: string, column: string, element: ElementType, rows: readonly number[]): Promise<TensorRows> {
  const inspected = await inspectTensorColumn([path], column, element, await scanType(path, column));
  if ('reason' in inspected) throw new Error(inspected.reason);
  const reader = new ParquetTensorReader(column, element, inspected.files);
  try {
    const locations = { files: [path], file: new Int32Array(rows.length), row: Float64Array.from(rows), valid: new Uint8Array(rows.length).fill(1) };
    return await reader.read(locations);
  } finally {
    await reader.close();
  }
}

function assertSameRows(actual: TensorRows, expected: TensorRows, what: string): void {
  assert.deepEqual([...actual.valid], [...expected.valid], `${what}: NULL rows`);
  assert.deepEqual([...actual.offsets], [...expected.offsets], `${what}: list lengths`);
  const a = new Uint8Array(actual.values.buffer, actual.values.byteOffset, actual.values.byteLength);
  const e = new Uint8Array(expected.values.buffer, expected.values.byteOffset, expected.values.byteLength);
  assert.equal(a.length, e.length, `${what}: bytes`);
  const first = a.findIndex((b, i) => b !== e[i]);
  assert.equal(first, -1, `${what}: values differ from byte ${first}`);
}

async function checkFile(path: string, column: string, element: ElementType, rowCount: number, what: string): Promise<void> {
  const all = Array.from({ length: rowCount }, (_, i) => i);
  assertSameRows(await pageRows(path, column, element, all), await duckdbRows(path, column, element, all), `${what}, every row`);
  const some = all.filter((i) => i % 3 === 1 || i === rowCount - 1);
  assertSameRows(await pageRows(path, column, element, some), await duckdbRows(path, column, element, some), `${what}, every third row`);
  // Backwards, each row reopens its row group: a few rows suffice.
  const backwards = some.filter((_, i) => i % 25 === 0).reverse();
  assertSameRows(await pageRows(path, column, element, backwards), await duckdbRows(path, column, element, backwards), `${what}, rows backwards`);
}

const codecs = ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4_raw', 'brotli'] as const;

/** Rows with NULL rows, NULL elements and empty lists; few distinct values when `dictionary`. */
function valuesSql(dictionary: boolean, type: string): string {
  const value = dictionary ? `((i * 7 + j) % 5)::${type}` : `(hash(i * 1000 + j) % 100000 / 7.0)::${type}`;
  return `SELECT i AS id, CASE WHEN i % 17 = 3 THEN NULL WHEN i % 13 = 5 THEN []::${type}[]
    ELSE [CASE WHEN (i + j) % 29 = 0 THEN NULL ELSE ${value} END FOR j IN range(i % 11 + 1)] END AS data
    FROM range(3000) t(i)`;
}

describe('DuckDB-written files', () => {
  for (const codec of codecs) {
    for (const version of ['V1', 'V2'] as const) {
      for (const dictionary of [false, true]) {
        const what = `${codec}, parquet ${version}, dictionary ${dictionary ? 'on' : 'off'}`;
        test(what, async () => {
          const path = join(dir, `${codec}-${version}-${dictionary}.parquet`);
          // Row groups of 2500 rows: DuckDB writes a page per 2048 rows, so the first holds two pages.
          await connection.run(`COPY (${valuesSql(dictionary, 'FLOAT')}) TO '${path}' (FORMAT parquet, COMPRESSION ${codec}, PARQUET_VERSION ${version}, ROW_GROUP_SIZE 2500)`);
          await checkFile(path, 'data', 'float32', 3000, what);
        });
      }
    }
  }

  test('DOUBLE lists read as float32 and as float64, integer lists as float32 and int64', async () => {
    const doubles = join(dir, 'doubles.parquet');
    await connection.run(`COPY (${valuesSql(false, 'DOUBLE')}) TO '${doubles}' (FORMAT parquet, COMPRESSION snappy)`);
    await checkFile(doubles, 'data', 'float32', 3000, 'DOUBLE as float32');
    await checkFile(doubles, 'data', 'float64', 3000, 'DOUBLE as float64');
    const ints = join(dir, 'ints.parquet');
    await connection.run(`COPY (SELECT i, [i * 100003 + j FOR j IN range(i % 5)]::INTEGER[] AS data FROM range(2000) t(i)) TO '${ints}' (FORMAT parquet)`);
    await checkFile(ints, 'data', 'float32', 2000, 'INTEGER as float32');
    await checkFile(ints, 'data', 'int64', 2000, 'INTEGER as int64');
  });

  test('fixed-size arrays, and a list column that is never NULL', async () => {
    const path = join(dir, 'arrays.parquet');
    await connection.run(`COPY (SELECT i, [i::FLOAT, -i, i / 3]::FLOAT[3] AS data FROM range(5000) t(i)) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
    await checkFile(path, 'data', 'float32', 5000, 'FLOAT[3]');
  });

  test("integer lists of each width, found in the files as the type DuckDB's scan gives them", async () => {
    // Each type's least and greatest values among others: unsigned ones past the signed range.
    for (const [type, least, greatest] of [
      ['TINYINT', -128, 127],
      ['SMALLINT', -32768, 32767],
      ['INTEGER', -2147483648, 2147483647],
      ['BIGINT', -9007199254740991, 9007199254740991],
      ['UTINYINT', 0, 255],
      ['USMALLINT', 0, 65535],
      ['UINTEGER', 0, 4294967295],
    ] as const) {
      const path = join(dir, `${type}.parquet`);
      const values = `list_concat([${least}, ${greatest}], [(i * 7919 + j * 104729) % ${greatest} FOR j IN range(i % 4)])`;
      await connection.run(`COPY (SELECT i, ${values}::${type}[] AS data FROM range(300) t(i)) TO '${path}' (FORMAT parquet)`);
      await checkFile(path, 'data', type === 'BIGINT' ? 'int64' : 'float32', 300, type);
    }
  });

  test("a file whose elements are not of the scan's type is refused: DuckDB would cast them first", async () => {
    const path = join(dir, 'halves.parquet');
    await connection.run(`COPY (SELECT [1.5, 2.5]::FLOAT[] AS data) TO '${path}' (FORMAT parquet)`);
    const inspected = await inspectTensorColumn([path], 'data', 'float32', 'INTEGER[]');
    assert.ok('reason' in inspected);
    assert.match(inspected.reason, /halves\.parquet, data is FLOAT\[\], which DuckDB's scan of the files casts to INTEGER\[\]$/);
    assert.ok(!('reason' in (await inspectTensorColumn([path], 'data', 'float32', 'FLOAT[2]'))), 'a fixed-size array of the same type');
  });

  test('a file the plan did not list is not read: its type was never checked', async () => {
    const path = join(dir, 'unplanned.parquet');
    await connection.run(`COPY (SELECT [1.5]::FLOAT[] AS data) TO '${path}' (FORMAT parquet)`);
    const reader = new ParquetTensorReader('data', 'float32', new Map());
    try {
      await assert.rejects(reader.read({ files: [path], file: new Int32Array(1), row: new Float64Array(1), valid: new Uint8Array([1]) }), (error: Error) => {
        assert.ok(error instanceof TensorReadError);
        assert.match(error.message, /unplanned\.parquet was not among the files when the statement was planned/);
        return true;
      });
    } finally {
      await reader.close();
    }
  });

  test('a DOUBLE too large for FLOAT fails as DuckDB cast does, naming the file, row group and row', async () => {
    const path = join(dir, 'huge.parquet');
    await connection.run(`COPY (SELECT [1.0, 1e300]::DOUBLE[] AS data) TO '${path}' (FORMAT parquet)`);
    await assert.rejects(pageRows(path, 'data', 'float32', [0]), (error: Error) => {
      assert.ok(error instanceof TensorReadError);
      assert.match(error.message, /huge\.parquet, row group 1, column data, row 1: .*out of range for the destination type FLOAT/);
      return true;
    });
  });
});

describe('files of other writers', () => {
  const fixtures = fileURLToPath(new URL('../../test/fixtures/parquet/', import.meta.url));
  let names: string[] = [];
  try {
    names = readdirSync(fixtures).filter((n) => n.endsWith('.parquet'));
  } catch {
    names = [];
  }
  for (const name of names) {
    test(name, async () => {
      const path = join(fixtures, name);
      const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER, any_value(typeof(data)) FROM '${path}'`);
      const [count, type] = reader.getRows()[0] as [number, string];
      const element: ElementType = /DOUBLE/.test(type) ? 'float64' : /INT/.test(type) ? 'int64' : 'float32';
      await checkFile(path, 'data', element, count, name);
    });
  }
});
