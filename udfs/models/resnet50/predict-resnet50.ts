// predict_resnet50(x [, preprocess]) -> FLOAT[1000]: Keras ResNet-50's ImageNet probabilities for each row.
// x is a FLOAT[] of 224*224*3 RGB values 0..255 (as image_to_tensor gives) or an image BLOB; preprocess is
// 'caffe' (Keras resnet50.preprocess_input, the default), 'tf' or 'none'. The model's bytes are built once
// per weights source and broadcast to every worker; later statements reuse the workers' sessions.

import type { ArgBatch, ConstantValue, ModelFunction, PrepareContext, PreparedCall } from '../../model-function.js';
import { batchRows } from '../../batch-rows.js';
import { batchConstant, configureRuntime, poolDescription, preparedConstant } from '../../functions/runtime-settings.js';
import { PREPROCESS_MODES, type PreprocessMode, type SharedModel } from '../../runtime/kernel-task.js';
import type { ModelRuntime } from '../../runtime/model-runtime.js';
import { RESNET50_WEIGHTS } from '../../settings-spec.js';
import type { Env } from '../keras/keras-get-file.js';
import { loadResnet50Model } from './load-resnet50-model.js';

const INPUT_SIZE = 224;
/** The model's input for one row: 224x224x3 floats, whatever the argument (an image is decoded to them). */
const ROW_BYTES = INPUT_SIZE * INPUT_SIZE * 3 * 4;

export interface PredictResnet50Options {
  /** Environment for locating weights (Keras cache, SQLINFER_RESNET50_WEIGHTS); default process.env. */
  readonly env?: Env;
}

export function createPredictResnet50(runtime: ModelRuntime, options: PredictResnet50Options = {}): ModelFunction {
  return createResnet50Function(runtime, {
    name: 'predict_resnet50',
    description: "Keras ResNet-50 ImageNet probabilities (1000) of a 224x224 RGB image; preprocess 'caffe' | 'tf' | 'none'",
    async load(context) {
      const weights = context.settings.get(RESNET50_WEIGHTS);
      const loaded = await loadResnet50Model({
        weights: weights === '' ? undefined : weights,
        env: options.env ?? process.env,
        ...(context.onProgress ? { onProgress: context.onProgress.bind(context) } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
      });
      return { onnx: loaded.onnx, source: loaded.source, model: 'ResNet-50', details: [`weights: ${loaded.source}`] };
    },
  });
}

/** A ResNet-50 variant's model bytes for one statement, and how EXPLAIN names it. */
export interface Resnet50Bytes {
  /** The same bytes for the same model: a statement with unchanged bytes reuses the broadcast model. */
  readonly onnx: Uint8Array;
  /** Where the weights came from, in the broadcast key. */
  readonly source: string;
  /** EXPLAIN's line: `<model> (<details>, preprocess caffe)`, e.g. `ResNet-50 (weights: random (seed 42), ...)`. */
  readonly model: string;
  readonly details: readonly string[];
}

export interface Resnet50FunctionSpec {
  readonly name: string;
  readonly description: string;
  load(context: PrepareContext, preprocess: PreprocessMode): Promise<Resnet50Bytes>;
}

/** A function with predict_resnet50's arguments and result over the model bytes `spec.load` gives. */
export function createResnet50Function(runtime: ModelRuntime, spec: Resnet50FunctionSpec): ModelFunction & { release(): void } {
  // The bytes last shared, so that a statement with unchanged weights reuses the broadcast model.
  let shared: { readonly onnx: Uint8Array; readonly model: SharedModel } | null = null;
  let generation = 0;

  const shareModel = (onnx: Uint8Array, source: string): SharedModel => {
    if (shared?.onnx === onnx && runtime.model(shared.model.key) === shared.model) return shared.model;
    if (shared !== null) runtime.release(shared.model.key);
    generation += 1;
    const model = runtime.share(`${spec.name}#${generation} ${source}`, onnx);
    shared = { onnx, model };
    return model;
  };

  return {
    name: spec.name,
    description: spec.description,
    args: [
      { name: 'x', kinds: ['float-list', 'blob'], optional: false, constant: false },
      { name: 'preprocess', kinds: ['varchar'], optional: true, constant: true, values: PREPROCESS_MODES },
    ],
    resultType: 'FLOAT[]',
    rowBytes: ROW_BYTES,
    /** Frees the broadcast model (the function is dropped); workers drop their sessions in time. */
    release() {
      if (shared !== null) runtime.release(shared.model.key);
      shared = null;
    },
    async prepare(context: PrepareContext): Promise<PreparedCall> {
      const preprocess = preprocessMode(preparedConstant(context, 1));
      await configureRuntime(runtime, context.settings);
      const loaded = await spec.load(context, preprocess);
      const model = shareModel(loaded.onnx, loaded.source);
      await runtime.broadcast(model, context.signal);
      return {
        description:
          `${spec.name}: ${loaded.model} (${[...loaded.details, `preprocess ${preprocess}`].join(', ')}) ` +
          `on ${poolDescription(runtime, batchRows({ rowBytes: ROW_BYTES }, context.settings))}`,
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
