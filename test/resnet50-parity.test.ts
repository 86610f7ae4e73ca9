// The ONNX graph against an independent ResNet-50: keras.applications.ResNet50 written again with
// TensorFlow.js layers (the same layer types and settings as Keras), both loading one HDF5 file: first the
// bare graph on preprocessed tensors, then predict_resnet50 in SQL on JPEG files (decode, resize and
// Keras's preprocessing in the workers) against Keras's preprocessing written again in this file.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { createEngine, createUdfs } from '../engine/index.js';
import type { KerasWeights } from '../udfs/models/keras/keras-weights.js';
import { readResnet50Weights } from '../udfs/models/resnet50/keras-weights.js';
import {
  buildResnet50Onnx,
  RESNET50_INPUT_NAME,
  RESNET50_LOGITS_NAME,
  RESNET50_OUTPUT_NAME,
} from '../udfs/models/resnet50/resnet50-graph.js';
import { testResnet50Weights, writeKerasH5 } from './helpers/keras-h5.js';

const IMAGES = 2;
const SIZE = 224;
const CLASSES = 1000;

let dir = '';
let weightsPath = '';
let weights: KerasWeights;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sqlinfer-resnet50-parity-'));
  weightsPath = join(dir, 'resnet50.h5');
  await writeKerasH5(weightsPath, testResnet50Weights(7, 8), { weightlessLayers: ['input_1', 'conv1_pad', 'avg_pool'] });
  weights = await readResnet50Weights(weightsPath);
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  setWasmPaths(`${wasmDir}/`);
  assert.ok(await tf.setBackend('wasm'), 'the TensorFlow.js WASM backend starts');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Two synthetic RGB images with 'caffe' preprocessing: BGR order, minus the ImageNet channel means. */
function preprocessedImages(): Float32Array {
  const means = [103.939, 116.779, 123.68];
  const out = new Float32Array(IMAGES * SIZE * SIZE * 3);
  for (let n = 0; n < IMAGES; n++) {
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const r = n === 0 ? (x * 255) / SIZE : 128 + 127 * Math.sin(x / 9);
        const g = n === 0 ? (y * 255) / SIZE : 128 + 127 * Math.cos(y / 13);
        const b = n === 0 ? ((x + y) % 64) * 4 : ((x * y) % 251);
        const at = ((n * SIZE + y) * SIZE + x) * 3;
        out[at] = b - (means[0] as number);
        out[at + 1] = g - (means[1] as number);
        out[at + 2] = r - (means[2] as number);
      }
    }
  }
  return out;
}

/** keras.applications.ResNet50 (v1), include_top, built from TF.js layers; outputs [logits, probabilities]. */
function tfjsResnet50(w: KerasWeights): tf.LayersModel {
  const set = (layer: tf.layers.Layer, names: string[]): void => {
    const tensors = w.get(layer.name);
    assert.ok(tensors, `weights for ${layer.name}`);
    layer.setWeights(
      names.map((n) => {
        const t = tensors.get(n);
        assert.ok(t, `${layer.name}/${n}`);
        return tf.tensor(t.data, [...t.shape]);
      }),
    );
  };
  const built: Array<[tf.layers.Layer, string[]]> = [];
  const conv = (x: tf.SymbolicTensor, filters: number, kernel: number, strides: number, padding: 'valid' | 'same', name: string) => {
    const layer = tf.layers.conv2d({ filters, kernelSize: kernel, strides, padding, useBias: true, name });
    built.push([layer, ['kernel', 'bias']]);
    return layer.apply(x) as tf.SymbolicTensor;
  };
  const bn = (x: tf.SymbolicTensor, name: string) => {
    const layer = tf.layers.batchNormalization({ axis: 3, epsilon: 1.001e-5, name });
    built.push([layer, ['gamma', 'beta', 'moving_mean', 'moving_variance']]);
    return layer.apply(x) as tf.SymbolicTensor;
  };
  const relu = (x: tf.SymbolicTensor, name: string) =>
    tf.layers.activation({ activation: 'relu', name }).apply(x) as tf.SymbolicTensor;

  const block = (x: tf.SymbolicTensor, filters: number, stride: number, convShortcut: boolean, name: string) => {
    let shortcut = x;
    if (convShortcut) shortcut = bn(conv(x, 4 * filters, 1, stride, 'valid', `${name}_0_conv`), `${name}_0_bn`);
    let y = relu(bn(conv(x, filters, 1, stride, 'valid', `${name}_1_conv`), `${name}_1_bn`), `${name}_1_relu`);
    y = relu(bn(conv(y, filters, 3, 1, 'same', `${name}_2_conv`), `${name}_2_bn`), `${name}_2_relu`);
    y = bn(conv(y, 4 * filters, 1, 1, 'valid', `${name}_3_conv`), `${name}_3_bn`);
    y = tf.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as tf.SymbolicTensor;
    return relu(y, `${name}_out`);
  };
  const stack = (x: tf.SymbolicTensor, filters: number, blocks: number, stride1: number, name: string) => {
    let y = block(x, filters, stride1, true, `${name}_block1`);
    for (let i = 2; i <= blocks; i++) y = block(y, filters, 1, false, `${name}_block${i}`);
    return y;
  };

  const input = tf.input({ shape: [SIZE, SIZE, 3], name: 'input_1' });
  let x = tf.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: 'conv1_pad' }).apply(input) as tf.SymbolicTensor;
  x = relu(bn(conv(x, 64, 7, 2, 'valid', 'conv1_conv'), 'conv1_bn'), 'conv1_relu');
  x = tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pool1_pad' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }).apply(x) as tf.SymbolicTensor;
  x = stack(x, 64, 3, 1, 'conv2');
  x = stack(x, 128, 4, 2, 'conv3');
  x = stack(x, 256, 6, 2, 'conv4');
  x = stack(x, 512, 3, 2, 'conv5');
  x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: CLASSES, name: 'predictions' });
  built.push([dense, ['kernel', 'bias']]);
  const logits = dense.apply(x) as tf.SymbolicTensor;
  const probabilities = tf.layers.activation({ activation: 'softmax', name: 'softmax' }).apply(logits) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [logits, probabilities] });
  for (const [layer, names] of built) set(layer, names);
  return model;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

test('the ONNX ResNet-50 matches an independent TensorFlow.js ResNet-50 on the same HDF5 weights', async () => {
  const images = preprocessedImages();

  const session = await ort.InferenceSession.create(buildResnet50Onnx(weights, { logits: true }), { intraOpNumThreads: 1 });
  let onnxLogits: Float32Array;
  let onnxProbabilities: Float32Array;
  try {
    const out = await session.run({ [RESNET50_INPUT_NAME]: new ort.Tensor('float32', images, [IMAGES, SIZE, SIZE, 3]) });
    onnxLogits = out[RESNET50_LOGITS_NAME]?.data as Float32Array;
    onnxProbabilities = out[RESNET50_OUTPUT_NAME]?.data as Float32Array;
  } finally {
    await session.release();
  }

  const model = tfjsResnet50(weights);
  const input = tf.tensor4d(images, [IMAGES, SIZE, SIZE, 3]);
  const [logitsTensor, probabilitiesTensor] = model.predict(input) as tf.Tensor[];
  const tfLogits = (await (logitsTensor as tf.Tensor).data()) as Float32Array;
  const tfProbabilities = (await (probabilitiesTensor as tf.Tensor).data()) as Float32Array;
  tf.dispose([input, logitsTensor as tf.Tensor, probabilitiesTensor as tf.Tensor]);
  model.dispose();

  // The test weights must give a softmax that is neither flat nor one-hot, or comparing it says little.
  for (let n = 0; n < IMAGES; n++) {
    const row = tfProbabilities.subarray(n * CLASSES, (n + 1) * CLASSES);
    const top = Math.max(...row);
    assert.ok(top > 0.01 && top < 0.9, `image ${n}: top probability ${top} is neither flat nor one-hot`);
    const spread = Math.max(...tfLogits.subarray(n * CLASSES, (n + 1) * CLASSES)) - Math.min(...tfLogits.subarray(n * CLASSES, (n + 1) * CLASSES));
    assert.ok(spread > 2, `image ${n}: logits spread ${spread}`);
  }
  const logitScale = Math.max(...tfLogits.map(Math.abs));
  const logitDiff = maxAbsDiff(onnxLogits, tfLogits);
  assert.ok(logitDiff < 1e-4 * Math.max(1, logitScale), `logits differ by ${logitDiff} (largest |logit| ${logitScale})`);
  const probabilityDiff = maxAbsDiff(onnxProbabilities, tfProbabilities);
  assert.ok(probabilityDiff < 1e-4, `probabilities differ by ${probabilityDiff}`);
});

/** Keras's preprocess_input, written again here: 'caffe' (BGR minus the ImageNet means) or 'tf' (-1..1). */
function kerasPreprocess(rgb: Uint8Array, mode: 'caffe' | 'tf'): Float32Array {
  const out = new Float32Array(rgb.length);
  for (let i = 0; i < rgb.length; i += 3) {
    const [r, g, b] = [rgb[i] as number, rgb[i + 1] as number, rgb[i + 2] as number];
    if (mode === 'caffe') {
      out[i] = b - 103.939;
      out[i + 1] = g - 116.779;
      out[i + 2] = r - 123.68;
    } else {
      out[i] = r / 127.5 - 1;
      out[i + 1] = g / 127.5 - 1;
      out[i + 2] = b / 127.5 - 1;
    }
  }
  return out;
}

test("predict_resnet50 on decoded JPEGs matches TensorFlow.js for 'caffe' and 'tf'", async () => {
  // Two photos of different sizes and aspect ratios, written as JPEG files and read back by DuckDB.
  const photos = [
    { name: 'a.jpg', width: 320, height: 240, color: { r: 200, g: 60, b: 30 } },
    { name: 'b.jpg', width: 180, height: 300, color: { r: 20, g: 120, b: 220 } },
  ];
  const rgbs: Uint8Array[] = [];
  for (const photo of photos) {
    const noise = Buffer.alloc(photo.width * photo.height * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + (i >> 5) * 31) % 256;
    const jpeg = await sharp(noise, { raw: { width: photo.width, height: photo.height, channels: 3 } })
      .composite([{ input: { create: { width: photo.width, height: photo.height >> 1, channels: 3, background: photo.color } }, gravity: 'north' }])
      .jpeg({ quality: 90 })
      .toBuffer();
    await writeFile(join(dir, photo.name), jpeg);
    // The notebook's tensor: the decoded image resized to 224x224, RGB, height x width x channel.
    rgbs.push(new Uint8Array(await sharp(jpeg).resize(SIZE, SIZE, { fit: 'fill' }).removeAlpha().raw().toBuffer()));
  }

  const engine = await createEngine({ udfs: createUdfs({ threads: 2 }), settings: { resnet50_weights: weightsPath } });
  let rows: { caffe: number[]; tf: number[] }[];
  try {
    const [result] = await engine.run(
      `SELECT predict_resnet50(content) AS caffe, predict_resnet50(content, 'tf') AS tf
       FROM read_blob('${join(dir, '*.jpg')}') ORDER BY filename`,
    );
    rows = (result?.rows ?? []).map((row) => ({
      caffe: (row[0] as { items: number[] }).items,
      tf: (row[1] as { items: number[] }).items,
    }));
  } finally {
    await engine.close();
  }
  assert.equal(rows.length, photos.length);

  const model = tfjsResnet50(weights);
  try {
    for (const mode of ['caffe', 'tf'] as const) {
      const batch = new Float32Array(photos.length * SIZE * SIZE * 3);
      rgbs.forEach((rgb, n) => batch.set(kerasPreprocess(rgb, mode), n * SIZE * SIZE * 3));
      const input = tf.tensor4d(batch, [photos.length, SIZE, SIZE, 3]);
      const outputs = model.predict(input) as tf.Tensor[];
      const expected = (await (outputs[1] as tf.Tensor).data()) as Float32Array;
      tf.dispose([input, ...outputs]);
      const actual = Float32Array.from(rows.flatMap((row) => row[mode]));
      const diff = maxAbsDiff(actual, expected);
      assert.ok(diff < 1e-4, `${mode}: probabilities differ by ${diff}`);
    }
  } finally {
    model.dispose();
  }
});
