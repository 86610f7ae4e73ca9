// The public API of udfs/ for the engine: the model functions, the worker pool that runs them, the
// settings they read and the SQL to run on each new connection. udfs never imports engine/ or shell/.

import './runtime/ort-environment.js';
import { createImageToTensor } from './functions/image-to-tensor.js';
import type { ConstantValue } from './model-function.js';
import type { Env } from './models/keras/keras-get-file.js';
import { IMAGENET_SETUP_NAMES, IMAGENET_SETUP_SQL } from './models/imagenet/imagenet-setup-sql.js';
import { deriveModel, type DeriveModelRequest } from './models/resnet50/derived-model.js';
import { createPredictResnet50 } from './models/resnet50/predict-resnet50.js';
import { createQuantizedResnet50, type QuantizedResnet50, type QuantizedResnet50Spec } from './models/resnet50/quantized-resnet50.js';
import { inspectUserModel } from './models/user-model/inspect-user-model.js';
import { createUserModel, type UserModel, type UserModelSpec } from './models/user-model/user-model.js';
import { createRegistry, type Registry } from './registry.js';
import { ModelRuntime } from './runtime/model-runtime.js';
import { SETTINGS_SPEC, type SettingSpec } from './settings-spec.js';

export type * from './model-function.js';
export { ELEMENT_SQL_TYPES, RowError } from './model-function.js';
export { batchRows } from './batch-rows.js';
export { allocateValues, elementBytes, nullElementValue, valuesOver } from './models/user-model/element-types.js';
export { createRegistry, type Registry } from './registry.js';
export type { DeriveModelRequest } from './models/resnet50/derived-model.js';
export { CalibrationError, type CalibrationChunk, type QuantizedResnet50, type QuantizedResnet50Spec } from './models/resnet50/quantized-resnet50.js';
export { describeUserModel, type UserModel, type UserModelSpec } from './models/user-model/user-model.js';
export { ModelRuntime, type ModelRuntimeOptions } from './runtime/model-runtime.js';
export {
  MODEL_BATCH_SIZE,
  MODEL_ERRORS,
  PARQUET_PAGES,
  ARROW_GROUP_ROWS,
  ARROW_GROUP_BYTES,
  ARROW_GROUP_WAIT_MS,
  MODEL_THREADS,
  MODEL_WORKERS,
  RESNET50_WEIGHTS,
  SETTINGS_SPEC,
  type SettingSpec,
  validateSetting,
} from './settings-spec.js';

/** SQL objects over the model functions' results: made on a connection before a statement names one of them. */
export interface SqlSetup {
  /** The objects' names, lower-case. */
  readonly names: readonly string[];
  /** Statements that make them, each safe to run again. */
  readonly sql: readonly string[];
}

export interface UdfsOptions {
  /** Total model threads for the pool until a statement's settings say otherwise (default: cores). */
  readonly threads?: number;
  /** Worker threads (default: chosen from threads). */
  readonly workers?: number;
  /** Environment for locating model weights; default process.env. */
  readonly env?: Env;
}

export interface Udfs {
  readonly registry: Registry;
  readonly runtime: ModelRuntime;
  /** Settings the model functions read through ModelSettings.get(), with defaults and ranges. */
  readonly settingsSpec: readonly SettingSpec[];
  /** The imagenet_labels() and imagenet_top5 macros: their names, and the SQL that makes them on a connection. */
  readonly setup: SqlSetup;
  /** CREATE MODEL: reads the model at `path` (absolute) and checks it under its WITH options. */
  inspectModel(name: string, path: string, options: Readonly<Record<string, ConstantValue>>): Promise<UserModelSpec>;
  /** The SQL function of a user model on this pool (the caller registers it). */
  createModel(spec: UserModelSpec): UserModel;
  /** CREATE MODEL name FROM resnet50 WITH (precision => 'int8', calibrate => '...'): calibrates; the spec is stored. */
  deriveModel(request: DeriveModelRequest): Promise<QuantizedResnet50Spec>;
  /** The SQL function of a stored derived model (the caller registers it). */
  createDerivedModel(spec: QuantizedResnet50Spec): QuantizedResnet50;
  /** Stops the worker threads. */
  close(): Promise<void>;
}

/** The built-in model functions over one worker pool. The pool starts on the first prepare(). */
export function createUdfs(options: UdfsOptions = {}): Udfs {
  const runtime = new ModelRuntime({
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
  });
  const registry = createRegistry([
    createPredictResnet50(runtime, options.env !== undefined ? { env: options.env } : {}),
    createImageToTensor(runtime),
  ]);
  return {
    registry,
    runtime,
    settingsSpec: SETTINGS_SPEC,
    setup: { names: IMAGENET_SETUP_NAMES, sql: IMAGENET_SETUP_SQL },
    inspectModel: inspectUserModel,
    createModel: (spec) => createUserModel(runtime, spec),
    deriveModel: (request) => deriveModel(request, options.env ?? process.env),
    createDerivedModel: (spec) => createQuantizedResnet50(runtime, spec, options.env ?? process.env),
    close: () => runtime.close(),
  };
}
