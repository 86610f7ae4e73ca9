import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readKerasH5Weights } from '../udfs/models/keras/keras-h5-reader.js';
import type { KerasLayerSpec, KerasTensor, KerasWeights } from '../udfs/models/keras/keras-weights.js';
import { WeightsError } from '../udfs/models/keras/keras-weights.js';
import { writeKerasH5 } from './helpers/keras-h5.js';

const specs: KerasLayerSpec[] = [
  {
    name: 'conv1_conv',
    weights: [
      { name: 'kernel', shape: [3, 3, 2, 4] },
      { name: 'bias', shape: [4] },
    ],
  },
  {
    name: 'conv1_bn',
    weights: ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((name) => ({ name, shape: [4] })),
  },
  {
    name: 'predictions',
    weights: [
      { name: 'kernel', shape: [4, 3] },
      { name: 'bias', shape: [3] },
    ],
  },
];

function tinyWeights(): KerasWeights {
  let next = 0;
  return new Map(
    specs.map((spec) => [
      spec.name,
      new Map<string, KerasTensor>(
        spec.weights.map((w) => {
          const data = new Float32Array(w.shape.reduce((a, b) => a * b, 1)).map(() => (next++ % 97) / 7 - 3);
          return [w.name, { shape: w.shape, data }];
        }),
      ),
    ]),
  );
}

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sqlinfer-keras-h5-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const libver of ['h5py default', 'latest'] as const) {
  test(`reads back every layer's weights from the legacy layout (${libver} HDF5 format)`, async () => {
    const path = join(dir, `tiny-${libver.replace(' ', '-')}.h5`);
    const weights = tinyWeights();
    await writeKerasH5(path, weights, {
      weightlessLayers: ['input_1', 'conv1_pad', 'avg_pool'],
      ...(libver === 'latest' ? { libver } : {}),
    });
    const read = await readKerasH5Weights(path, specs);
    assert.deepEqual([...read.keys()], specs.map((s) => s.name));
    for (const [layer, tensors] of weights) {
      for (const [name, tensor] of tensors) {
        const got = read.get(layer)?.get(name);
        assert.ok(got, `${layer}/${name}`);
        assert.deepEqual(got.shape, tensor.shape);
        assert.deepEqual(got.data, tensor.data);
      }
    }
  });
}

test('a missing layer is an error naming the layer and the file', async () => {
  const path = join(dir, 'missing.h5');
  await writeKerasH5(path, tinyWeights(), { omitLayers: ['conv1_bn'] });
  await assert.rejects(readKerasH5Weights(path, specs), (e: unknown) => {
    assert.ok(e instanceof WeightsError);
    assert.match(e.message, /weights file '.*missing\.h5' has no layer conv1_bn$/);
    return true;
  });
});

test('a weight of the wrong shape is an error naming the layer, the weight and both shapes', async () => {
  const path = join(dir, 'shape.h5');
  await writeKerasH5(path, tinyWeights(), { reshape: { layer: 'predictions', weight: 'kernel', shape: [4, 5] } });
  await assert.rejects(
    readKerasH5Weights(path, specs),
    /layer 'predictions' weight 'kernel' has shape \[4, 5\], expected \[4, 3\]/,
  );
});

test('a truncated file is an error naming the file and saying it is truncated', async () => {
  const path = join(dir, 'truncated.h5');
  await writeKerasH5(path, tinyWeights());
  const size = (await readFile(path)).length;
  await truncate(path, Math.floor(size / 2));
  await assert.rejects(readKerasH5Weights(path, specs), (e: unknown) => {
    assert.ok(e instanceof WeightsError);
    assert.match(e.message, /weights file '.*truncated\.h5' is truncated: it has \d+ bytes, its HDF5 header says \d+/);
    return true;
  });
});

test('a file that is not HDF5, an empty file and a missing file are clear errors', async () => {
  const html = join(dir, 'page.h5');
  await writeFile(html, '<html>404 Not Found</html>');
  await assert.rejects(readKerasH5Weights(html, specs), /weights file '.*page\.h5' is not an HDF5 file/);
  const empty = join(dir, 'empty.h5');
  await writeFile(empty, '');
  await assert.rejects(readKerasH5Weights(empty, specs), /'.*empty\.h5' is not an HDF5 file \(no HDF5 signature in its 0 bytes\)/);
  await assert.rejects(readKerasH5Weights(join(dir, 'nope.h5'), specs), /cannot read weights file '.*nope\.h5': no such file/);
});

test('an HDF5 file without Keras layout is a clear error', async () => {
  const path = join(dir, 'plain.h5');
  const h5wasm = (await import('h5wasm/node')).default;
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'w');
  f.create_dataset({ name: 'data', data: new Float32Array(3) });
  f.close();
  await assert.rejects(readKerasH5Weights(path, specs), /'.*plain\.h5' is not a Keras HDF5 weights file: it has no 'layer_names' attribute \(top-level entries: data\)/);
});
