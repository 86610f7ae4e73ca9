// CREATE MODEL name FROM <built-in> WITH (...): the built-in models a user model can derive from, and the
// options of each. Only resnet50 has one so far: its int8 form.

import type { ConstantValue, ModelSettings, PrepareProgress } from '../../model-function.js';
import { PREPROCESS_MODES, type PreprocessMode } from '../../runtime/kernel-task.js';
import { RESNET50_WEIGHTS } from '../../settings-spec.js';
import type { Env } from '../keras/keras-get-file.js';
import { quantizeResnet50, type CalibrationChunk, type QuantizedResnet50Spec } from './quantized-resnet50.js';

const OPTIONS = ['precision', 'calibrate', 'preprocess'] as const;

export interface DeriveModelRequest {
  readonly base: string;
  readonly name: string;
  readonly options: Readonly<Record<string, ConstantValue>>;
  /** Runs the calibrate option's query: its one column, chunk by chunk. */
  readonly rows: (sql: string) => AsyncIterable<CalibrationChunk>;
  readonly settings: ModelSettings;
  readonly signal?: AbortSignal;
  onProgress?(progress: PrepareProgress): void;
  onNotice?(notice: string): void;
}

/** Checks the options (errors start `option <name>` so the caller can point at it), then builds the model. */
export async function deriveModel(request: DeriveModelRequest, env: Env): Promise<QuantizedResnet50Spec> {
  if (request.base !== 'resnet50') {
    throw new Error(`a model can be made FROM the built-in resnet50 only (with precision => 'int8'), not FROM ${request.base}; name a file in quotes to register one`);
  }
  for (const key of Object.keys(request.options)) {
    if (!(OPTIONS as readonly string[]).includes(key)) throw new Error(`unknown option ${key}: a model FROM resnet50 takes ${OPTIONS.join(', ')}`);
  }
  const { precision, calibrate, preprocess = 'caffe' } = request.options;
  if (typeof precision !== 'string' || precision.toLowerCase() !== 'int8') {
    throw new Error(`option precision must be 'int8' (the precision a model FROM resnet50 is made in), found ${precision === undefined ? 'nothing' : JSON.stringify(precision)}`);
  }
  if (typeof calibrate !== 'string' || calibrate.trim() === '') {
    throw new Error(`option calibrate must be a query in quotes giving the rows to calibrate on, e.g. 'SELECT data FROM ''image_data.parquet'' USING SAMPLE 256 ROWS'`);
  }
  const mode = typeof preprocess === 'string' ? preprocess.toLowerCase() : preprocess;
  if (!PREPROCESS_MODES.includes(mode as PreprocessMode)) {
    throw new Error(`option preprocess must be 'caffe', 'tf' or 'none', found ${JSON.stringify(preprocess)}`);
  }
  const weights = request.settings.get(RESNET50_WEIGHTS);
  return quantizeResnet50({
    name: request.name,
    weights: weights === '' ? undefined : weights,
    env,
    preprocess: mode as PreprocessMode,
    calibrate,
    rows: request.rows(calibrate),
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    ...(request.onNotice ? { onNotice: request.onNotice } : {}),
  });
}
