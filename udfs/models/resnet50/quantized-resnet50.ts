// CREATE MODEL name FROM resnet50 WITH (precision => 'int8', calibrate => 'SELECT ...'): ResNet-50 in int8.
// quantizeResnet50 calibrates the activation ranges on the query's rows (a quarter of them held out to
// measure the int8 model against fp32) and returns a spec that holds everything the model needs besides
// the weights: the catalog stores it, and later sessions rebuild the same QDQ graph from it without
// calibrating again. createQuantizedResnet50 makes the SQL function, with predict_resnet50's arguments.

import { stat } from 'node:fs/promises';
import type { ArgColumn, ModelFunction, PrepareProgress } from '../../model-function.js';
import { decodeImageInto } from '../../images/decode-image.js';
import { preprocessInPlace } from '../../images/preprocess.js';
import type { PreprocessMode } from '../../runtime/kernel-task.js';
import type { ModelRuntime } from '../../runtime/model-runtime.js';
import type { Env } from '../keras/keras-get-file.js';
import type { KerasWeights } from '../keras/keras-weights.js';
import { accuracyText, compareProbabilities, type AccuracyReport } from './accuracy-report.js';
import { localSession, predictRows, RangeCalibration, RESNET50_ROW_VALUES } from './calibration.js';
import { chooseInt8KernelForm } from './int8-kernel-form.js';
import { readWeightsOf, resnet50WeightsKey } from './load-resnet50-model.js';
import { createResnet50Function } from './predict-resnet50.js';
import { buildResnet50Qdq, type ActivationRanges, type Int8KernelForm } from './quantize-qdq.js';
import { buildResnet50Onnx } from './resnet50-graph.js';
import { RESNET50_IMAGE_SIZE } from './resnet50-layout.js';
import { resolveResnet50Weights, type Resnet50WeightsSource } from './weights-source.js';

/** What CREATE MODEL learnt; stored in the database's catalog (JSON), so later sessions skip calibration. */
export interface QuantizedResnet50Spec {
  readonly name: string;
  readonly precision: 'int8';
  /** The weights: an absolute .h5 path, 'random', or '' for Keras's cache, as resolved at CREATE. */
  readonly weights: string;
  /** Where they came from, for DESCRIBE and SHOW. */
  readonly weightsSource: string;
  /** resnet50WeightsKey of the weights calibrated on: other weights need calibrating again. */
  readonly weightsKey: string;
  readonly preprocess: PreprocessMode;
  readonly calibrate: string;
  readonly calibrationRows: number;
  readonly form: Int8KernelForm;
  readonly formReason: string;
  readonly ranges: ActivationRanges;
  readonly accuracy: AccuracyReport;
}

/** A problem with the calibration rows (none, wrong shape, undecodable): the calibrate option's fault. */
export class CalibrationError extends Error {}

/** One chunk of the calibration query's only column (FLOAT[] of RGB 0..255 or image BLOBs). */
export interface CalibrationChunk {
  /** Position of the chunk's first row in the query's result (0-based), for messages. */
  readonly firstRow: number;
  readonly column: Extract<ArgColumn, { kind: 'float-list' | 'blob' }>;
}

export interface QuantizeResnet50Options {
  readonly name: string;
  /** The resnet50_weights setting ('' or undefined: Keras's cache). */
  readonly weights: string | undefined;
  readonly env: Env;
  readonly preprocess: PreprocessMode;
  readonly calibrate: string;
  readonly rows: AsyncIterable<CalibrationChunk>;
  readonly signal?: AbortSignal;
  onProgress?(progress: PrepareProgress): void;
  /** Where a warning goes (int8 not faster on this CPU). */
  onNotice?(notice: string): void;
}

/** Every HOLD_OUT-th row is held out from calibration to measure the int8 model against fp32. */
const HOLD_OUT = 4;
/** Rows per calibration run. */
const CALIBRATION_BATCH = 8;

export async function quantizeResnet50(options: QuantizeResnet50Options): Promise<QuantizedResnet50Spec> {
  // The query's first chunk is read first: a query that fails, gives no rows or rows of the wrong shape
  // is refused before seconds go into the weights and the calibration session.
  const chunks = options.rows[Symbol.asyncIterator]();
  try {
    return await calibrateOn(chunks, options);
  } finally {
    // Ends the query's stream when calibration stops early (an error, Ctrl-C).
    await chunks.return?.();
  }
}

async function calibrateOn(chunks: AsyncIterator<CalibrationChunk>, options: QuantizeResnet50Options): Promise<QuantizedResnet50Spec> {
  const next = async (): Promise<Float32Array[] | null> => {
    const chunk = await chunks.next();
    return chunk.done ? null : calibrationTensors(chunk.value, options.preprocess);
  };
  let rows = await next();
  const choice = chooseInt8KernelForm();
  if (choice.warning !== undefined) options.onNotice?.(`${options.name}: ${choice.warning}`);
  const source = await resolveResnet50Weights({
    weights: options.weights,
    env: options.env,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const weights = await readWeightsOf(source);
  const calibration = await RangeCalibration.open(weights);
  const heldOut: Float32Array[] = [];
  try {
    let pending: Float32Array[] = [];
    let seen = 0;
    const label = `calibrating ${options.name} (int8)`;
    for (; rows !== null; rows = await next()) {
      for (const row of rows) {
        seen += 1;
        if (seen % HOLD_OUT === 0) heldOut.push(row);
        else pending.push(row);
        if (pending.length === CALIBRATION_BATCH) {
          await calibration.add(pending, options.signal);
          pending = [];
          options.onProgress?.({ label, done: seen, total: null });
        }
      }
    }
    if (pending.length > 0) await calibration.add(pending, options.signal);
    if (seen === 0) throw new CalibrationError('the calibration query returned no rows (or only NULLs): it must give images to calibrate on');
    const ranges = calibration.result();
    const accuracy = await measure(weights, ranges, choice.form, heldOut, options.signal);
    return {
      name: options.name,
      precision: 'int8',
      weights: storedWeights(options.weights, source),
      weightsSource: source.description,
      weightsKey: await resnet50WeightsKey(source),
      preprocess: options.preprocess,
      calibrate: options.calibrate,
      calibrationRows: calibration.rows,
      form: choice.form,
      formReason: choice.reason,
      ranges,
      accuracy,
    };
  } finally {
    await calibration.close();
  }
}

/** The int8 model's probabilities against fp32's on the held-out rows. */
async function measure(weights: KerasWeights, ranges: ActivationRanges, form: Int8KernelForm, rows: readonly Float32Array[], signal?: AbortSignal): Promise<AccuracyReport> {
  if (rows.length === 0) return compareProbabilities([], []);
  const fp32 = await localSession(buildResnet50Onnx(weights));
  const int8 = await localSession(buildResnet50Qdq(weights, ranges, form));
  try {
    return compareProbabilities(await predictRows(fp32, rows, signal), await predictRows(int8, rows, signal));
  } finally {
    await fp32.release();
    await int8.release();
  }
}

/** The chunk's non-NULL rows as preprocessed model inputs; a row of the wrong shape is an error naming it. */
async function calibrationTensors(chunk: CalibrationChunk, preprocess: PreprocessMode): Promise<Float32Array[]> {
  const { column, firstRow } = chunk;
  const out: Float32Array[] = [];
  for (let r = 0; r < column.valid.length; r++) {
    if (column.valid[r] !== 1) continue;
    const start = column.offsets[r]!;
    const end = column.offsets[r + 1]!;
    const row = new Float32Array(RESNET50_ROW_VALUES);
    const at = `row ${firstRow + r + 1} of the calibration query`;
    if (column.kind === 'float-list') {
      if (end - start !== RESNET50_ROW_VALUES) {
        throw new CalibrationError(
          `${at} has ${end - start} values, where resnet50 takes ${RESNET50_ROW_VALUES} ` +
            `(a 224x224 RGB image as image_to_tensor gives it) or an image BLOB`,
        );
      }
      row.set(column.values.subarray(start, end));
      if (!row.every(Number.isFinite)) throw new CalibrationError(`${at} holds a value that is not a finite number`);
    } else {
      try {
        await decodeImageInto(column.values.subarray(start, end), RESNET50_IMAGE_SIZE, RESNET50_IMAGE_SIZE, row, 0);
      } catch (error) {
        throw new CalibrationError(`${at} is not an image resnet50 can read: ${(error as Error).message}`);
      }
    }
    preprocessInPlace(row, 0, RESNET50_IMAGE_SIZE * RESNET50_IMAGE_SIZE, preprocess);
    out.push(row);
  }
  return out;
}

function storedWeights(setting: string | undefined, source: Resnet50WeightsSource): string {
  if (source.kind === 'random') return 'random';
  return setting?.trim() ? source.path : '';
}

/** The SQL function of a stored int8 ResNet-50, with DESCRIBE MODEL's rows. */
export interface QuantizedResnet50 extends ModelFunction {
  readonly spec: QuantizedResnet50Spec;
  /** Drops the model's bytes and its broadcast copy. */
  release(): void;
  /** Rejects when the weights file it was calibrated on is gone (without reading it). */
  checkFiles(): Promise<void>;
  describeRows(): [string, string][];
}

export function createQuantizedResnet50(runtime: ModelRuntime, spec: QuantizedResnet50Spec, env: Env): QuantizedResnet50 {
  let built: Promise<Uint8Array> | null = null;
  const fn = createResnet50Function(runtime, {
    name: spec.name,
    description: `ResNet-50 in int8 (${spec.form} weights), calibrated on ${spec.calibrationRows} rows; preprocess '${spec.preprocess}' as calibrated`,
    async load(context, preprocess) {
      if (preprocess !== spec.preprocess) {
        throw new Error(
          `calibrated on rows preprocessed '${spec.preprocess}', not '${preprocess}': call it with '${spec.preprocess}', ` +
            `or CREATE OR REPLACE MODEL ${spec.name} ... WITH (preprocess => '${preprocess}', ...) to calibrate for '${preprocess}'`,
        );
      }
      const source = await resolveResnet50Weights({
        weights: spec.weights === '' ? undefined : spec.weights,
        env,
        ...(context.signal ? { signal: context.signal } : {}),
        ...(context.onProgress ? { onProgress: context.onProgress.bind(context) } : {}),
      });
      if ((await resnet50WeightsKey(source)) !== spec.weightsKey) {
        throw new Error(
          `the weights ${source.description} changed since ${spec.name} was calibrated on them: ` +
            `CREATE OR REPLACE MODEL ${spec.name} to calibrate again`,
        );
      }
      built ??= readWeightsOf(source).then((weights) => buildResnet50Qdq(weights, spec.ranges, spec.form));
      built.catch(() => (built = null));
      const onnx = await built;
      return { onnx, source: source.description, model: 'ResNet-50 int8', details: [`weights: ${source.description}`, `${spec.form} int8 weights`] };
    },
  });
  return {
    ...fn,
    spec,
    release() {
      built = null;
      fn.release();
    },
    async checkFiles() {
      if (spec.weights === '' || spec.weights === 'random') return;
      try {
        await stat(spec.weights);
      } catch (error) {
        throw new Error(`cannot read the weights file '${spec.weights}': ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
      }
    },
    describeRows() {
      return [
        ['name', spec.name],
        ['format', 'resnet50-int8'],
        ['precision', 'int8 (QDQ: int8 weights per output channel, uint8 activations; classifier in fp32)'],
        ['kernel form', spec.formReason],
        ['weights', spec.weightsSource],
        ['calibration', `${spec.calibrationRows} rows of: ${spec.calibrate} (activation ranges by min/max)`],
        ['preprocess', spec.preprocess],
        ['accuracy', accuracyText(spec.accuracy)],
        ['argument x', 'float-list or blob'],
        ['argument preprocess', `varchar (optional), a constant: '${spec.preprocess}'`],
        ['result type', fn.resultType],
      ];
    },
  };
}
