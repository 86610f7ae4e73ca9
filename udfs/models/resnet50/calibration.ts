// Activation ranges for the QDQ graph: the fp32 graph runs over the calibration rows with every activation
// to quantize as an extra output, and each one's min and max are kept.
//
// Min/max rather than a percentile or entropy: on the test photos onnxruntime's own calibrators did no
// better (percentiles 99.999 and 99.99 moved top-1 agreement by a few rows of 40 either way, entropy gave
// min/max's figures, scripts/ort-quantize-compare.py); min/max clips no value that the calibration rows
// reached and needs no histograms.

import '../../runtime/ort-environment.js';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import type { KerasWeights } from '../keras/keras-weights.js';
import { activationsToQuantize, type ActivationRanges } from './quantize-qdq.js';
import { buildResnet50Graph, RESNET50_INPUT_NAME, RESNET50_OUTPUT_NAME } from './resnet50-graph.js';
import { RESNET50_CHANNELS, RESNET50_IMAGE_SIZE } from './resnet50-layout.js';

export const RESNET50_ROW_VALUES = RESNET50_IMAGE_SIZE * RESNET50_IMAGE_SIZE * RESNET50_CHANNELS;

/** Rows per session run: the extra outputs hold every activation of the batch (about 40 MB a row). */
const CALIBRATION_BATCH = 8;

/** A session over ResNet-50 ONNX bytes in this thread, for CREATE MODEL's own runs. */
export async function localSession(onnx: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(onnx, {
    intraOpNumThreads: availableParallelism(),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    logSeverityLevel: 3,
  });
}

/** Runs `session` over preprocessed rows (each RESNET50_ROW_VALUES floats): the probabilities, row after row. */
export async function predictRows(session: ort.InferenceSession, rows: readonly Float32Array[], signal?: AbortSignal): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let first = 0; first < rows.length; first += CALIBRATION_BATCH) {
    signal?.throwIfAborted();
    const batch = rows.slice(first, first + CALIBRATION_BATCH);
    const result = await session.run({ [RESNET50_INPUT_NAME]: inputTensor(batch) });
    const probabilities = result[RESNET50_OUTPUT_NAME]!.data as Float32Array;
    const classes = probabilities.length / batch.length;
    batch.forEach((_, k) => out.push(probabilities.slice(k * classes, (k + 1) * classes)));
    for (const tensor of Object.values(result)) tensor.dispose();
  }
  return out;
}

/** Collects the ranges batch by batch, so rows can stream in from the calibration query. */
export class RangeCalibration {
  private readonly ranges = new Map<string, [number, number]>();
  private rowCount = 0;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly names: readonly string[],
  ) {}

  static async open(weights: KerasWeights): Promise<RangeCalibration> {
    const g = buildResnet50Graph(weights);
    const names = activationsToQuantize(g.parts().nodes);
    for (const name of names) g.output(name, 'float32', null);
    return new RangeCalibration(await localSession(g.toBytes()), names);
  }

  get rows(): number {
    return this.rowCount;
  }

  async add(rows: readonly Float32Array[], signal?: AbortSignal): Promise<void> {
    for (let first = 0; first < rows.length; first += CALIBRATION_BATCH) {
      signal?.throwIfAborted();
      const batch = rows.slice(first, first + CALIBRATION_BATCH);
      const result = await this.session.run({ [RESNET50_INPUT_NAME]: inputTensor(batch) }, [...this.names]);
      for (const name of this.names) {
        const values = result[name]!.data as Float32Array;
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = 0; i < values.length; i++) {
          const v = values[i]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        const range = this.ranges.get(name);
        this.ranges.set(name, range === undefined ? [lo, hi] : [Math.min(range[0], lo), Math.max(range[1], hi)]);
      }
      for (const tensor of Object.values(result)) tensor.dispose();
      this.rowCount += batch.length;
    }
  }

  result(): ActivationRanges {
    return Object.fromEntries(this.ranges);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

function inputTensor(rows: readonly Float32Array[]): ort.Tensor {
  const data = new Float32Array(rows.length * RESNET50_ROW_VALUES);
  rows.forEach((row, k) => data.set(row, k * RESNET50_ROW_VALUES));
  return new ort.Tensor('float32', data, [rows.length, RESNET50_IMAGE_SIZE, RESNET50_IMAGE_SIZE, RESNET50_CHANNELS]);
}
