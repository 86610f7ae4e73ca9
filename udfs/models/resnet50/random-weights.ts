// ResNet-50 weights as a freshly built Keras model has them (weights=None): glorot-uniform kernels, zero
// biases, BatchNorm gamma 1, beta 0, moving mean 0, moving variance 1. Seeded, so 'random' is
// reproducible: for trying the pipeline offline, not for meaningful predictions.

import { glorotUniform } from '../keras/glorot-uniform.js';
import type { KerasTensor, KerasWeights } from '../keras/keras-weights.js';
import { seededRandom } from '../../seeded-random.js';
import { resnet50LayerSpecs } from './resnet50-layout.js';

export const RESNET50_RANDOM_SEED = 42;

export function randomResnet50Weights(seed: number = RESNET50_RANDOM_SEED): KerasWeights {
  const random = seededRandom(seed);
  const layers = new Map<string, Map<string, KerasTensor>>();
  for (const spec of resnet50LayerSpecs()) {
    const weights = new Map<string, KerasTensor>();
    for (const w of spec.weights) {
      const size = w.shape.reduce((a, b) => a * b, 1);
      let data: Float32Array;
      if (w.name === 'kernel') data = glorotUniform(w.shape, random);
      else if (w.name === 'gamma' || w.name === 'moving_variance') data = new Float32Array(size).fill(1);
      else data = new Float32Array(size);
      weights.set(w.name, { shape: [...w.shape], data });
    }
    layers.set(spec.name, weights);
  }
  return layers;
}
