// A TensorFlow.js layers model built and saved here (model.json + weights.bin), registered with CREATE
// MODEL and run on the worker pool (TF.js WASM backend, or tfjs-node when installed): its outputs equal
// the dense layers computed in the test from the known weights.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createEngine, type Engine } from '../engine/engine.js';
import { createUdfs } from '../udfs/index.js';
import { plain, rounded } from './helpers/onnx-model-fixtures.js';
import { writeMatmulGraphModel } from './helpers/tfjs-graph-model.js';

// dense(2, relu) over 3 inputs, then dense(1): y = relu(x W1 + b1) W2 + b2.
const W1 = [
  [1, -1],
  [0.5, 2],
  [-2, 0.25],
];
const B1 = [0.1, -0.2];
const W2 = [[1.5], [-0.5]];
const B2 = [0.3];

function expected(x: readonly number[]): number {
  const hidden = [0, 1].map((j) => Math.max(0, x.reduce((s, v, i) => s + v * W1[i]![j]!, B1[j]!)));
  return hidden.reduce((s, h, j) => s + h * W2[j]![0]!, B2[0]!);
}

let dir = '';
let engine: Engine;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sqlinfer-tfjs-model-'));
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [3], units: 2, activation: 'relu', name: 'hidden' }),
      tf.layers.dense({ units: 1, name: 'score' }),
    ],
  });
  model.getLayer('hidden').setWeights([tf.tensor2d(W1), tf.tensor1d(B1)]);
  model.getLayer('score').setWeights([tf.tensor2d(W2), tf.tensor1d(B2)]);
  // file:// saving needs tfjs-node: write model.json and weights.bin with a handler of our own.
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const parts = data === undefined ? [] : Array.isArray(data) ? data : [data];
      const weights = Buffer.concat(parts.map((p) => new Uint8Array(p)));
      await writeFile(join(dir, 'weights.bin'), weights);
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  engine = await createEngine({ udfs: createUdfs({ threads: 1 }) });
});
after(async () => {
  try {
    await engine?.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a TF.js layers model from model.json gives the dense layers values, one value per row', async () => {
  await engine.run(`CREATE MODEL scorer FROM '${join(dir, 'model.json')}'`);
  const [result] = await engine.run(`SELECT i, scorer([i, 1 - i, i * 0.5]) AS y FROM range(-3, 4) t(i) ORDER BY i`);
  assert.equal(result!.columns[1]!.type, 'FLOAT');
  assert.deepEqual(
    result!.rows.map((r) => r.map(plain)),
    [-3, -2, -1, 0, 1, 2, 3].map((i) => [BigInt(i), rounded([expected([i, 1 - i, i * 0.5])])[0]]),
  );
});

test('DESCRIBE MODEL shows the TF.js runtime and backend, inputs and outputs; a folder finds its model.json', async () => {
  await engine.run(`CREATE MODEL folder_scorer FROM '${dir}'`);
  const described = Object.fromEntries((await engine.run('DESCRIBE MODEL folder_scorer'))[0]!.rows as [string, string][]);
  assert.equal(described['format'], 'tfjs');
  assert.match(described['runtime']!, /^TensorFlow\.js \d+\.\d+\.\d+ layers model, backend (wasm|tensorflow \(tfjs-node\))$/);
  assert.equal(described['file'], join(dir, 'model.json'));
  assert.equal(described['input hidden_input'], 'float32 [?, 3]');
  assert.equal(described['output score'], 'float32 [?, 1]');
  const [result] = await engine.run(`SELECT folder_scorer([1, 2, 3]) FROM range(1)`);
  assert.deepEqual(result!.rows.map((r) => r.map(plain)), [rounded([expected([1, 2, 3])])]);
});

test('a TF.js graph model (as the converter writes them) runs too', async () => {
  const graph = join(dir, 'graph');
  await mkdir(graph);
  await writeMatmulGraphModel(graph, [2, -3]);
  await engine.run(`CREATE MODEL matmul FROM '${join(graph, 'model.json')}'`);
  const described = Object.fromEntries((await engine.run('DESCRIBE MODEL matmul'))[0]!.rows as [string, string][]);
  assert.match(described['runtime']!, /graph model/);
  const [result] = await engine.run('SELECT matmul([i, 2 * i]) FROM range(3) t(i)');
  assert.deepEqual(result!.rows.map((r) => r.map(plain)), [0, 1, 2].map((i) => [[2 * i - 3 * 2 * i]]));
});
