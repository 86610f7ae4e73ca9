// The messages between the runtime (main thread) and its workers. A task names a kernel; a model travels as
// a key plus a SharedArrayBuffer of its ONNX bytes, which crosses threads by reference, never by copy.

import type { ArgBatch, ModelArgBatch, ModelResult } from '../model-function.js';
import type { PlannedInput, PlannedOutput, UserModelFormat } from '../models/user-model/model-signature.js';

/** A model broadcast to the workers: its bytes live once, in shared memory. */
export interface SharedModel {
  readonly key: string;
  readonly bytes: SharedArrayBuffer;
  /** What the bytes hold: ONNX (the default) or a packed TF.js model (see models/tfjs-model). */
  readonly format?: UserModelFormat;
}

/** How ResNet-50 style image models expect their input: Keras `caffe` (BGR minus means), `tf` or none. */
export type PreprocessMode = 'caffe' | 'tf' | 'none';

export const PREPROCESS_MODES: readonly PreprocessMode[] = ['caffe', 'tf', 'none'];

/** Builds the model's session in the worker that runs it, then waits until `parties` workers have done so. */
export interface LoadTask {
  readonly kernel: 'load';
  readonly model: SharedModel;
  /** The same ONNX bytes in a file onnxruntime opens itself (model-file.ts), when there is one. */
  readonly file?: string;
  /** An Int32Array(1) counter over shared memory: the workers that have the session. */
  readonly barrier: SharedArrayBuffer;
  readonly parties: number;
  readonly timeoutMs: number;
}

/** Decodes the BLOB rows of column 0 to height x width x 3 RGB floats (0..255). */
export interface ImageToTensorTask {
  readonly kernel: 'image_to_tensor';
  readonly batch: ArgBatch;
  readonly width: number;
  readonly height: number;
}

/**
 * An image classifier over [n, height, width, 3] input: rows of column 0 are float lists or image BLOBs.
 * Float lists reach the worker as a PackedRowsTask; BLOBs are decoded there.
 */
export interface ImageModelTask {
  readonly kernel: 'image_model';
  readonly batch: ArgBatch;
  readonly model: SharedModel;
  readonly width: number;
  readonly height: number;
  readonly preprocess: PreprocessMode;
}

/**
 * Any model with one float input [n, ...rowShape] and one float output: rows of column 0 are float lists.
 * It reaches the worker as a PackedRowsTask.
 */
export interface OnnxTask {
  readonly kernel: 'onnx';
  readonly batch: ArgBatch;
  readonly model: SharedModel;
  readonly rowShape: readonly number[];
}

/**
 * Float-list rows of an image_model or onnx task, checked, preprocessed and packed by the main thread
 * (packed-rows.ts): the worker runs the model on `input` as it is.
 */
export interface PackedRowsTask {
  readonly kernel: 'packed_rows';
  readonly model: SharedModel;
  readonly firstRow: number;
  readonly rowCount: number;
  readonly rowShape: readonly number[];
  /** The `count` rows that reach the model, [count, ...rowShape]. */
  readonly input: Float32Array;
  /** rowCount entries: 1 for the rows in `input`, 0 for NULL and bad rows. */
  readonly valid: Uint8Array;
  readonly count: number;
  /** Hand `input`'s buffer back with the result: its column's reader fills it again (packed-rows.ts). */
  readonly returnInput?: boolean;
}

/**
 * A user model (ONNX or TF.js) over a batch of typed tensor rows: the layout says how rows become input
 * tensors and outputs become result columns.
 */
export interface TensorModelTask {
  readonly kernel: 'tensor_model';
  readonly batch: ModelArgBatch;
  readonly model: SharedModel;
  readonly format: UserModelFormat;
  /** Column i of the batch feeds inputs[i]. */
  readonly inputs: readonly PlannedInput[];
  readonly outputs: readonly PlannedOutput[];
  readonly struct: boolean;
}

export type KernelTask = LoadTask | ImageToTensorTask | ImageModelTask | OnnxTask | PackedRowsTask | TensorModelTask;

/** What a worker receives: onnx tasks (and image_model tasks over float lists) are packed rows by then. */
export type WorkerTask = Exclude<KernelTask, OnnxTask>;

/** Where a task's rows are in the statement's input. */
export function taskRows(task: Exclude<WorkerTask, LoadTask>): { readonly firstRow: number; readonly rowCount: number } {
  return task.kernel === 'packed_rows' ? task : task.batch;
}

/** What a worker reports with every reply, for tests and EXPLAIN ANALYZE-style accounting. */
export interface WorkerStats {
  readonly threadId: number;
  /** Sessions this worker has built for the task's model (1 once built; never more). */
  readonly sessionBuilds: number;
  /** Wall-clock interval of the task in the worker, ms since the epoch. */
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** Errors come back as data: a thrown Error loses its fields when structured-cloned across threads. */
export type KernelReply =
  | {
      readonly ok: true;
      readonly column: ModelResult | null;
      readonly stats: WorkerStats;
      /** A packed_rows task's input buffer, handed back for the next batch's rows (packed-rows.ts). */
      readonly input?: ArrayBuffer;
    }
  | { readonly ok: false; readonly row: number | null; readonly reason: string; readonly stats: WorkerStats };
