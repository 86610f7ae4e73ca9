// The checked-in files of other writers (test/fixtures/parquet, made by scripts/make-parquet-fixtures.py):
// each has the list layout its name promises, DuckDB reads the values the script wrote, and every page
// streams through the decompressing streams to the library's whole-page bytes (v2 pages included).
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { getMaxDefinitionLevel, getMaxRepetitionLevel, getSchemaPath } from 'hyparquet/src/schema.js';
import { fileRangeStream } from '../engine/parquet/byte-stream.js';
import { decompressingStream } from '../engine/parquet/codecs.js';
import { readAll, wholePage } from './helpers/byte-streams.js';
import { parquetPages } from './helpers/parquet-pages.js';

const dir = fileURLToPath(new URL('../../test/fixtures/parquet/', import.meta.url));

/** Each fixture's list column: its leaf's schema path, physical type and maximum definition and repetition levels. */
const LAYOUTS: Record<string, { path: string; type: string; def: number; rep: number }> = {
  'pyarrow-element-float-v1-dict-snappy.parquet': { path: 'data.list.element', type: 'FLOAT', def: 3, rep: 1 },
  'pyarrow-element-double-v2-plain-zstd.parquet': { path: 'data.list.element', type: 'DOUBLE', def: 3, rep: 1 },
  'pyarrow-item-float-v2-dict-gzip.parquet': { path: 'data.list.item', type: 'FLOAT', def: 3, rep: 1 },
  'pyarrow-element-int32-v1-plain-zstd.parquet': { path: 'data.list.element', type: 'INT32', def: 3, rep: 1 },
  'spark-element-float-v1-dict-snappy.parquet': { path: 'data.list.element', type: 'FLOAT', def: 3, rep: 1 },
  'spark-element-double-v2-plain-zstd.parquet': { path: 'data.list.element', type: 'DOUBLE', def: 3, rep: 1 },
  'spark-legacy-bag-array-float-v1-dict-gzip.parquet': { path: 'data.bag.array', type: 'FLOAT', def: 3, rep: 1 },
  'parquet-mr-two-level-double-v1-dict-snappy.parquet': { path: 'data.array', type: 'DOUBLE', def: 2, rep: 1 },
};

/** The script's rows: NULL when i % 7 == 3, empty when i % 5 == 4, else i % 6 + 1 values, one NULL now and then. */
function expectedList(i: number, nullElements: boolean, integer: boolean): (number | null)[] | null {
  if (i % 7 === 3) return null;
  if (i % 5 === 4) return [];
  const row: (number | null)[] = Array.from({ length: (i % 6) + 1 }, (_, j) => i * 0.5 + j * 0.25);
  if (nullElements && i % 4 === 1) row[Math.floor(row.length / 2)] = null;
  return integer ? row.map((v) => (v === null ? null : Math.trunc(v * 4))) : row;
}

let connection: DuckDBConnection;
before(async () => {
  connection = await (await DuckDBInstance.create(':memory:')).connect();
});
after(() => connection.closeSync());

test('the fixtures are the ones listed here, under 200 KB together', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.parquet'));
  assert.deepEqual(files.sort(), Object.keys(LAYOUTS).sort());
  assert.ok(files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0) < 200_000);
});

describe('writer fixtures', () => {
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    const path = join(dir, name);

    test(`${name}: ${layout.path}, ${layout.type}, max definition level ${layout.def}, repetition ${layout.rep}`, async () => {
      const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
      const schemaPath = getSchemaPath(metadata.schema, layout.path.split('.'));
      const leaf = schemaPath.at(-1)!.element;
      assert.equal(leaf.type, layout.type);
      assert.equal(getMaxDefinitionLevel(schemaPath), layout.def);
      assert.equal(getMaxRepetitionLevel(schemaPath), layout.rep);
      assert.ok(metadata.row_groups.length >= 2, 'several row groups');
      const pages = await parquetPages(path);
      for (const group of metadata.row_groups.keys()) {
        const data = pages.filter((p) => p.rowGroup === group && p.column === layout.path && p.type.startsWith('DATA_PAGE'));
        assert.ok(data.length >= 1);
      }
      assert.ok(pages.filter((p) => p.column === layout.path && p.type.startsWith('DATA_PAGE')).length > metadata.row_groups.length, 'several pages in a column chunk');
      assert.equal(pages.some((p) => p.type === 'DATA_PAGE_V2'), name.includes('-v2-'));
    });

    test(`${name}: DuckDB reads the rows the script wrote`, async () => {
      const rows = (await connection.runAndReadAll(`SELECT id, data FROM read_parquet('${path}') ORDER BY id`)).getRowsJson();
      assert.equal(rows.length, 40);
      const twoLevel = name.includes('two-level');
      for (const [i, row] of rows.entries()) {
        assert.equal(row[0], i);
        assert.deepEqual(row[1], expectedList(i, !twoLevel, layout.type === 'INT32'), `row ${i}`);
      }
    });

    test(`${name}: every page streams to the library's whole-page bytes`, async () => {
      const file = await open(path);
      try {
        for (const page of await parquetPages(path)) {
          // A v2 page's levels come first and are never compressed; its values may be stored uncompressed too.
          const levels = page.v2?.levelBytes ?? 0;
          const codec = page.v2 !== undefined && !page.v2.compressed ? 'UNCOMPRESSED' : page.codec;
          const [offset, compressed, length] = [page.offset + levels, page.compressedLength - levels, page.uncompressedLength - levels];
          const bytes = new Uint8Array(compressed);
          await file.read(bytes, 0, compressed, offset);
          const stream = decompressingStream(codec, fileRangeStream(file, offset, compressed), compressed, length);
          const got = await readAll(stream, length);
          stream.close();
          assert.ok(Buffer.from(got).equals(Buffer.from(await wholePage(codec, bytes, length))), `${page.column} ${page.type} at ${page.offset}`);
        }
      } finally {
        await file.close();
      }
    });
  }
});
