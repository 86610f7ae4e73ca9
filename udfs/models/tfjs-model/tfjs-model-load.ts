// Builds a TF.js layers or graph model from packed bytes in memory, and tells its inputs and outputs.

import type { ModelSignature, TensorInfo } from '../user-model/model-signature.js';
import type { Tfjs } from './tfjs-backend.js';
import { unpackTfjsModel } from './tfjs-package.js';

type LayersModel = Awaited<ReturnType<Tfjs['loadLayersModel']>>;
type GraphModel = Awaited<ReturnType<Tfjs['loadGraphModel']>>;

export type TfjsModel = { readonly kind: 'layers'; readonly model: LayersModel } | { readonly kind: 'graph'; readonly model: GraphModel };

export async function loadTfjsModel(tf: Tfjs, bytes: Uint8Array): Promise<TfjsModel> {
  const { json, weightData } = unpackTfjsModel(bytes);
  const handler = tf.io.fromMemory({
    modelTopology: json.modelTopology as never,
    weightSpecs: (json.weightsManifest ?? []).flatMap((g) => g.weights) as never,
    weightData,
    ...(json.format !== undefined ? { format: json.format } : {}),
    ...(json.generatedBy !== undefined ? { generatedBy: json.generatedBy } : {}),
    ...(json.convertedBy !== undefined && json.convertedBy !== null ? { convertedBy: json.convertedBy } : {}),
    ...(json.signature !== undefined ? { signature: json.signature as never } : {}),
    ...(json.userDefinedMetadata !== undefined ? { userDefinedMetadata: json.userDefinedMetadata as never } : {}),
    ...(json.modelInitializer !== undefined ? { modelInitializer: json.modelInitializer as never } : {}),
  });
  const graph = json.format === 'graph-model' || (typeof json.modelTopology === 'object' && json.modelTopology !== null && 'node' in json.modelTopology);
  return graph ? { kind: 'graph', model: await tf.loadGraphModel(handler) } : { kind: 'layers', model: await tf.loadLayersModel(handler) };
}

/**
 * Inputs and outputs by name: a layers model's by the layers that make them (stable across loads, unlike
 * tensor names), a graph model's by its signature's tensor names.
 */
export function tfjsSignature(loaded: TfjsModel): ModelSignature {
  if (loaded.kind === 'layers') {
    const { model } = loaded;
    return {
      inputs: model.inputs.map((t) => info(t.sourceLayer.name, t.dtype, t.shape)),
      outputs: model.outputs.map((t) => info(t.sourceLayer.name, t.dtype, t.shape)),
    };
  }
  const { model } = loaded;
  return {
    inputs: model.inputs.map((t) => info(t.name, t.dtype, t.shape ?? null)),
    outputs: model.outputs.map((t) => info(t.name, t.dtype, t.shape ?? null)),
  };
}

function info(name: string, dtype: string, shape: readonly (number | null)[] | null): TensorInfo {
  return { name, type: dtype, shape: shape === null ? null : shape.map((d) => (d === null || d < 0 ? '?' : d)) };
}

/** The names of a layers model's outputs, in the order predict() returns them. */
export function layersOutputNames(model: LayersModel): string[] {
  return model.outputs.map((t) => t.sourceLayer.name);
}

export function disposeTfjsModel(loaded: TfjsModel): void {
  loaded.model.dispose();
}
