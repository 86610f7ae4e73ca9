// Worker side: one TF.js model per broadcast key, built once from the shared bytes (copied into this
// worker's memory) and kept like the ONNX sessions (built-model-cache.ts), and the runner that feeds it
// packed input tensors.

import type { TensorValues } from '../../model-function.js';
import { BuiltModelCache } from '../../runtime/built-model-cache.js';
import type { SharedModel } from '../../runtime/kernel-task.js';
import type { OutputTensor, TensorRunner } from '../user-model/tensor-model-kernel.js';
import { loadTfjs } from './tfjs-backend.js';
import { disposeTfjsModel, layersOutputNames, loadTfjsModel, type TfjsModel } from './tfjs-model-load.js';

export class TfjsModelCache {
  private readonly models = new BuiltModelCache<TfjsModel>(disposeTfjsModel);

  /** TF.js's WASM backend runs on the worker's own thread; intra-op threads do not apply to it. */
  constructor(readonly intraOpThreads: number) {}

  get(shared: SharedModel): Promise<TfjsModel> {
    return this.models.get(shared.key, () => this.build(shared));
  }

  runner(shared: SharedModel): TensorRunner {
    return async (inputs, outputNames) => {
      const { tf } = await loadTfjs();
      const loaded = await this.get(shared);
      const tensors = inputs.map((input) => tf.tensor(input.values as Float32Array, [...input.dims], input.element === 'bool' ? 'bool' : input.element === 'float32' ? 'float32' : 'int32'));
      try {
        let outputs: import('@tensorflow/tfjs').Tensor[];
        let names: readonly string[];
        if (loaded.kind === 'layers') {
          const result = loaded.model.predict(tensors.length === 1 ? tensors[0]! : tensors);
          outputs = Array.isArray(result) ? result : [result as import('@tensorflow/tfjs').Tensor];
          names = layersOutputNames(loaded.model);
        } else {
          const feeds = Object.fromEntries(inputs.map((input, i) => [input.name, tensors[i]!]));
          const result = await executeGraph(loaded.model, feeds, outputNames);
          outputs = Array.isArray(result) ? result : [result];
          names = outputNames;
        }
        const map = new Map<string, OutputTensor>();
        for (const [i, name] of names.entries()) {
          const tensor = outputs[i]!;
          map.set(name, { values: (await tensor.data()) as TensorValues, dims: tensor.shape });
        }
        tf.dispose(outputs);
        return map;
      } finally {
        tf.dispose(tensors);
      }
    };
  }

  private async build(shared: SharedModel): Promise<TfjsModel> {
    const { tf } = await loadTfjs();
    const bytes = new Uint8Array(shared.bytes.byteLength);
    bytes.set(new Uint8Array(shared.bytes));
    try {
      return await loadTfjsModel(tf, bytes);
    } catch (error) {
      throw new Error(`cannot build the TF.js model '${shared.key}': ${(error as Error).message}`);
    }
  }
}

type GraphModel = Extract<TfjsModel, { kind: 'graph' }>['model'];

/**
 * execute() runs graphs without control flow synchronously (executeAsync() on them logs a warning for
 * every batch); graphs with control flow or dynamic shapes make it throw, and need executeAsync().
 */
async function executeGraph(
  model: GraphModel,
  feeds: Record<string, import('@tensorflow/tfjs').Tensor>,
  outputNames: readonly string[],
): Promise<import('@tensorflow/tfjs').Tensor | import('@tensorflow/tfjs').Tensor[]> {
  try {
    return model.execute(feeds, [...outputNames]);
  } catch (error) {
    if (!/executeAsync/.test((error as Error).message)) throw error;
    return model.executeAsync(feeds, [...outputNames]);
  }
}
