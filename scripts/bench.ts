// npm run bench -- --images N [--batch B] [--keep DIR]
// The notebook's pipeline through sqlinfer, and in the same run the bare onnxruntime session on the same
// tensors with its best thread setting: images/s for both, their ratio, and peak memory. Then int8: the
// pipeline with a model made by CREATE MODEL ... FROM resnet50 WITH (precision => 'int8'), and bare
// sessions of its QDQ graph in both weight forms (symmetric, zero point), against bare fp32. Timings on a
// shared 2-core machine are noisy: the figures of one run are compared with each other, never with a
// constant, and each timed step is repeated and its median reported.
//
// The tensors are read in two layouts. 'image_data.parquet' is what the pipeline's first COPY writes:
// DuckDB puts up to 122880 rows in one row group, and decodes a row group up to 2048 rows at a time, so
// no row reaches the model before that first decode is done; the bench times it alone too. The same rows
// as part files of 64 rows each (as a Spark job writes them) stream: DuckDB decodes the next file while
// the model runs.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import '../udfs/runtime/ort-environment.js';
import * as ort from 'onnxruntime-node';
import { createEngine, createUdfs, type Engine } from '../engine/index.js';
import { readChunkColumn } from '../engine/exec/arg-columns.js';
import { writeSampleImages } from '../udfs/images/sample-images.js';
import { loadResnet50Model, readWeightsOf } from '../udfs/models/resnet50/load-resnet50-model.js';
import { buildResnet50Qdq, type Int8KernelForm } from '../udfs/models/resnet50/quantize-qdq.js';
import type { QuantizedResnet50Spec } from '../udfs/models/resnet50/quantized-resnet50.js';
import { RESNET50_INPUT_NAME, RESNET50_OUTPUT_NAME } from '../udfs/models/resnet50/resnet50-graph.js';
import { resolveResnet50Weights } from '../udfs/models/resnet50/weights-source.js';
import { preprocessInPlace } from '../udfs/images/preprocess.js';

const USAGE = 'usage: npm run bench -- --images N [--batch B] [--repeat R] [--keep DIR]';
const IMAGE_VALUES = 224 * 224 * 3;
/** Rows per part file in the streamed layout. */
const PART_ROWS = 64;

interface Options {
  readonly images: number;
  readonly batch: number;
  readonly repeat: number;
  readonly keep: string | undefined;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '512' },
      batch: { type: 'string', default: '64' },
      repeat: { type: 'string', default: '3' },
      keep: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name: 'images' | 'batch' | 'repeat'): number => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer\n${USAGE}`);
    return value;
  };
  return { images: number('images'), batch: number('batch'), repeat: number('repeat'), keep: values.keep };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Keras's weights when this machine has them, else the seeded random ones: the same arithmetic either way. */
async function weightsSetting(): Promise<string> {
  try {
    await resolveResnet50Weights({ env: { ...process.env, SQLINFER_RESNET50_URL: 'http://127.0.0.1:9/' } });
    return '';
  } catch {
    return 'random';
  }
}

/** The same tensors sqlinfer reads, preprocessed as predict_resnet50 does ('caffe'), in one buffer. */
async function readTensors(path: string, count: number): Promise<Float32Array> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const tensors = new Float32Array(count * IMAGE_VALUES);
    const result = await connection.stream(`SELECT data::FLOAT[] FROM '${path}'`);
    let row = 0;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const column = readChunkColumn(chunk, 0, 'float-list');
      tensors.set(column.values as Float32Array, row * IMAGE_VALUES);
      row += chunk.rowCount;
    }
    preprocessInPlace(tensors, 0, count * 224 * 224, 'caffe');
    return tensors;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The bare session: batches run one after another, as fast as onnxruntime goes with `threads` threads. */
async function bareSeconds(onnx: Uint8Array, tensors: Float32Array, images: number, batch: number, threads: number, repeat: number): Promise<number> {
  const session = await ort.InferenceSession.create(onnx, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  try {
    const pass = async (): Promise<void> => {
      for (let first = 0; first < images; first += batch) {
        const rows = Math.min(batch, images - first);
        const input = new ort.Tensor('float32', tensors.subarray(first * IMAGE_VALUES, (first + rows) * IMAGE_VALUES), [rows, 224, 224, 3]);
        const output = await session.run({ [RESNET50_INPUT_NAME]: input });
        output[RESNET50_OUTPUT_NAME]!.dispose();
      }
    };
    await pass(); // warm-up: the first run allocates the arena
    const seconds: number[] = [];
    for (let i = 0; i < repeat; i++) seconds.push(await timed(pass));
    return median(seconds);
  } finally {
    await session.release();
  }
}

/** The end-to-end statement over `source` with model function `fn`, median seconds (the model is already broadcast). */
async function sqlinferSeconds(engine: Engine, source: string, repeat: number, fn = 'predict_resnet50'): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < repeat; i++) {
    seconds.push(
      await timed(async () => {
        await engine.run(`COPY (SELECT ${fn}(data) AS prediction FROM '${source}') TO 'predictions.parquet'`);
      }),
    );
  }
  return median(seconds);
}

/** How long DuckDB takes to hand over the first chunk of `source`'s tensors: the wait before batch 1. */
async function firstChunkSeconds(engine: Engine, source: string, repeat: number): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < repeat; i++) {
    seconds.push(
      await timed(async () => {
        // The connection itself: the engine's own results would turn every float into a JS value.
        const result = await engine.connection.stream(`SELECT data FROM '${source}'`);
        await result.fetchChunk();
      }),
    );
  }
  return median(seconds);
}

/** The tensors again as part files of `rows` rows each, in `dir`; returns the glob that reads them in order. */
async function writePartFiles(engine: Engine, images: number, rows: number, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await engine.run(`CREATE TEMP TABLE bench_tensors AS SELECT data, file_row_number AS n FROM read_parquet('image_data.parquet', file_row_number = true)`);
  for (let part = 0; part * rows < images; part++) {
    const name = `part-${String(part).padStart(5, '0')}.parquet`;
    await engine.run(`COPY (SELECT data FROM bench_tensors WHERE n >= ${part * rows} AND n < ${(part + 1) * rows} ORDER BY n) TO '${dir}/${name}'`);
  }
  await engine.run('DROP TABLE bench_tensors');
  return `${dir}/*.parquet`;
}

async function main(): Promise<void> {
  const opts = options();
  const dir = opts.keep ?? (await mkdtemp(join(tmpdir(), 'sqlinfer-bench-')));
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    const weights = await weightsSetting();
    console.log(`ResNet-50 weights: ${weights === 'random' ? "random (no Keras weights on this machine)" : "Keras's"}`);
    console.log(`${opts.images} images, batch ${opts.batch}, ${availableParallelism()} cores, median of ${opts.repeat}`);
    await writeSampleImages({ out: join(dir, 'flower_photos'), images: opts.images });

    const udfs = createUdfs();
    const engine = await createEngine({ udfs, settings: { resnet50_weights: weights, model_batch_size: opts.batch } });
    let endToEnd: number;
    let firstChunk: number;
    let partsEndToEnd: number;
    let int8EndToEnd: number;
    let int8Spec: QuantizedResnet50Spec;
    try {
      const tensorSeconds = await timed(async () => {
        await engine.run(
          `COPY (SELECT filename, image_to_tensor(content) AS data FROM read_blob('flower_photos/*/*.jpg')) TO 'image_data.parquet'`,
        );
      });
      console.log(`image_to_tensor (decode + resize, JPEG -> Parquet): ${(opts.images / tensorSeconds).toFixed(1)} images/s`);
      const parts = await writePartFiles(engine, opts.images, PART_ROWS, 'image_data_parts');
      // Warm-up: the model is built and broadcast once, as in a REPL session's first model statement.
      await engine.run(`SELECT predict_resnet50(data) FROM 'image_data.parquet' LIMIT 1`);
      const runtime = udfs.runtime;
      const pool = `${runtime.workers} worker(s) x ${runtime.intraOpThreads} thread(s)`;
      endToEnd = await sqlinferSeconds(engine, 'image_data.parquet', opts.repeat);
      firstChunk = await firstChunkSeconds(engine, 'image_data.parquet', opts.repeat);
      console.log(
        `sqlinfer, Parquet -> predict_resnet50 -> Parquet (${pool}): ${(opts.images / endToEnd).toFixed(2)} images/s; ` +
          `DuckDB's first decode alone (no row reaches the model before it ends): ${firstChunk.toFixed(2)} s`,
      );
      partsEndToEnd = await sqlinferSeconds(engine, parts, opts.repeat);
      console.log(`sqlinfer, the same from ${PART_ROWS}-row part files (${pool}): ${(opts.images / partsEndToEnd).toFixed(2)} images/s`);

      const calibrationRows = Math.min(opts.images, 256);
      const createSeconds = await timed(async () => {
        await engine.run(
          `CREATE MODEL resnet50_int8 FROM resnet50 WITH (precision => 'int8', calibrate => 'SELECT data FROM ''image_data.parquet'' USING SAMPLE ${calibrationRows} ROWS')`,
        );
      });
      const [stored] = await engine.run(`SELECT spec FROM sqlinfer_models WHERE name = 'resnet50_int8'`);
      int8Spec = JSON.parse(String(stored!.rows[0]![0])) as QuantizedResnet50Spec;
      console.log(`CREATE MODEL resnet50_int8 (calibration on ${calibrationRows} rows, ${int8Spec.form} weights): ${createSeconds.toFixed(1)} s`);
      await engine.run(`SELECT resnet50_int8(data) FROM 'image_data.parquet' LIMIT 1`);
      int8EndToEnd = await sqlinferSeconds(engine, 'image_data.parquet', opts.repeat, 'resnet50_int8');
      console.log(`sqlinfer, Parquet -> resnet50_int8 -> Parquet (${pool}): ${(opts.images / int8EndToEnd).toFixed(2)} images/s`);
    } finally {
      await engine.close();
    }

    const model = await loadResnet50Model({ weights, env: process.env });
    const tensors = await readTensors('image_data.parquet', opts.images);
    let best = { threads: 0, seconds: Infinity };
    for (let threads = 1; threads <= availableParallelism(); threads++) {
      const seconds = await bareSeconds(model.onnx, tensors, opts.images, opts.batch, threads, opts.repeat);
      console.log(`bare onnxruntime session, ${threads} intra-op thread(s): ${(opts.images / seconds).toFixed(2)} images/s`);
      if (seconds < best.seconds) best = { threads, seconds };
    }
    console.log(`ratio sqlinfer / best bare session: ${(best.seconds / endToEnd).toFixed(3)} (one row group), ${(best.seconds / partsEndToEnd).toFixed(3)} (part files)`);
    console.log(`ceiling for one row group, bare / (bare + first decode): ${(best.seconds / (best.seconds + firstChunk)).toFixed(3)}`);

    const kerasWeights = await readWeightsOf(await resolveResnet50Weights({ weights, env: process.env }));
    const bareInt8 = new Map<Int8KernelForm, number>();
    for (const form of ['symmetric', 'zero-point'] as const) {
      const onnx = buildResnet50Qdq(kerasWeights, int8Spec.ranges, form);
      const seconds = await bareSeconds(onnx, tensors, opts.images, opts.batch, best.threads, opts.repeat);
      bareInt8.set(form, seconds);
      console.log(
        `bare onnxruntime session, int8 ${form} weights, ${best.threads} thread(s): ${(opts.images / seconds).toFixed(2)} images/s, ` +
          `${(best.seconds / seconds).toFixed(2)}x bare fp32`,
      );
    }
    const chosen = bareInt8.get(int8Spec.form)!;
    console.log(
      `sqlinfer with resnet50_int8 (${int8Spec.form}): ${(best.seconds / int8EndToEnd).toFixed(2)}x bare fp32 ` +
        `(target 2.5x with VNNI, 3x with AMX), ${(chosen / int8EndToEnd).toFixed(3)} of bare int8 ${int8Spec.form} (target 0.90)`,
    );
    console.log(`peak memory (RSS, whole process): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  } finally {
    process.chdir(cwd);
    if (opts.keep === undefined) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
