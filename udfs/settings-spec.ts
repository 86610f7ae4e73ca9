// The session settings that udfs/ reads (SET name = value), with defaults and valid values, so the engine
// can validate SET statements and build ModelSettings without knowing what each one is for.

import { availableParallelism } from 'node:os';

export interface SettingSpec {
  readonly name: string;
  readonly description: string;
  readonly type: 'INTEGER' | 'VARCHAR';
  /** The value when never SET, as the engine hands it to get(). */
  readonly defaultValue: string;
  /** For INTEGER settings: the inclusive range. */
  readonly min?: number;
  readonly max?: number;
  /** For VARCHAR settings with a fixed set of values: those values (lower case; matched case-insensitively). */
  readonly values?: readonly string[];
}

export const MODEL_THREADS = 'model_threads';
export const MODEL_WORKERS = 'model_workers';
export const MODEL_BATCH_SIZE = 'model_batch_size';
export const RESNET50_WEIGHTS = 'resnet50_weights';
export const MODEL_ERRORS = 'model_errors';

export const SETTINGS_SPEC: readonly SettingSpec[] = [
  {
    name: MODEL_THREADS,
    description: 'threads for model work in total: workers x intra-op threads per worker',
    type: 'INTEGER',
    defaultValue: String(availableParallelism()),
    min: 1,
    max: 1024,
  },
  {
    name: MODEL_WORKERS,
    description: 'worker threads, each with its own model session (0: chosen from model_threads)',
    type: 'INTEGER',
    defaultValue: '0',
    min: 0,
    max: 1024,
  },
  {
    name: MODEL_BATCH_SIZE,
    description: 'rows per batch sent to a worker',
    type: 'INTEGER',
    defaultValue: '64',
    min: 1,
    max: 65536,
  },
  {
    name: RESNET50_WEIGHTS,
    description: "ResNet-50 weights: a Keras .h5 file, 'random', or empty for Keras's cache (~/.keras/models)",
    type: 'VARCHAR',
    defaultValue: '',
  },
  {
    name: MODEL_ERRORS,
    description: "a row the model cannot process: 'fail' stops the statement, 'null' gives NULL and a summary at the end",
    type: 'VARCHAR',
    defaultValue: 'fail',
    values: ['fail', 'null'],
  },
];

/** Checks a value for a setting; returns the normalized value or throws naming the setting and the range. */
export function validateSetting(name: string, value: string): string {
  const spec = SETTINGS_SPEC.find((s) => s.name === name.toLowerCase());
  if (spec === undefined) throw new Error(`unknown setting '${name}'`);
  if (spec.type === 'VARCHAR') {
    if (spec.values === undefined) return value;
    const lower = value.trim().toLowerCase();
    if (!spec.values.includes(lower)) throw new Error(`${spec.name} must be one of ${spec.values.map((v) => `'${v}'`).join(', ')}, found '${value}'`);
    return lower;
  }
  const number = Number(value.trim());
  const min = spec.min ?? -Infinity;
  const max = spec.max ?? Infinity;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new Error(`${spec.name} must be an integer from ${min} to ${max}, found '${value}'`);
  }
  return String(number);
}
