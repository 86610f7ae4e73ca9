import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { WeightsError, type KerasWeights } from '../udfs/models/keras/keras-weights.js';
import { clearResnet50ModelCache, loadResnet50Model } from '../udfs/models/resnet50/load-resnet50-model.js';
import { randomResnet50Weights } from '../udfs/models/resnet50/random-weights.js';
import { buildResnet50Graph, RESNET50_INPUT_NAME, RESNET50_OUTPUT_NAME } from '../udfs/models/resnet50/resnet50-graph.js';
import { resnet50LayerSpecs } from '../udfs/models/resnet50/resnet50-layout.js';
import { testResnet50Weights, writeKerasH5 } from './helpers/keras-h5.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sqlinfer-resnet50-model-'));
});
after(async () => {
  try {
    clearResnet50ModelCache();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Offline and isolated from the user's Keras cache. */
const env = { KERAS_HOME: '/nonexistent/keras-home', HOME: '/nonexistent' };

test('ResNet-50 has Keras layer names and 25,636,712 parameters; folding BatchNorm leaves 25,530,472', () => {
  const specs = resnet50LayerSpecs();
  assert.equal(specs.length, 53 * 2 + 1, '53 conv + 53 batch norm + the dense layer');
  assert.deepEqual(
    specs.slice(0, 6).map((s) => s.name),
    ['conv1_conv', 'conv1_bn', 'conv2_block1_0_conv', 'conv2_block1_0_bn', 'conv2_block1_1_conv', 'conv2_block1_1_bn'],
  );
  assert.deepEqual(specs.find((s) => s.name === 'conv3_block1_1_conv')?.weights[0]?.shape, [1, 1, 256, 128]);
  assert.deepEqual(specs.find((s) => s.name === 'conv5_block3_3_bn')?.weights[3]?.shape, [2048]);
  assert.equal(specs.at(-1)?.name, 'predictions');

  const weights = randomResnet50Weights();
  assert.equal(kerasParameterCount(weights), 25_636_712);
  // Each BatchNorm's 4 vectors of C values fold into its conv's kernel and bias: 26,560 channels in all.
  assert.equal(buildResnet50Graph(weights).initializerElementCount(), 25_636_712 - 4 * 26_560);

  const conv = weights.get('conv3_block2_2_conv');
  assert.ok(conv);
  const kernel = conv.get('kernel');
  assert.ok(kernel);
  const wrongConv = new Map(conv).set('kernel', { shape: [1, 1, 128, 128], data: kernel.data.subarray(0, 128 * 128) });
  const wrong = new Map(weights).set('conv3_block2_2_conv', wrongConv);
  assert.throws(
    () => buildResnet50Graph(wrong),
    /layer 'conv3_block2_2_conv' weight 'kernel' has shape \[1, 1, 128, 128\] and 16384 values, expected \[3, 3, 128, 128\]/,
  );
});

test("'random' weights are deterministic, Keras-like, and give finite probabilities that sum to 1", async () => {
  const a = randomResnet50Weights();
  const b = randomResnet50Weights();
  assert.deepEqual(a.get('conv4_block2_2_conv')?.get('kernel')?.data.subarray(0, 50), b.get('conv4_block2_2_conv')?.get('kernel')?.data.subarray(0, 50));
  assert.deepEqual([...(a.get('conv1_bn')?.get('moving_variance')?.data ?? [])], new Array(64).fill(1));
  assert.deepEqual([...(a.get('predictions')?.get('bias')?.data ?? [])], new Array(1000).fill(0));

  const model = await loadResnet50Model({ weights: 'random', env });
  assert.equal(model.source, 'random (seed 42)');
  const session = await ort.InferenceSession.create(model.onnx.slice(), { intraOpNumThreads: 1 });
  try {
    assert.deepEqual(session.inputNames, [RESNET50_INPUT_NAME]);
    assert.deepEqual(session.outputNames, [RESNET50_OUTPUT_NAME]);
    const rows = 2;
    const input = new Float32Array(rows * 224 * 224 * 3).map((_, i) => ((i * 7919) % 255) - 120);
    const out = await session.run({ [RESNET50_INPUT_NAME]: new ort.Tensor('float32', input, [rows, 224, 224, 3]) });
    const predictions = out[RESNET50_OUTPUT_NAME];
    assert.ok(predictions);
    assert.deepEqual(predictions.dims, [rows, 1000]);
    const p = predictions.data as Float32Array;
    for (let r = 0; r < rows; r++) {
      const row = p.subarray(r * 1000, (r + 1) * 1000);
      assert.ok(row.every(Number.isFinite), `row ${r} is finite`);
      const sum = row.reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `row ${r} sums to ${sum}`);
    }
  } finally {
    await session.release();
  }
  assert.equal((await loadResnet50Model({ weights: 'random', env })).onnx, model.onnx, 'the built bytes are reused');
});

test('a weights file is built once per path, mtime and size, and rebuilt when the file changes', async () => {
  const path = join(dir, 'resnet50.h5');
  await writeKerasH5(path, testResnet50Weights(1));
  const first = await loadResnet50Model({ weights: path, env });
  assert.equal(first.source, path);
  assert.ok(first.onnx.byteLength > 100_000_000);
  assert.equal((await loadResnet50Model({ weights: path, env })).onnx, first.onnx);

  await writeKerasH5(path, testResnet50Weights(2));
  await utimes(path, new Date(), new Date(Date.now() + 5000));
  const second = await loadResnet50Model({ weights: path, env });
  assert.notEqual(second.onnx, first.onnx);
  assert.equal(second.onnx.byteLength, first.onnx.byteLength);
});

test('a weights file missing a layer fails with the layer named, and the failure is not kept', async () => {
  const path = join(dir, 'partial.h5');
  await writeKerasH5(path, testResnet50Weights(3), { omitLayers: ['conv4_block3_2_bn'] });
  await assert.rejects(loadResnet50Model({ weights: path, env }), (e: unknown) => {
    assert.ok(e instanceof WeightsError);
    assert.equal(e.message, `weights file '${path}' has no layer conv4_block3_2_bn`);
    return true;
  });
  await assert.rejects(loadResnet50Model({ weights: path, env }), /has no layer conv4_block3_2_bn/);
});

function kerasParameterCount(weights: KerasWeights): number {
  let count = 0;
  for (const layer of weights.values()) for (const tensor of layer.values()) count += tensor.data.length;
  return count;
}
