// A model the user registered with CREATE MODEL, as a SQL function: `name(input, ...)` with one argument
// per model input (by position or by name), returning the selected outputs. Its bytes are read and
// broadcast once per statement that calls it (kept while its files are unchanged), one session per worker.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { ArgSpec, ModelFunction, ModelSettings, PrepareContext, PreparedCall } from '../../model-function.js';
import { batchRows } from '../../batch-rows.js';
import { configureRuntime, poolDescription } from '../../functions/runtime-settings.js';
import type { ModelRuntime } from '../../runtime/model-runtime.js';
import type { SharedModel } from '../../runtime/kernel-task.js';
import { onnxRuntimeVersion } from '../onnx-model/onnx-signature.js';
import { loadTfjs } from '../tfjs-model/tfjs-backend.js';
import { packTfjsModel, tfjsModelFiles } from '../tfjs-model/tfjs-package.js';
import { duckdbElementType, elementBytes } from './element-types.js';
import { layoutOf, shapeText, type ModelLayout, type ModelSignature, type PlannedInput, type UserModelFormat, type UserModelOptions } from './model-signature.js';

/** What CREATE MODEL learnt about a model; stored in the database's catalog so the next session has it. */
export interface UserModelSpec {
  readonly name: string;
  /** Absolute path of the .onnx file or the TF.js model.json. */
  readonly path: string;
  readonly format: UserModelFormat;
  readonly options: UserModelOptions;
  readonly signature: ModelSignature;
  /** What ran the model when it was created, e.g. `onnxruntime-node 1.30.0 (cpu)`. */
  readonly runtime: string;
  /** A TF.js model's kind. */
  readonly modelKind?: 'layers' | 'graph';
  /** Bytes of the model (all files of a TF.js model). */
  readonly size: number;
}

export interface UserModel extends ModelFunction {
  readonly spec: UserModelSpec;
  readonly layout: ModelLayout;
  /** Frees the model's shared bytes (after DROP MODEL or a replacement); workers drop their sessions in time. */
  release(): void;
  /** Rejects, naming the file, when one of the model's files cannot be read (without reading the model). */
  checkFiles(): Promise<void>;
}

export function createUserModel(runtime: ModelRuntime, spec: UserModelSpec): UserModel {
  const layout = layoutOf(spec.signature, spec.options);
  const rowBytes = inputRowBytes(layout.inputs);
  // What sizes its batches (batch-rows.ts): its batch_size option, else the size of its rows.
  const sizing: Pick<ModelFunction, 'batchSize' | 'rowBytes'> = {
    ...(spec.options.batchSize !== undefined ? { batchSize: spec.options.batchSize } : {}),
    ...(rowBytes !== undefined ? { rowBytes } : {}),
  };
  let shared: { readonly stamp: string; readonly model: SharedModel } | null = null;

  const args: ArgSpec[] = layout.inputs.map((input) => ({
    name: input.name,
    kinds: ['tensor'],
    optional: false,
    constant: false,
    element: input.element,
  }));

  /** The model's bytes in shared memory, read again only when one of its files changed. */
  const share = async (): Promise<SharedModel> => {
    const stamp = await modelFilesStamp(spec);
    if (shared?.stamp === stamp && runtime.model(shared.model.key) !== undefined) return shared.model;
    if (shared !== null) runtime.release(shared.model.key);
    let bytes: Uint8Array;
    try {
      bytes = spec.format === 'tfjs' ? (await packTfjsModel(spec.path)).bytes : await readFile(spec.path);
    } catch (error) {
      throw new Error(`cannot read the model file '${spec.path}': ${(error as Error).message}`);
    }
    const model: SharedModel = { ...runtime.share(`${spec.name} ${spec.path} ${stamp}`, bytes), format: spec.format };
    shared = { stamp, model };
    return model;
  };

  return {
    name: spec.name.toLowerCase(),
    description: `${spec.format === 'onnx' ? 'ONNX' : 'TF.js'} model ${spec.path}`,
    args,
    resultType: layout.resultType,
    namedArgs: true,
    release() {
      if (shared !== null) runtime.release(shared.model.key);
      shared = null;
    },
    async checkFiles() {
      await modelFilesStamp(spec);
    },
    ...sizing,
    spec,
    layout,
    checkArg(index, sqlType) {
      const input = layout.inputs[index];
      if (input === undefined) return undefined;
      const length = fixedLength(sqlType);
      if (length === undefined) return undefined;
      const known = input.rowShape.reduce<number>((a, d) => a * (d ?? 1), 1);
      const inferred = input.rowShape.includes(null);
      if (inferred ? length % known === 0 && length > 0 : length === known) return undefined;
      const shape = `[${input.rowShape.map((d) => d ?? '?').join(', ')}]`;
      const needs = inferred ? `a multiple of ${known} values` : `${known} value${known === 1 ? '' : 's'}`;
      return `input '${input.name}' of ${spec.name} takes ${needs} per row (rows of shape ${shape}), but ${sqlType} has ${length}`;
    },
    async prepare(context: PrepareContext): Promise<PreparedCall> {
      const settings = withThreads(context.settings, spec.options.threads);
      await configureRuntime(runtime, settings);
      const model = await share();
      await runtime.broadcast(model, context.signal);
      return {
        description: `${spec.name}: ${spec.format === 'onnx' ? 'ONNX' : 'TF.js'} model ${spec.path} on ${poolDescription(runtime, batchRows(sizing, settings))}`,
        resultType: layout.resultType,
        run() {
          return Promise.reject(new Error(`${spec.name} returns ${layout.resultType}: run it through SQL (PreparedCall.runModel)`));
        },
        runModel(batch, signal) {
          return runtime.runModel(
            { kernel: 'tensor_model', batch, model, format: spec.format, inputs: layout.inputs, outputs: layout.outputs, struct: layout.struct },
            signal,
          );
        },
      };
    },
  };
}

/**
 * The size and modification time of every file the model reads (an ONNX file; a TF.js model.json and each
 * of its weight shards), as one short text that changes when any of them changes. Fails, naming the file,
 * when one cannot be read.
 */
export async function modelFilesStamp(spec: Pick<UserModelSpec, 'path' | 'format'>): Promise<string> {
  let files = [spec.path];
  try {
    if (spec.format === 'tfjs') files = await tfjsModelFiles(spec.path);
  } catch (error) {
    throw new Error(`cannot read the model file '${spec.path}': ${fileError(error)}`);
  }
  const stamps: string[] = [];
  for (const file of files) {
    try {
      const info = await stat(file);
      stamps.push(`${info.size}:${info.mtimeMs}`);
    } catch (error) {
      throw new Error(`cannot read the model file '${file}': ${fileError(error)}`);
    }
  }
  // A digest keeps the broadcast key short however many shards there are.
  return createHash('sha256').update(stamps.join(',')).digest('hex').slice(0, 16);
}

function fileError(error: unknown): string {
  return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
}

/** DESCRIBE MODEL's rows: (property, value). The runtime is what runs the model now (tfjs-node may have been installed since). */
export async function describeUserModel(model: UserModel): Promise<[string, string][]> {
  const { spec, layout } = model;
  const rows: [string, string][] = [
    ['name', spec.name],
    ['format', spec.format === 'onnx' ? 'onnx' : 'tfjs'],
    ['runtime', await runtimeOf(spec.format, spec.modelKind)],
    ['file', spec.path],
    ['size', `${spec.size} bytes`],
  ];
  for (const input of spec.signature.inputs) rows.push([`input ${input.name}`, `${input.type} ${shapeText(input.shape)}`]);
  for (const output of spec.signature.outputs) {
    const used = layout.outputs.some((o) => o.name === output.name);
    rows.push([`output ${output.name}`, `${output.type} ${shapeText(output.shape)}${used ? '' : ' (not returned)'}`]);
  }
  layout.inputs.forEach((input) => rows.push([`argument ${input.name}`, argumentText(input)]));
  rows.push(['result type', layout.resultType]);
  const options = Object.entries(spec.options).map(([k, v]) => `${optionName(k)} => ${JSON.stringify(v)}`);
  rows.push(['options', options.length === 0 ? '(none)' : options.join(', ')]);
  return rows;
}

/** `onnxruntime-node 1.30.0 (cpu)`, or `TensorFlow.js 4.22.0 layers model, backend wasm`. */
export async function runtimeOf(format: UserModelFormat, modelKind: 'layers' | 'graph' = 'layers'): Promise<string> {
  if (format === 'onnx') return `onnxruntime-node ${await onnxRuntimeVersion()} (cpu)`;
  const { tf, backend } = await loadTfjs();
  return `TensorFlow.js ${tf.version.tfjs ?? 'unknown'} ${modelKind} model, backend ${backend}`;
}

/** What SQL passes for an input, e.g. `FLOAT[] of 3 values per row (shape [3])`. */
function argumentText(input: PlannedInput): string {
  const type = duckdbElementType(input.element);
  const known = input.rowShape.reduce<number>((a, d) => a * (d ?? 1), 1);
  const inferred = input.rowShape.includes(null);
  const values = inferred ? `a multiple of ${known} values` : `${known} value${known === 1 ? '' : 's'}`;
  const scalar = known === 1 ? `, or a ${type} value` : '';
  return `${type}[] of ${values} per row (shape [${input.rowShape.map((d) => d ?? '?').join(', ')}])${scalar}`;
}

function optionName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The number of values of a fixed-length DuckDB type: 1 for a scalar, n for `T[n]`; undefined for a list. */
function fixedLength(sqlType: string): number | undefined {
  const t = sqlType.trim().toUpperCase();
  const array = /^[A-Z0-9_ ]+\[(\d+)\]$/.exec(t);
  if (array !== null) return Number(array[1]);
  if (/^[A-Z0-9_ (),]+$/.test(t) && t !== 'NULL') return 1;
  return undefined;
}

/**
 * Bytes of a row's inputs when every dimension is known; undefined when a row's length is its own, or when
 * the model has a fixed batch size: it runs in slices of that size whatever the batch, which a batch of 64
 * rows divides more often than a smaller one.
 */
function inputRowBytes(inputs: readonly PlannedInput[]): number | undefined {
  let bytes = 0;
  for (const input of inputs) {
    if (input.rowShape.includes(null) || input.batchDim !== null) return undefined;
    bytes += input.rowShape.reduce<number>((a, d) => a * d!, 1) * elementBytes(input.element);
  }
  return bytes;
}

function withThreads(settings: ModelSettings, threads: number | undefined): ModelSettings {
  if (threads === undefined) return settings;
  return { threads, batchSize: settings.batchSize, get: (name) => settings.get(name) };
}
