// predict_resnet50(x [, preprocess]) -> FLOAT[1000]: Keras ResNet-50's ImageNet probabilities for each row.
// x is a FLOAT[] of 224*224*3 RGB values 0..255 (as image_to_tensor gives) or an image BLOB; preprocess is
// 'caffe' (Keras resnet50.preprocess_input, the default), 'tf' or 'none'. The model's bytes are built once
// per weights source and broadcast to every worker; later statements reuse the workers' sessions.

import type { ArgBatch, ConstantValue, ModelFunction, PrepareContext, PreparedCall } from '../../model-function.js';
import { batchConstant, configureRuntime, poolDescription, preparedConstant } from '../../functions/runtime-settings.js';
import { PREPROCESS_MODES, type PreprocessMode, type SharedModel } from '../../runtime/kernel-task.js';
import type { ModelRuntime } from '../../runtime/model-runtime.js';
import { RESNET50_WEIGHTS } from '../../settings-spec.js';
import type { Env } from '../keras/keras-get-file.js';
import { loadResnet50Model } from './load-resnet50-model.js';

const INPUT_SIZE = 224;

export interface PredictResnet50Options {
  /** Environment for locating weights (Keras cache, SQLINFER_RESNET50_WEIGHTS); default process.env. */
  readonly env?: Env;
}

export function createPredictResnet50(runtime: ModelRuntime, options: PredictResnet50Options = {}): ModelFunction {
  // The bytes last shared, so that a statement with unchanged weights reuses the broadcast model.
  let shared: { readonly onnx: Uint8Array; readonly model: SharedModel } | null = null;
  let generation = 0;

  const shareModel = (onnx: Uint8Array, source: string): SharedModel => {
    if (shared?.onnx === onnx && runtime.model(shared.model.key) === shared.model) return shared.model;
    if (shared !== null) runtime.release(shared.model.key);
    generation += 1;
    const model = runtime.share(`resnet50#${generation} ${source}`, onnx);
    shared = { onnx, model };
    return model;
  };

  return {
    name: 'predict_resnet50',
    description: "Keras ResNet-50 ImageNet probabilities (1000) of a 224x224 RGB image; preprocess 'caffe' | 'tf' | 'none'",
    args: [
      { name: 'x', kinds: ['float-list', 'blob'], optional: false, constant: false },
      { name: 'preprocess', kinds: ['varchar'], optional: true, constant: true, values: PREPROCESS_MODES },
    ],
    resultType: 'FLOAT[]',
    async prepare(context: PrepareContext): Promise<PreparedCall> {
      const preprocess = preprocessMode(preparedConstant(context, 1));
      await configureRuntime(runtime, context.settings);
      const weights = context.settings.get(RESNET50_WEIGHTS);
      const loaded = await loadResnet50Model({
        weights: weights === '' ? undefined : weights,
        env: options.env ?? process.env,
        ...(context.onProgress ? { onProgress: context.onProgress.bind(context) } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
      });
      const model = shareModel(loaded.onnx, loaded.source);
      await runtime.broadcast(model, context.signal);
      return {
        description:
          `predict_resnet50: ResNet-50 (weights: ${loaded.source}, preprocess ${preprocess}) ` +
          `on ${poolDescription(runtime, context.settings)}`,
        resultType: 'FLOAT[]',
        run(batch: ArgBatch, signal?: AbortSignal) {
          const mode = batch.columns.length > 1 ? preprocessMode(batchConstant(batch, 1)) : preprocess;
          return runtime.run(
            { kernel: 'image_model', batch, model, width: INPUT_SIZE, height: INPUT_SIZE, preprocess: mode },
            signal,
          );
        },
      };
    },
  };
}

export function preprocessMode(value: ConstantValue | undefined): PreprocessMode {
  if (value === undefined || value === null) return 'caffe';
  const mode = typeof value === 'string' ? value.toLowerCase() : value;
  if (!PREPROCESS_MODES.includes(mode as PreprocessMode)) {
    throw new Error(`preprocess must be 'caffe', 'tf' or 'none', found ${JSON.stringify(value)}`);
  }
  return mode as PreprocessMode;
}
