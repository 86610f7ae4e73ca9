// npm run bench -- --images N [--batch B] [--repeat R] [--group-rows G] [--memory-images M] [--keep DIR]
// The notebook's pipeline through sqlinfer, and in the same run the bare onnxruntime session on the same
// tensors with its best thread setting and batch (sqlinfer's, or 64 rows): images/s for both, their ratio,
// and peak memory. --batch 0 (the default) lets sqlinfer choose its batch size. Timings on a
// shared 2-core machine are noisy: the figures of one run are compared with each other, never with a
// constant, and each timed step is repeated and its median reported. The machine's own speed drifts by
// 10% over minutes here, so the sqlinfer statements take turns with passes of the bare session, each
// statement is compared with the passes either side of it, and a layout's ratio is the median of those.
//
// The tensors are read in four layouts: 'image_data.parquet' as the pipeline's first COPY writes it
// (one row group, one data page per 2048 rows); the same rows as part files of 64 rows each (as a Spark
// job writes them); and G (2048) rows in one row group (the images repeated), whose tensor column DuckDB
// writes as one page of dictionary indices; then the first layout stored UNCOMPRESSED, which tells what
// the SNAPPY decode costs the pipeline. sqlinfer reads the tensors from the pages in each case;
// EXPLAIN ANALYZE's figures say when the first batch reached the model and how long the page reads took.
// Peak memory is measured on its own, in a child process running the statement over M images in one row
// group. Then int8: the pipeline with a model made by CREATE MODEL ... FROM resnet50 WITH (precision =>
// 'int8'), and bare sessions of its QDQ graph in both weight forms (symmetric, zero point), against the
// bare fp32 session.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import '../udfs/runtime/ort-environment.js';
import * as ort from 'onnxruntime-node';
import { createEngine, createUdfs, type Engine } from '../engine/index.js';
import { readChunkColumn } from '../engine/exec/arg-columns.js';
import { writeSampleImages } from '../udfs/images/sample-images.js';
import { loadResnet50Model, readWeightsOf } from '../udfs/models/resnet50/load-resnet50-model.js';
import { buildResnet50Qdq } from '../udfs/models/resnet50/quantize-qdq.js';
import type { QuantizedResnet50Spec } from '../udfs/models/resnet50/quantized-resnet50.js';
import { RESNET50_INPUT_NAME, RESNET50_OUTPUT_NAME } from '../udfs/models/resnet50/resnet50-graph.js';
import { resolveResnet50Weights } from '../udfs/models/resnet50/weights-source.js';
import { preprocessInPlace } from '../udfs/images/preprocess.js';
import { batchRows } from '../udfs/batch-rows.js';

const USAGE = 'usage: npm run bench -- --images N [--batch B] [--repeat R] [--group-rows G] [--memory-images M] [--keep DIR]';
const IMAGE_VALUES = 224 * 224 * 3;
/** Rows per part file in the streamed layout. */
const PART_ROWS = 64;

interface Options {
  readonly images: number;
  /** model_batch_size: 0 lets sqlinfer choose (13 rows of ResNet-50's input). */
  readonly batch: number;
  readonly repeat: number;
  /** Rows of the third layout, one row group. */
  readonly groupRows: number;
  /** Images in the peak-memory run (0: skip it). */
  readonly memoryImages: number;
  readonly keep: string | undefined;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '512' },
      batch: { type: 'string', default: '0' },
      repeat: { type: 'string', default: '3' },
      'group-rows': { type: 'string', default: '2048' },
      'memory-images': { type: 'string', default: '2560' },
      keep: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name: 'images' | 'batch' | 'repeat' | 'group-rows' | 'memory-images', least = 1): number => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < least) throw new Error(`--${name} must be an integer of at least ${least}\n${USAGE}`);
    return value;
  };
  return { images: number('images'), batch: number('batch', 0), repeat: number('repeat'), groupRows: number('group-rows'), memoryImages: number('memory-images', 0), keep: values.keep };
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

/** A bare onnxruntime session over the preprocessed tensors: batches one after another, nothing else. */
class BareSession {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(onnx: Uint8Array, threads: number): Promise<BareSession> {
    const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' });
    return new BareSession(session);
  }

  /** Seconds for one pass over the first `images` tensors in batches of `batch`. */
  async pass(tensors: Float32Array, images: number, batch: number): Promise<number> {
    return timed(async () => {
      for (let first = 0; first < images; first += batch) {
        const rows = Math.min(batch, images - first);
        const input = new ort.Tensor('float32', tensors.subarray(first * IMAGE_VALUES, (first + rows) * IMAGE_VALUES), [rows, 224, 224, 3]);
        const output = await this.session.run({ [RESNET50_INPUT_NAME]: input });
        output[RESNET50_OUTPUT_NAME]!.dispose();
      }
    });
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/**
 * Bare sessions, one per model, with `threads` threads. With several models their passes take turns, so
 * that a change in the machine's load falls on each alike; median seconds of each.
 */
async function bareSeconds(models: readonly Uint8Array[], tensors: Float32Array, images: number, batch: number, threads: number, repeat: number): Promise<number[]> {
  const sessions: BareSession[] = [];
  try {
    for (const onnx of models) sessions.push(await BareSession.create(onnx, threads));
    // Warm-up: the first run allocates the arena.
    for (const session of sessions) await session.pass(tensors, images, batch);
    const seconds: number[][] = sessions.map(() => []);
    for (let i = 0; i < repeat; i++) {
      for (const [k, session] of sessions.entries()) seconds[k]!.push(await session.pass(tensors, images, batch));
    }
    return seconds.map(median);
  } finally {
    for (const session of sessions) await session.release();
  }
}

interface Rep {
  readonly seconds: number;
  /** Ms from the statement's start to its first batch going to the model. */
  readonly firstBatchMs: number;
  /** Ms spent reading tensors from Parquet pages (null when DuckDB read them). */
  readonly pagesMs: number | null;
  /** CPU ms the main thread used in the statement (null where /proc does not say): what it takes from the model. */
  readonly mainCpuMs: number | null;
}

/** CPU ms this process's main thread has used so far (Linux), or null where /proc does not say. */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks of 1/100 s (USER_HZ).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** The end-to-end statement over `source` with `fn` under EXPLAIN ANALYZE, which runs it and says where time went. */
async function sqlinferRep(engine: Engine, source: string, fn = 'predict_resnet50'): Promise<Rep> {
  let rows: readonly (readonly unknown[])[] = [];
  const cpuBefore = mainThreadCpuMs();
  const seconds = await timed(async () => {
    const results = await engine.run(`EXPLAIN ANALYZE COPY (SELECT ${fn}(data) AS prediction FROM '${source}') TO 'predictions.parquet'`);
    const last = results.at(-1);
    rows = last?.kind === 'rows' ? last.rows : [];
  });
  const cpuAfter = mainThreadCpuMs();
  const detail = (stage: string) => rows.find((r) => r[0] === stage);
  const waits = String(detail('waits 1')?.[1] ?? '');
  const read = detail('argument 1');
  return {
    seconds,
    firstBatchMs: Number(/first batch to the model after (\d+) ms/.exec(waits)?.[1] ?? NaN),
    pagesMs: read !== undefined && String(read[1]).includes('Parquet pages') ? Number(read[3]) : null,
    mainCpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
  };
}

/** The medians of a statement's repetitions. */
function medians(reps: readonly Rep[]): Rep {
  const known = (values: readonly (number | null)[]) => {
    const numbers = values.filter((v): v is number => v !== null);
    return numbers.length === 0 ? null : median(numbers);
  };
  return {
    seconds: median(reps.map((r) => r.seconds)),
    firstBatchMs: median(reps.map((r) => r.firstBatchMs)),
    pagesMs: known(reps.map((r) => r.pagesMs)),
    mainCpuMs: known(reps.map((r) => r.mainCpuMs)),
  };
}

interface PairedRun {
  /** sqlinfer's medians. */
  readonly run: Rep;
  /** Median seconds of the bare session's passes, each over all of its tensors. */
  readonly bareSeconds: number;
  /** Median over the statements of (sqlinfer's images/s) / (the bare session's images/s in the passes either side). */
  readonly ratio: number;
  /** The lowest and highest of those ratios: how far one statement's can stray. */
  readonly ratioRange: readonly [number, number];
}

/**
 * sqlinfer's statement over `images` rows of `source` `repeat` times, between passes of the bare session:
 * each statement is compared with the mean speed of the passes just before and after it, which cancels a
 * drift of the machine's speed that is steady over the two.
 */
async function pairedRun(engine: Engine, source: string, images: number, bare: BareBest, repeat: number, fn = 'predict_resnet50'): Promise<PairedRun> {
  const reps: Rep[] = [];
  const bareSeconds = [await bare.session.pass(bare.tensors, bare.images, bare.batch)];
  const ratios: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const rep = await sqlinferRep(engine, source, fn);
    const seconds = await bare.session.pass(bare.tensors, bare.images, bare.batch);
    reps.push(rep);
    const bareSpeed = (bare.images / bareSeconds.at(-1)! + bare.images / seconds) / 2;
    bareSeconds.push(seconds);
    ratios.push(images / rep.seconds / bareSpeed);
  }
  return { run: medians(reps), bareSeconds: median(bareSeconds), ratio: median(ratios), ratioRange: [Math.min(...ratios), Math.max(...ratios)] };
}

/** The bare session at its best setting, kept open to take turns with sqlinfer's statements. */
interface BareBest {
  readonly session: BareSession;
  readonly tensors: Float32Array;
  readonly images: number;
  readonly batch: number;
}

/** Runs `body` with a bare session of `onnx` at `best`'s setting, warmed up, and releases it. */
async function withBare<T>(onnx: Uint8Array, tensors: Float32Array, images: number, best: { readonly threads: number; readonly batch: number }, body: (bare: BareBest) => Promise<T>): Promise<T> {
  const session = await BareSession.create(onnx, best.threads);
  try {
    await session.pass(tensors, images, best.batch);
    return await body({ session, tensors, images, batch: best.batch });
  } finally {
    await session.release();
  }
}

/** Peak RSS (MiB) of a `sqlinfer` process running the pipeline statement over `source`, or null without GNU time. */
function statementPeakMiB(source: string, weights: string, batch: number): number | null {
  if (!existsSync('/usr/bin/time')) return null;
  const cli = fileURLToPath(new URL('../shell/main.js', import.meta.url));
  const run = spawnSync(
    '/usr/bin/time',
    // The executable itself, as users run it: its #! line sets the allocator's trim threshold.
    ['-f', '%M', cli, '-c', `SET resnet50_weights = '${weights}'`, '-c', `SET model_batch_size = ${batch}`, '-c',
      `COPY (SELECT predict_resnet50(data) AS prediction FROM '${source}') TO 'predictions_memory.parquet'`],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`the peak memory run failed: ${run.stderr}`);
  const kib = Number(run.stderr.trim().split('\n').at(-1));
  return Number.isFinite(kib) ? kib / 1024 : null;
}

/** `rows` rows in one row group: the tensors of image_data.parquet repeated in order. */
async function writeRepeated(engine: Engine, images: number, rows: number, path: string): Promise<void> {
  const copies = Math.ceil(rows / images);
  await engine.run(
    `COPY (SELECT data FROM read_parquet('image_data.parquet', file_row_number = true), range(${copies}) AS c(k) ORDER BY k, file_row_number LIMIT ${rows}) TO '${path}' (ROW_GROUP_SIZE ${rows})`,
  );
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
    const udfs = createUdfs();
    const batch = batchRows(udfs.registry.get('predict_resnet50')!, { batchSize: opts.batch });
    console.log(`${opts.images} images, batch ${batch}${opts.batch === 0 ? ' (chosen by sqlinfer)' : ''}, ${availableParallelism()} cores, median of ${opts.repeat}`);
    await writeSampleImages({ out: join(dir, 'flower_photos'), images: opts.images });

    const engine = await createEngine({ udfs, settings: { resnet50_weights: weights, model_batch_size: opts.batch } });
    let memorySource: string | null = null;
    try {
      const tensorSeconds = await timed(async () => {
        await engine.run(
          `COPY (SELECT filename, image_to_tensor(content) AS data FROM read_blob('flower_photos/*/*.jpg')) TO 'image_data.parquet'`,
        );
      });
      console.log(`image_to_tensor (decode + resize, JPEG -> Parquet): ${(opts.images / tensorSeconds).toFixed(1)} images/s`);
      const parts = await writePartFiles(engine, opts.images, PART_ROWS, 'image_data_parts');
      await writeRepeated(engine, opts.images, opts.groupRows, 'image_data_group.parquet');
      // The first layout again without compression: what the codec's decode costs the pipeline.
      await engine.run(`COPY (SELECT * FROM 'image_data.parquet') TO 'image_data_uncompressed.parquet' (COMPRESSION uncompressed)`);
      // Warm-up: the model is built and broadcast once, as in a REPL session's first model statement.
      await engine.run(`SELECT predict_resnet50(data) FROM 'image_data.parquet' LIMIT 1`);
      const runtime = udfs.runtime;
      console.log(`pool: ${runtime.workers} worker(s) x ${runtime.intraOpThreads} thread(s)`);
      const model = await loadResnet50Model({ weights, env: process.env });
      const tensors = await readTensors('image_data.parquet', opts.images);
      // The bare session's best setting: each thread count, at sqlinfer's batch and at the notebook's 64 rows.
      let best = { threads: 0, batch: 0, seconds: Infinity };
      for (let threads = 1; threads <= availableParallelism(); threads++) {
        for (const bareBatch of new Set([batch, 64])) {
          const [seconds] = await bareSeconds([model.onnx.slice()], tensors, opts.images, bareBatch, threads, opts.repeat) as [number];
          console.log(`bare onnxruntime session, ${threads} intra-op thread(s), batch ${bareBatch}: ${(opts.images / seconds).toFixed(2)} images/s`);
          if (seconds < best.seconds) best = { threads, batch: bareBatch, seconds };
        }
      }
      console.log(`sqlinfer and the best bare session (${best.threads} thread(s), batch ${best.batch}) taking turns:`);
      await withBare(model.onnx.slice(), tensors, opts.images, best, async (bare) => {
        for (const [name, source, images] of [
          ['one row group (image_data.parquet)', 'image_data.parquet', opts.images],
          [`${PART_ROWS}-row part files`, parts, opts.images],
          [`${opts.groupRows} rows in one row group`, 'image_data_group.parquet', opts.groupRows],
          ['one row group, UNCOMPRESSED', 'image_data_uncompressed.parquet', opts.images],
        ] as const) {
          const { run, bareSeconds: bareRun, ratio, ratioRange } = await pairedRun(engine, source, images, bare, opts.repeat);
          const pages = run.pagesMs === null ? 'tensors read by DuckDB' : `page reads ${(run.pagesMs / 1000).toFixed(2)} s of the run`;
          const cpu = run.mainCpuMs === null ? '' : `; main thread ${(run.mainCpuMs / images).toFixed(2)} ms of CPU an image`;
          console.log(
            `sqlinfer, ${name}: ${(images / run.seconds).toFixed(2)} images/s against the bare session's ${(opts.images / bareRun).toFixed(2)}, ` +
              `ratio ${ratio.toFixed(3)} (${ratioRange.map((r) => r.toFixed(3)).join(' to ')}); first batch to the model after ${run.firstBatchMs} ms; ${pages}${cpu}`,
          );
        }
      });

      const calibrationRows = Math.min(opts.images, 256);
      const createSeconds = await timed(async () => {
        await engine.run(
          `CREATE MODEL resnet50_int8 FROM resnet50 WITH (precision => 'int8', calibrate => 'SELECT data FROM ''image_data.parquet'' USING SAMPLE ${calibrationRows} ROWS')`,
        );
      });
      const [stored] = await engine.run(`SELECT spec FROM sqlinfer_models WHERE name = 'resnet50_int8'`);
      const spec = JSON.parse(String(stored!.rows[0]![0])) as QuantizedResnet50Spec;
      console.log(`CREATE MODEL resnet50_int8 (calibration on ${calibrationRows} rows, ${spec.form} weights): ${createSeconds.toFixed(1)} s`);
      await engine.run(`SELECT resnet50_int8(data) FROM 'image_data.parquet' LIMIT 1`);
      const kerasWeights = await readWeightsOf(await resolveResnet50Weights({ weights, env: process.env }));
      const forms = ['symmetric', 'zero-point'] as const;
      const qdq = new Map(forms.map((form) => [form, buildResnet50Qdq(kerasWeights, spec.ranges, form)]));
      const int8 = await withBare(qdq.get(spec.form)!, tensors, opts.images, best, (bare) =>
        pairedRun(engine, 'image_data.parquet', opts.images, bare, opts.repeat, 'resnet50_int8'),
      );
      console.log(
        `sqlinfer with resnet50_int8, one row group (image_data.parquet): ${(opts.images / int8.run.seconds).toFixed(2)} images/s ` +
          `against the bare int8 session's ${(opts.images / int8.bareSeconds).toFixed(2)} taking turns with it, ratio ${int8.ratio.toFixed(3)} (${int8.ratioRange.map((r) => r.toFixed(3)).join(' to ')}; target 0.90)`,
      );
      const [fp32, ...int8Seconds] = await bareSeconds(
        [model.onnx.slice(), ...forms.map((form) => qdq.get(form)!)],
        tensors,
        opts.images,
        best.batch,
        best.threads,
        opts.repeat,
      ) as [number, ...number[]];
      console.log(`bare sessions taking turns, ${best.threads} thread(s), batch ${best.batch}: fp32 ${(opts.images / fp32).toFixed(2)} images/s`);
      forms.forEach((form, k) => {
        const seconds = int8Seconds[k]!;
        console.log(`  int8 ${form} weights: ${(opts.images / seconds).toFixed(2)} images/s, ${(fp32 / seconds).toFixed(2)}x bare fp32`);
      });
      console.log(`sqlinfer with resnet50_int8 (${spec.form}): ${(fp32 / int8.run.seconds).toFixed(2)}x bare fp32 (target 2.5x with VNNI, 3x with AMX)`);
      if (opts.memoryImages > 0) {
        await writeRepeated(engine, opts.images, opts.memoryImages, 'image_data_memory.parquet');
        memorySource = 'image_data_memory.parquet';
      }
    } finally {
      await engine.close();
    }
    if (memorySource !== null) {
      const peak = statementPeakMiB(memorySource, weights, opts.batch);
      console.log(`peak RSS of a sqlinfer process running the statement over ${opts.memoryImages} images in one row group: ${peak === null ? 'not measured (no /usr/bin/time)' : `${peak.toFixed(0)} MiB`}`);
    }
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
