// Writes Keras weights files in the legacy HDF5 layout, as Keras 2's `save_weights('x.h5')` (h5py) does:
// root attributes `layer_names`, `backend`, `keras_version`; a group per layer, weightless layers
// included, with a `weight_names` attribute of fixed-length byte strings (an empty float64 array when
// the layer has no weights); datasets at `<layer>/<layer>/<weight>:0`.

import h5wasm from 'h5wasm/node';
import type { Group } from 'h5wasm/node';
import { glorotUniform } from '../../udfs/models/keras/glorot-uniform.js';
import type { KerasTensor, KerasWeights } from '../../udfs/models/keras/keras-weights.js';
import { fillUniform, seededRandom } from '../../udfs/seeded-random.js';
import { resnet50LayerSpecs } from '../../udfs/models/resnet50/resnet50-layout.js';

export interface WriteKerasH5Options {
  /** Layers without weights to list as well (Keras lists every layer, e.g. 'input_1', 'avg_pool'). */
  readonly weightlessLayers?: readonly string[];
  /** Layers to leave out of the file entirely, to test the reader's errors. */
  readonly omitLayers?: readonly string[];
  /** Replace one weight's shape (data is cut or zero-padded to fit), to test the reader's errors. */
  readonly reshape?: { readonly layer: string; readonly weight: string; readonly shape: readonly number[] };
  /** HDF5 format bounds; the default, earliest to latest, gives the version-0 superblock h5py writes. */
  readonly libver?: 'latest' | readonly ['earliest', 'latest'];
}

export async function writeKerasH5(path: string, weights: KerasWeights, options: WriteKerasH5Options = {}): Promise<void> {
  await h5wasm.ready;
  const omit = new Set(options.omitLayers ?? []);
  const layers = [...weights.keys()].filter((name) => !omit.has(name));
  const layerNames = [...(options.weightlessLayers ?? []), ...layers];
  const file = new h5wasm.File(path, 'w', { libver: options.libver === 'latest' ? 'latest' : ['earliest', 'latest'] });
  try {
    fixedStringsAttribute(file, 'layer_names', layerNames);
    file.create_attribute('backend', 'tensorflow');
    file.create_attribute('keras_version', '2.15.0');
    for (const name of options.weightlessLayers ?? []) {
      file.create_group(name).create_attribute('weight_names', new Float64Array(0), [0], '<d');
    }
    for (const name of layers) {
      const layer = weights.get(name) as ReadonlyMap<string, KerasTensor>;
      const group = file.create_group(name);
      const weightNames = [...layer.keys()].map((w) => `${name}/${w}:0`);
      fixedStringsAttribute(group, 'weight_names', weightNames);
      const inner = group.create_group(name);
      for (const [w, tensor] of layer) {
        let { shape, data } = tensor;
        if (options.reshape && options.reshape.layer === name && options.reshape.weight === w) {
          shape = options.reshape.shape;
          const resized = new Float32Array(shape.reduce((a, b) => a * b, 1));
          resized.set(data.subarray(0, resized.length));
          data = resized;
        }
        inner.create_dataset({ name: `${w}:0`, data, shape: [...shape], dtype: '<f' });
      }
    }
  } finally {
    file.close();
  }
}

function fixedStringsAttribute(group: Group, name: string, values: readonly string[]): void {
  const width = Math.max(1, ...values.map((v) => Buffer.byteLength(v)));
  group.create_attribute(name, [...values], [values.length], `S${width}`);
}

/**
 * ResNet-50 weights for tests: Keras-like kernels, BatchNorm statistics away from the identity so that
 * folding is exercised, and a final layer scaled so the softmax is neither flat nor one-hot.
 */
export function testResnet50Weights(seed: number, denseScale = 1): KerasWeights {
  const random = seededRandom(seed);
  const layers = new Map<string, Map<string, KerasTensor>>();
  for (const spec of resnet50LayerSpecs()) {
    const weights = new Map<string, KerasTensor>();
    for (const w of spec.weights) {
      const size = w.shape.reduce((a, b) => a * b, 1);
      let data: Float32Array;
      if (w.name === 'kernel') {
        data = glorotUniform(w.shape, random);
        if (spec.name === 'predictions') data = data.map((v) => v * denseScale);
      } else if (w.name === 'bias') data = fillUniform(random, new Float32Array(size), -0.05, 0.05);
      else if (w.name === 'gamma') data = fillUniform(random, new Float32Array(size), 0.5, 1.0);
      else if (w.name === 'beta') data = fillUniform(random, new Float32Array(size), -0.1, 0.1);
      else if (w.name === 'moving_mean') data = fillUniform(random, new Float32Array(size), -0.2, 0.2);
      else data = fillUniform(random, new Float32Array(size), 0.5, 2.0);
      weights.set(w.name, { shape: [...w.shape], data });
    }
    layers.set(spec.name, weights);
  }
  return layers;
}
