// Real photos for the int8 tests, and ResNet-50 weights that behave like trained ones on them.
//
// Random weights with Keras's initial BatchNorm statistics (mean 0, variance 1) give activations that grow
// or vanish layer by layer: nothing like a trained network's, and no test of quantization. A trained
// network's BatchNorm moving statistics are the statistics of its conv outputs on real images; these
// weights get exactly that: Keras's initial kernels (glorot uniform, seeded), and each BatchNorm's moving
// mean and variance measured on the photos, every layer normalized in turn as Keras does in training.
// One onnxruntime run computes them all: the graph normalizes each conv output by its batch statistics
// and outputs them. (Done here in TypeScript, in seconds, so that no test needs TensorFlow or a 100 MB
// weights file.)

import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../../udfs/runtime/ort-environment.js';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { KerasWeights } from '../../udfs/models/keras/keras-weights.js';
import { OnnxGraphBuilder } from '../../udfs/onnx/onnx-graph-builder.js';
import { attr } from '../../udfs/onnx/onnx-attribute.js';
import { randomResnet50Weights } from '../../udfs/models/resnet50/random-weights.js';
import { buildResnet50Graph, RESNET50_INPUT_NAME } from '../../udfs/models/resnet50/resnet50-graph.js';
import { RESNET50_BN_EPSILON, resnet50LayerSpecs } from '../../udfs/models/resnet50/resnet50-layout.js';
import { preprocessInPlace } from '../../udfs/images/preprocess.js';
import { writeSampleImages } from '../../udfs/images/sample-images.js';
import { tempDir } from './cli.js';

const SIZE = 224;
export const PHOTO_DIR = fileURLToPath(new URL('../../../test/fixtures/photos/', import.meta.url));

/** The photo fixtures' paths, sorted. */
export function photoFiles(): string[] {
  return readdirSync(PHOTO_DIR)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((f) => join(PHOTO_DIR, f));
}

/** How a photo is turned into a 224x224 view. */
export type PhotoView = 'whole' | 'flip' | 'center-crop' | 'corner-crop' | 'flip-crop';
export const PHOTO_VIEWS: readonly PhotoView[] = ['whole', 'flip', 'center-crop', 'corner-crop', 'flip-crop'];

/** A 224x224 RGB view of a photo as JPEG bytes (what read_blob would give a model). */
export async function photoView(path: string, view: PhotoView): Promise<Buffer> {
  const image = sharp(path).removeAlpha();
  const { width = SIZE, height = SIZE } = await sharp(path).metadata();
  const crop = (left: number, top: number) => ({ left, top, width: Math.floor(width * 0.75), height: Math.floor(height * 0.75) });
  switch (view) {
    case 'whole':
      break;
    case 'flip':
      image.flop();
      break;
    case 'center-crop':
      image.extract(crop(Math.floor(width * 0.125), Math.floor(height * 0.125)));
      break;
    case 'corner-crop':
      image.extract(crop(0, 0));
      break;
    case 'flip-crop':
      image.extract(crop(Math.floor(width * 0.25), Math.floor(height * 0.25))).flop();
      break;
  }
  return image.resize(SIZE, SIZE, { fit: 'fill' }).jpeg({ quality: 95 }).toBuffer();
}

/** RGB floats 0..255, HWC, of a 224x224 image. */
export async function pixelsOf(jpeg: Uint8Array): Promise<Float32Array> {
  const { data } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return Float32Array.from(data);
}

/** Every photo in every view, as 'caffe'-preprocessed tensors (the fp32 graph's input). */
export async function photoTensors(views: readonly PhotoView[] = PHOTO_VIEWS): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const file of photoFiles()) {
    for (const view of views) {
      const pixels = await pixelsOf(await photoView(file, view));
      preprocessInPlace(pixels, 0, SIZE * SIZE, 'caffe');
      out.push(pixels);
    }
  }
  return out;
}

/** 224x224 generated flower images (sample-images), preprocessed 'caffe'. */
export async function generatedTensors(count: number): Promise<Float32Array[]> {
  const dir = tempDir('sqlinfer-int8-generated-');
  const images = await writeSampleImages({ out: dir, images: count, seed: 7 });
  const out: Float32Array[] = [];
  for (const image of images) {
    const jpeg = await sharp(await readFile(join(dir, image.file))).resize(224, 224, { fit: 'fill' }).jpeg().toBuffer();
    const pixels = await pixelsOf(jpeg);
    preprocessInPlace(pixels, 0, 224 * 224, 'caffe');
    out.push(pixels);
  }
  return out;
}

/**
 * Keras-initialized ResNet-50 weights whose BatchNorm moving statistics come from `images` (preprocessed).
 * `residualGamma` sets the gamma of each block's last BatchNorm (Keras: 1), scaling the residual branches.
 */
export async function photoCalibratedWeights(images: readonly Float32Array[], seed = 42, residualGamma = 1): Promise<KerasWeights> {
  const weights = new Map([...randomResnet50Weights(seed)].map(([name, layer]) => [name, new Map(layer)]));
  for (const [name, layer] of weights) {
    if (/_3_bn$/.test(name)) layer.set('gamma', { shape: layer.get('gamma')!.shape, data: layer.get('gamma')!.data.map(() => residualGamma) });
  }
  const fp32 = buildResnet50Graph(weights).parts();
  const g = new OnnxGraphBuilder('resnet50_batch_statistics');
  for (const input of fp32.inputs) g.input(input.name, input.elemType, input.dims);
  for (const init of fp32.initializers) g.addInitializer(init.name, init.dims, init.data);
  g.addInitializer('epsilon', [], Float32Array.of(RESNET50_BN_EPSILON));
  const convs: string[] = [];
  for (const node of fp32.nodes) {
    if (node.op !== 'Conv') {
      g.addNode(node);
      continue;
    }
    // The conv output is named after its BatchNorm layer; normalize it by the batch's statistics.
    const bn = node.outputs[0]!;
    convs.push(bn);
    const raw = g.addNode({ ...node, outputs: [`${bn}/raw`] });
    const axes = { axes: attr.ints([0, 2, 3]), keepdims: attr.int(1) };
    const mean = g.addNode({ op: 'ReduceMean', inputs: [raw], outputs: [`${bn}/mean`], attributes: axes });
    const centered = g.addNode({ op: 'Sub', inputs: [raw, mean], outputs: [`${bn}/centered`] });
    const squared = g.addNode({ op: 'Mul', inputs: [centered, centered], outputs: [`${bn}/squared`] });
    const variance = g.addNode({ op: 'ReduceMean', inputs: [squared], outputs: [`${bn}/variance`], attributes: axes });
    const shifted = g.addNode({ op: 'Add', inputs: [variance, 'epsilon'], outputs: [`${bn}/shifted`] });
    const deviation = g.addNode({ op: 'Sqrt', inputs: [shifted], outputs: [`${bn}/deviation`] });
    const gamma = weights.get(bn)!.get('gamma')!;
    const scale = g.addInitializer(`${bn}/gamma`, [1, gamma.data.length, 1, 1], gamma.data);
    const normalized = g.addNode({ op: 'Div', inputs: [centered, deviation], outputs: [`${bn}/normalized`] });
    g.addNode({ op: 'Mul', inputs: [normalized, scale], outputs: [bn] });
    g.output(mean, 'float32', null);
    g.output(variance, 'float32', null);
  }
  for (const output of fp32.outputs) g.output(output.name, output.elemType, output.dims);

  const session = await ort.InferenceSession.create(g.toBytes(), { graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  const input = new Float32Array(images.length * SIZE * SIZE * 3);
  images.forEach((image, k) => input.set(image, k * SIZE * SIZE * 3));
  const result = await session.run({ [RESNET50_INPUT_NAME]: new ort.Tensor('float32', input, [images.length, SIZE, SIZE, 3]) });
  await session.release();

  // With unit statistics the folded conv is gamma (conv + bias) / sqrt(1 + eps): undo that factor.
  const unitOf = (bn: string) => weights.get(bn)!.get('gamma')!.data[0]! / Math.sqrt(1 + RESNET50_BN_EPSILON);
  const layers = weights;
  const bnLayers = new Set(resnet50LayerSpecs().map((s) => s.name));
  for (const bn of convs) {
    if (!bnLayers.has(bn)) throw new Error(`no BatchNorm layer ${bn}`);
    const layer = layers.get(bn)!;
    const unit = unitOf(bn);
    const mean = (result[`${bn}/mean`]!.data as Float32Array).map((m) => m / unit);
    const variance = (result[`${bn}/variance`]!.data as Float32Array).map((v) => v / (unit * unit));
    layer.set('moving_mean', { shape: [mean.length], data: mean });
    layer.set('moving_variance', { shape: [variance.length], data: variance });
  }
  return layers;
}
