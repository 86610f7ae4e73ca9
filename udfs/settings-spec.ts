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
  /** Why the maximum is what it is, shown with it when a value is refused. */
  readonly maxReason?: string;
  /** For VARCHAR settings with a fixed set of values: those values (lower case; matched case-insensitively). */
  readonly values?: readonly string[];
}

export const MODEL_THREADS = 'model_threads';
export const MODEL_WORKERS = 'model_workers';
export const MODEL_BATCH_SIZE = 'model_batch_size';
export const RESNET50_WEIGHTS = 'resnet50_weights';
export const MODEL_ERRORS = 'model_errors';
export const PARQUET_PAGES = 'parquet_pages';
export const ARROW_GROUP_ROWS = 'arrow_group_rows';
export const ARROW_GROUP_BYTES = 'arrow_group_bytes';
export const ARROW_GROUP_WAIT_MS = 'arrow_group_wait_ms';

const cores = availableParallelism();
/**
 * More threads than this only queue on the cores: `SET model_threads = 1024` on 2 cores took 75 s and
 * 3.9 GB for a query that takes 2 s, each worker thread holding its own copy of the model.
 */
export const MAX_MODEL_THREADS = 4 * cores;
const threadsReason = `4 x the ${cores} core${cores === 1 ? '' : 's'} of this machine`;

export const SETTINGS_SPEC: readonly SettingSpec[] = [
  {
    name: MODEL_THREADS,
    description: 'threads for model work in total: workers x intra-op threads per worker',
    type: 'INTEGER',
    defaultValue: String(cores),
    min: 1,
    max: MAX_MODEL_THREADS,
    maxReason: threadsReason,
  },
  {
    name: MODEL_WORKERS,
    description: 'worker threads, each with its own model session (0: chosen from model_threads)',
    type: 'INTEGER',
    defaultValue: '0',
    min: 0,
    max: MAX_MODEL_THREADS,
    maxReason: threadsReason,
  },
  {
    name: MODEL_BATCH_SIZE,
    description: 'rows per batch sent to a worker (0: 64, or fewer so that a batch holds at most 8 MiB of model input)',
    type: 'INTEGER',
    defaultValue: '0',
    min: 0,
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
  {
    name: PARQUET_PAGES,
    description:
      "list arguments of local Parquet files: 'auto' reads them from the pages when rows are wide (4 KB or more on average), 'always', or 'never' (DuckDB reads them)",
    type: 'VARCHAR',
    defaultValue: 'auto',
    values: ['auto', 'always', 'never'],
  },
  {
    name: ARROW_GROUP_ROWS,
    description: '--arrow-stream: consecutive input batches run as one statement up to this many rows in all (1: each batch alone)',
    type: 'INTEGER',
    defaultValue: '8192',
    min: 1,
    max: 1_000_000_000,
  },
  {
    name: ARROW_GROUP_BYTES,
    description: "--arrow-stream: and up to this many bytes of Arrow buffers in all (a batch over either budget runs alone)",
    type: 'INTEGER',
    defaultValue: String(256 * 1024 * 1024),
    min: 1,
    max: 2 ** 40,
  },
  {
    name: ARROW_GROUP_WAIT_MS,
    description: '--arrow-stream: how long a group waits for the next batch before it runs without it (a writer may wait for results first)',
    type: 'INTEGER',
    defaultValue: '20',
    min: 0,
    max: 60_000,
  },
];

/**
 * The one check of a setting's value, for SET statements and command-line flags alike: returns the
 * canonical text of the value, or throws a message naming the setting and what it accepts.
 */
export function validateSetting(name: string, value: string | number): string {
  const spec = SETTINGS_SPEC.find((s) => s.name === name.toLowerCase());
  if (spec === undefined) throw new Error(`unknown setting '${name}'`);
  const shown = typeof value === 'number' ? String(value) : `'${value}'`;
  if (spec.type === 'VARCHAR') {
    if (spec.values === undefined) return String(value);
    const lower = String(value).trim().toLowerCase();
    if (!spec.values.includes(lower)) throw new Error(`${spec.name} must be one of ${spec.values.map((v) => `'${v}'`).join(', ')}, got ${shown}`);
    return lower;
  }
  const text = String(value).trim();
  const number = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  const min = spec.min ?? Number.MIN_SAFE_INTEGER;
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    const reason = spec.maxReason === undefined ? '' : ` (${spec.maxReason})`;
    throw new Error(`${spec.name} must be an integer from ${min} to ${max}${reason}, got ${shown}`);
  }
  return String(number);
}
