// Reads a Keras weights file in the legacy HDF5 layout (what `model.save_weights('x.h5')` and
// keras.applications' downloads use): the root attribute `layer_names`, one group per layer with the
// attribute `weight_names`, and datasets at `<layer>/<weight name>` such as `conv1_conv/conv1_conv/kernel:0`.
// Only the layers the caller expects are read, and each is checked for presence and shape.

import h5wasm from 'h5wasm/node';
import type { Group } from 'h5wasm/node';
import { checkHdf5File } from './hdf5-file-check.js';
import {
  type KerasLayerSpec,
  type KerasTensor,
  type KerasWeights,
  kerasWeightShortName,
  sameShape,
  WeightsError,
} from './keras-weights.js';

export async function readKerasH5Weights(path: string, expected: readonly KerasLayerSpec[]): Promise<KerasWeights> {
  await checkHdf5File(path);
  await h5wasm.ready;
  let file: InstanceType<typeof h5wasm.File>;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (error) {
    throw new WeightsError(`cannot open weights file '${path}' as HDF5: ${messageOf(error)}`, { cause: error });
  }
  try {
    return readLayers(path, weightsRoot(path, file), expected);
  } catch (error) {
    if (error instanceof WeightsError) throw error;
    throw new WeightsError(`cannot read weights file '${path}': ${messageOf(error)}`, { cause: error });
  } finally {
    file.close();
  }
}

/** Whole-model files (`model.save('x.h5')`) keep the same layout under `model_weights`. */
function weightsRoot(path: string, file: Group): Group {
  if (stringListAttribute(file, 'layer_names') !== null) return file;
  const nested = file.get('model_weights');
  if (nested instanceof h5wasm.Group && stringListAttribute(nested, 'layer_names') !== null) return nested;
  throw new WeightsError(
    `weights file '${path}' is not a Keras HDF5 weights file: it has no 'layer_names' attribute` +
      ` (top-level entries: ${file.keys().slice(0, 8).join(', ') || 'none'})`,
  );
}

function readLayers(path: string, root: Group, expected: readonly KerasLayerSpec[]): KerasWeights {
  const layerNames = new Set(stringListAttribute(root, 'layer_names'));
  const missing = expected.filter((spec) => !layerNames.has(spec.name)).map((spec) => spec.name);
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, ... (${missing.length} in all)` : '');
    throw new WeightsError(`weights file '${path}' has no layer ${shown}`);
  }
  const layers = new Map<string, Map<string, KerasTensor>>();
  for (const spec of expected) layers.set(spec.name, readLayer(path, root, spec));
  return layers;
}

function readLayer(path: string, root: Group, spec: KerasLayerSpec): Map<string, KerasTensor> {
  const group = root.get(spec.name);
  if (!(group instanceof h5wasm.Group)) {
    throw new WeightsError(`weights file '${path}' lists layer '${spec.name}' but has no group for it`);
  }
  const weightPaths = stringListAttribute(group, 'weight_names') ?? [];
  const byShortName = new Map(weightPaths.map((p) => [kerasWeightShortName(p), p]));
  const weights = new Map<string, KerasTensor>();
  for (const want of spec.weights) {
    const weightPath = byShortName.get(want.name);
    if (weightPath === undefined) {
      throw new WeightsError(
        `weights file '${path}': layer '${spec.name}' has no '${want.name}' weight` +
          ` (it has: ${weightPaths.join(', ') || 'none'})`,
      );
    }
    const dataset = group.get(weightPath);
    if (!(dataset instanceof h5wasm.Dataset)) {
      throw new WeightsError(`weights file '${path}': layer '${spec.name}' names '${weightPath}' but has no such dataset`);
    }
    const shape = dataset.shape ?? [];
    if (!sameShape(shape, want.shape)) {
      throw new WeightsError(
        `weights file '${path}': layer '${spec.name}' weight '${want.name}' has shape [${shape.join(', ')}],` +
          ` expected [${want.shape.join(', ')}]`,
      );
    }
    weights.set(want.name, { shape: [...shape], data: toFloat32(dataset.value, `${spec.name}/${weightPath}`, path) });
  }
  return weights;
}

function toFloat32(value: unknown, where: string, path: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array) return Float32Array.from(value);
  throw new WeightsError(`weights file '${path}': dataset '${where}' is not float32 or float64`);
}

/** A list-of-strings attribute, also in the chunked form Keras uses for long lists (`name0`, `name1`, ...). */
function stringListAttribute(group: Group, name: string): string[] | null {
  const present = new Set(Object.keys(group.attrs));
  if (present.has(name)) return asStrings(group.get_attribute(name, true));
  if (!present.has(`${name}0`)) return null;
  const out: string[] = [];
  for (let chunk = 0; present.has(`${name}${chunk}`); chunk++) {
    out.push(...asStrings(group.get_attribute(`${name}${chunk}`, true)));
  }
  return out;
}

function asStrings(value: unknown): string[] {
  // Fixed-length strings may come back space-padded (H5T_STR_SPACEPAD); names never end in spaces.
  if (Array.isArray(value)) return value.map((v) => String(v).trimEnd());
  // An empty list is stored by h5py as an empty float array; a single name may come back as a scalar.
  if (value === null || value === undefined || ArrayBuffer.isView(value)) return [];
  return [String(value)];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
