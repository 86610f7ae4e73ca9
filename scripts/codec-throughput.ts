// npm run bench:codecs -- [--rows 512] [--dir DIR]
// Output MB/s of each codec's decompressing stream on one large DuckDB page of image-like floats (0..255),
// as the Parquet page reader reads it: one row's 224x224x3 floats at a time into a reused buffer. Beside
// it, the library's whole-page decompression of the same page (the speed a non-streaming reader would get,
// holding the whole page). Each figure is the best of 3 runs, the two alternating, both per second of wall
// time and per second of the process's CPU time (all its threads): on a shared machine the second is the
// speed the work would have on a core of its own. DuckDB writes a list column chunk of up to 2048 rows as one page, so 512 rows
// are one 308 MB page. Files are written once into DIR (default: a folder in the temp dir) and reused.
import { existsSync, mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { snappyUncompress } from 'hyparquet';
import { ZSTDDecoder } from 'zstddec';
import { fileRangeStream } from '../engine/parquet/byte-stream.js';
import { decompressingStream, type CompressionCodec } from '../engine/parquet/codecs.js';
import { parquetPages, type PageRef } from '../test/helpers/parquet-pages.js';

const ROW_FLOATS = 224 * 224 * 3;
const { values } = parseArgs({ options: { rows: { type: 'string', default: '512' }, dir: { type: 'string' } } });
const rows = Number(values.rows);
const dir = values.dir ?? join(tmpdir(), `sqlinfer-codec-throughput-${rows}`);
mkdirSync(dir, { recursive: true });

// Brotli at DuckDB's setting compresses at about 0.5 MB/s here: its page gets an eighth of the rows.
const CODECS: readonly [CompressionCodec, number][] = [
  ['UNCOMPRESSED', rows],
  ['SNAPPY', rows],
  ['LZ4_RAW', rows],
  ['ZSTD', rows],
  ['GZIP', rows],
  ['BROTLI', Math.max(1, rows >> 3)],
];

async function writeFiles(): Promise<void> {
  const missing = CODECS.filter(([codec]) => !existsSync(join(dir, `${codec}.parquet`)));
  if (missing.length === 0) return;
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(
    `CREATE TABLE t AS SELECT i AS id, list_transform(range(${ROW_FLOATS}), x -> floor(random() * 256)::FLOAT) AS data FROM range(${rows}) r(i)`,
  );
  for (const [codec, n] of missing) {
    const started = performance.now();
    await connection.run(`COPY (SELECT * FROM t WHERE id < ${n}) TO '${join(dir, `${codec}.parquet`)}' (COMPRESSION ${codec})`);
    console.error(`wrote ${codec}.parquet in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  connection.closeSync();
  instance.closeSync();
}

/** MB of output per second of wall time and per second of CPU time, from when `cpu` and `wall` were taken. */
interface Rates {
  readonly wall: number;
  readonly cpu: number;
}

function since(bytes: number, wall: number, cpu: NodeJS.CpuUsage): Rates {
  const used = process.cpuUsage(cpu);
  return { wall: bytes / 1e6 / ((performance.now() - wall) / 1000), cpu: bytes / 1e6 / ((used.user + used.system) / 1e6) };
}

async function streamed(path: string, page: PageRef): Promise<Rates> {
  const file = await open(path);
  const row = new Uint8Array(ROW_FLOATS * 4);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const stream = decompressingStream(page.codec, fileRangeStream(file, page.offset, page.compressedLength), page.compressedLength, page.uncompressedLength);
  for (let left = page.uncompressedLength; left > 0; left -= row.length) {
    await stream.readInto(left >= row.length ? row : row.subarray(0, left));
  }
  stream.close();
  const rates = since(page.uncompressedLength, started, cpu);
  await file.close();
  return rates;
}

async function whole(path: string, page: PageRef, zstd: ZSTDDecoder): Promise<Rates | undefined> {
  const file = await open(path);
  const compressed = new Uint8Array(page.compressedLength);
  await file.read(compressed, 0, compressed.length, page.offset);
  await file.close();
  const cpu = process.cpuUsage();
  const started = performance.now();
  if (page.codec === 'SNAPPY') snappyUncompress(compressed, new Uint8Array(page.uncompressedLength));
  else if (page.codec === 'GZIP') zlib.gunzipSync(compressed);
  else if (page.codec === 'BROTLI') zlib.brotliDecompressSync(compressed);
  else if (page.codec === 'ZSTD') zstd.decode(compressed, page.uncompressedLength);
  else return undefined;
  return since(page.uncompressedLength, started, cpu);
}

function best(a: Rates | undefined, b: Rates | undefined): Rates | undefined {
  return a === undefined || b === undefined ? (a ?? b) : { wall: Math.max(a.wall, b.wall), cpu: Math.max(a.cpu, b.cpu) };
}

const show = (r: Rates | undefined): string => (r === undefined ? '-' : `${r.wall.toFixed(0)} / ${r.cpu.toFixed(0)}`);

await writeFiles();
const zstd = new ZSTDDecoder();
await zstd.init();
console.log('MB/s of output, per wall second / per CPU second');
console.log('codec         page MB  streamed          whole page (library)');
for (const [codec] of CODECS) {
  const path = join(dir, `${codec}.parquet`);
  const pages = await parquetPages(path);
  const page = pages.find((p) => p.column.startsWith('data') && p.type === 'DATA_PAGE');
  if (page === undefined) throw new Error(`${path}: no data page of the list column`);
  let rate: Rates | undefined;
  let reference: Rates | undefined;
  for (let run = 0; run < 3; run++) {
    rate = best(rate, await streamed(path, page));
    reference = best(reference, await whole(path, page, zstd));
  }
  console.log(`${codec.padEnd(12)} ${(page.uncompressedLength / 1e6).toFixed(0).padStart(8)}  ${show(rate).padEnd(16)}  ${show(reference)}`);
}
