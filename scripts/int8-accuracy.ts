// Why int8 ResNet-50 agrees with fp32 as much as it does, by experiment: the same held-out rows as
// test/resnet50-int8-agreement.test.ts (three views of each test photo and ten generated images),
// calibrated on two other views, under one change at a time: weights only, activations only, the input
// only, noise of int8's size instead of int8's rounding, finer or coarser weight grids. Each line gives
// top-1 agreement, top-5 overlap and mean KL against fp32, and the logits' error in dB. Then the fp32
// top-1/top-2 logit margins, and the agreement by margin.
//
//   node dist/scripts/int8-accuracy.js [--weights resnet50.h5] [--gamma 0.3] [--dump DIR]
//
// Without --weights: Keras-initialized weights with BatchNorm statistics from the photos
// (test/helpers/photo-weights.ts); --gamma sets each block's last BatchNorm gamma. --dump writes the fp32
// and int8 ONNX graphs and the rows for scripts/ort-quantize-compare.py, and the photo views' tensors
// (all-views.f32) for scripts/keras-photo-weights.py.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import '../udfs/runtime/ort-environment.js';
import * as ort from 'onnxruntime-node';
import type { KerasWeights } from '../udfs/models/keras/keras-weights.js';
import { compareProbabilities } from '../udfs/models/resnet50/accuracy-report.js';
import { localSession, predictRows, RangeCalibration } from '../udfs/models/resnet50/calibration.js';
import { readResnet50Weights } from '../udfs/models/resnet50/keras-weights.js';
import { activationsToQuantize, buildResnet50Qdq, type ActivationRanges } from '../udfs/models/resnet50/quantize-qdq.js';
import { buildResnet50Graph, buildResnet50Onnx } from '../udfs/models/resnet50/resnet50-graph.js';
import { OnnxGraphBuilder } from '../udfs/onnx/onnx-graph-builder.js';
import { seededRandom } from '../udfs/seeded-random.js';
import { generatedTensors, photoCalibratedWeights, photoTensors } from '../test/helpers/photo-weights.js';

const { values: args } = parseArgs({
  options: { weights: { type: 'string' }, gamma: { type: 'string', default: '1' }, dump: { type: 'string' } },
});

/** How the simulated graph changes a conv's folded OIHW kernel. */
type KernelChange = (w: Float32Array, channels: number) => Float32Array;

/** A kernel changed channel by channel: `change(value, max|w| of its output channel)`. */
function perChannel(change: (v: number, max: number) => number): KernelChange {
  return (w, channels) => {
    const n = w.length / channels;
    const out = new Float32Array(w.length);
    for (let c = 0; c < channels; c++) {
      let max = 0;
      for (let i = c * n; i < (c + 1) * n; i++) max = Math.max(max, Math.abs(w[i]!));
      for (let i = c * n; i < (c + 1) * n; i++) out[i] = change(w[i]!, max);
    }
    return out;
  };
}

/** Round to a grid of `levels` steps each side of 0 per output channel (scale max|w| / levels). */
function perChannelGrid(levels: number): KernelChange {
  return perChannel((v, max) => {
    const s = max > 0 ? max / levels : 1;
    return Math.max(-levels, Math.min(levels, Math.round(v / s))) * s;
  });
}

/** One scale for the whole tensor: what a wrong (or missing) channel axis would amount to. */
const perTensorInt8: KernelChange = (w) => {
  const s = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127;
  return w.map((v) => Math.round(v / s) * s);
};

/** Uniform noise of int8 rounding's size (half a step of the channel's int8 scale), not rounding. */
function int8SizedNoise(seed: number): KernelChange {
  const random = seededRandom(seed);
  return perChannel((v, max) => v + ((random() - 0.5) * max) / 127);
}

/**
 * The fp32 graph with quantization simulated in fp32 arithmetic: conv kernels changed by `kernels`, and
 * QuantizeLinear/DequantizeLinear (uint8, as quantize-qdq.ts computes them) after the `activations`.
 */
function simulatedGraph(weights: KerasWeights, ranges: ActivationRanges, kernels: KernelChange | null, activations: ReadonlySet<string>): Uint8Array {
  const fp32 = buildResnet50Graph(weights).parts();
  const g = new OnnxGraphBuilder('resnet50_simulated');
  for (const input of fp32.inputs) g.input(input.name, input.elemType, input.dims);
  const kernelNames = new Set(fp32.nodes.filter((n) => n.op === 'Conv').map((n) => n.inputs[1]!));
  for (const init of fp32.initializers) {
    const data = kernels !== null && kernelNames.has(init.name) ? kernels(init.data as Float32Array, init.dims[0]!) : init.data;
    g.addInitializer(init.name, init.dims, data);
  }
  const renamed = new Map<string, string>();
  const params = new Map<string, [string, string]>();
  for (const node of fp32.nodes) {
    g.addNode({ ...node, inputs: node.inputs.map((i) => renamed.get(i) ?? i) });
    const out = node.outputs[0]!;
    if (!activations.has(out)) continue;
    let p = node.op === 'MaxPool' ? params.get(node.inputs[0]!) : undefined;
    if (p === undefined) {
      const [lo0, hi0] = ranges[out]!;
      const lo = Math.min(lo0, 0);
      const hi = Math.max(hi0, 0);
      const scale = hi > lo ? (hi - lo) / 255 : 1;
      const zp = Math.min(255, Math.max(0, Math.round(-lo / scale)));
      p = [g.addInitializer(`${out}/s`, [], Float32Array.of(scale)), g.addInitializer(`${out}/zp`, [], Uint8Array.of(zp))];
    }
    params.set(out, p);
    const q = g.addNode({ op: 'QuantizeLinear', inputs: [out, ...p], outputs: [`${out}/q`] });
    renamed.set(out, g.addNode({ op: 'DequantizeLinear', inputs: [q, ...p], outputs: [`${out}/dq`] }));
  }
  for (const output of fp32.outputs) g.output(output.name, output.elemType, output.dims);
  return g.toBytes();
}

/** Basic optimizations only: the simulated Q/DQ pairs stay fp32 ops (no QLinearConv fusion). */
async function simulatedSession(onnx: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(onnx, { graphOptimizationLevel: 'basic', logSeverityLevel: 3 });
}

/** Error of the logits (log-probabilities less their mean) as signal-to-noise in dB, over all rows. */
function logitSnrDb(reference: readonly Float32Array[], other: readonly Float32Array[]): number {
  let signal = 0;
  let noise = 0;
  reference.forEach((p, r) => {
    const a = centeredLogits(p);
    const b = centeredLogits(other[r]!);
    a.forEach((v, i) => {
      signal += v * v;
      noise += (v - b[i]!) ** 2;
    });
  });
  return 10 * Math.log10(signal / noise);
}

function centeredLogits(p: Float32Array): Float64Array {
  const l = Float64Array.from(p, (v) => Math.log(Math.max(v, 1e-30)));
  const mean = l.reduce((a, b) => a + b, 0) / l.length;
  return l.map((v) => v - mean);
}

/** fp32's top-1 minus top-2 logit, and the int8 logits' error (RMS over the classes), per row. */
function margins(reference: readonly Float32Array[], other: readonly Float32Array[]): { margin: number; noise: number; agree: boolean }[] {
  return reference.map((p, r) => {
    const a = centeredLogits(p);
    const b = centeredLogits(other[r]!);
    const sorted = [...a].sort((x, y) => y - x);
    const rms = Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / a.length);
    return { margin: sorted[0]! - sorted[1]!, noise: rms, agree: argmax(a) === argmax(b) };
  });
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
  const gamma = Number(args.gamma);
  const allViews = await photoTensors();
  const weights = args.weights !== undefined ? await readResnet50Weights(args.weights) : await photoCalibratedWeights(allViews, 42, gamma);
  const calibrationRows = await photoTensors(['whole', 'flip']);
  const heldOut = [...(await photoTensors(['center-crop', 'corner-crop', 'flip-crop'])), ...(await generatedTensors(10))];
  console.log(`weights: ${args.weights ?? `Keras initialization, BatchNorm statistics from the photos, residual gamma ${gamma}`}`);
  console.log(`calibration: ${calibrationRows.length} photo views; held out: ${heldOut.length} rows (30 photo views, 10 generated images)\n`);

  const calibration = await RangeCalibration.open(weights);
  await calibration.add(calibrationRows);
  const ranges = calibration.result();
  await calibration.close();

  const fp32Bytes = buildResnet50Onnx(weights);
  const fp32Session = await localSession(fp32Bytes);
  const fp32 = await predictRows(fp32Session, heldOut);
  await fp32Session.release();

  const results: { name: string; probs: Float32Array[] }[] = [];
  const run = async (name: string, session: ort.InferenceSession) => {
    const probs = await predictRows(session, heldOut);
    await session.release();
    const r = compareProbabilities(fp32, probs);
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    console.log(`| ${name} | ${pct(r.top1Agreement)} | ${pct(r.top5Overlap)} | ${r.meanKl.toPrecision(2)} | ${logitSnrDb(fp32, probs).toFixed(1)} |`);
    results.push({ name, probs });
    return probs;
  };

  const acts = activationsToQuantize(buildResnet50Graph(weights).parts().nodes);
  const none = new Set<string>();
  console.log('| experiment (held-out rows) | top-1 | top-5 | mean KL | logit SNR dB |');
  console.log('|---|---|---|---|---|');
  const int8Bytes = buildResnet50Qdq(weights, ranges, 'symmetric');
  const int8 = await run('int8 QDQ as built (symmetric, fused QLinearConv)', await localSession(int8Bytes));
  await run('int8 QDQ, zero-point weight form', await localSession(buildResnet50Qdq(weights, ranges, 'zero-point')));
  await run('simulated: int8 weights + uint8 activations (fp32 arithmetic)', await simulatedSession(simulatedGraph(weights, ranges, perChannelGrid(127), new Set(acts))));
  await run('simulated: int8 weights only', await simulatedSession(simulatedGraph(weights, ranges, perChannelGrid(127), none)));
  await run('simulated: uint8 activations only', await simulatedSession(simulatedGraph(weights, ranges, null, new Set(acts))));
  await run('simulated: uint8 input only', await simulatedSession(simulatedGraph(weights, ranges, null, new Set(['input_nchw']))));
  await run('simulated: weights with int8-sized uniform noise (seed 1)', await simulatedSession(simulatedGraph(weights, ranges, int8SizedNoise(1), none)));
  await run('simulated: weights with int8-sized uniform noise (seed 2)', await simulatedSession(simulatedGraph(weights, ranges, int8SizedNoise(2), none)));
  await run('simulated: weights per tensor (one scale a layer)', await simulatedSession(simulatedGraph(weights, ranges, perTensorInt8, none)));
  await run('simulated: weights on a 10-bit grid (+-511)', await simulatedSession(simulatedGraph(weights, ranges, perChannelGrid(511), none)));
  await run('simulated: weights on a 12-bit grid (+-2047)', await simulatedSession(simulatedGraph(weights, ranges, perChannelGrid(2047), none)));

  const rows = margins(fp32, int8);
  const sortedMargins = rows.map((r) => r.margin).sort((a, b) => a - b);
  const noise = rows.map((r) => r.noise).sort((a, b) => a - b);
  const top1 = fp32.map((p) => Math.max(...p)).sort((a, b) => a - b);
  console.log(`\nfp32 top-1 probability: min ${top1[0]!.toFixed(4)}, median ${quantile(top1, 0.5).toFixed(4)}, max ${top1.at(-1)!.toFixed(4)}`);
  console.log(`fp32 top-1 - top-2 logit margin: min ${sortedMargins[0]!.toFixed(4)}, median ${quantile(sortedMargins, 0.5).toFixed(4)}, max ${sortedMargins.at(-1)!.toFixed(4)}`);
  console.log(`int8 logit error (RMS over classes): median ${quantile(noise, 0.5).toFixed(4)}, max ${noise.at(-1)!.toFixed(4)}`);
  const table = (title: string, of: (r: (typeof rows)[number]) => number, bounds: readonly number[]) => {
    console.log(`\n| ${title} | rows | top-1 agreement |`);
    console.log('|---|---|---|');
    bounds.forEach((lo, k) => {
      const hi = bounds[k + 1] ?? Infinity;
      const bucket = rows.filter((r) => of(r) >= lo && of(r) < hi);
      console.log(`| ${lo}-${hi} | ${bucket.length} | ${bucket.length ? `${bucket.filter((r) => r.agree).length}/${bucket.length}` : '-'} |`);
    });
  };
  table('fp32 top-1 - top-2 logit margin', (r) => r.margin, [0, 0.1, 0.25, 0.5, 1]);
  table('fp32 margin / int8 logit RMS error', (r) => r.margin / r.noise, [0, 0.5, 1, 2, 4]);

  if (args.dump !== undefined) {
    mkdirSync(args.dump, { recursive: true });
    const raw = (list: readonly Float32Array[]) => {
      const out = new Float32Array(list.reduce((n, r) => n + r.length, 0));
      let at = 0;
      for (const r of list) (out.set(r, at), (at += r.length));
      return Buffer.from(out.buffer);
    };
    writeFileSync(join(args.dump, 'fp32.onnx'), fp32Bytes);
    writeFileSync(join(args.dump, 'int8.onnx'), int8Bytes);
    writeFileSync(join(args.dump, 'calibration.f32'), raw(calibrationRows));
    writeFileSync(join(args.dump, 'heldout.f32'), raw(heldOut));
    writeFileSync(join(args.dump, 'all-views.f32'), raw(allViews));
    writeFileSync(join(args.dump, 'fp32-probs.f32'), raw(fp32));
    writeFileSync(join(args.dump, 'int8-probs.f32'), raw(int8));
    console.log(`\nwrote ${args.dump}: fp32.onnx, int8.onnx, calibration.f32, heldout.f32, all-views.f32, fp32-probs.f32, int8-probs.f32`);
  }
}

await main();
