// Float-list rows on their way to a worker. A batch has to be copied once anyway to cross threads; that one
// copy, on the main thread, also checks each row (its length, every value finite), preprocesses it and
// lays the rows one after another as the model's input tensor. The worker then runs the model on that
// buffer as it is, so no part of a batch's preparation keeps the model waiting (in the worker it took 50 to
// 190 ms for 64 rows of 224x224x3, 3 to 11% of ResNet-50's time, with the main thread idle). A column
// whose buffer is its own (`owned`, rows read from Parquet pages) is packed in place instead, and that
// buffer goes to the worker: the copy's allocation and its memory traffic are saved. Under the 'null'
// policy bad rows are left out of the tensor and reported as failures.

import { copyFinite, copyPreprocessed } from '../images/preprocess.js';
import { RowError, type ArgColumn, type RowFailure } from '../model-function.js';
import { checkShape } from './batch-transfer.js';
import type { ImageModelTask, OnnxTask, PackedRowsTask } from './kernel-task.js';

type FloatListColumn = Extract<ArgColumn, { kind: 'float-list' }>;

export interface PackedRows {
  readonly task: PackedRowsTask;
  /** The buffers to transfer to the worker (they belong to the task alone). */
  readonly transferList: ArrayBuffer[];
  /** Under 'null': the rows left out because they were bad, in row order. */
  readonly failures: readonly RowFailure[];
  /** Where the input's buffer goes when the worker hands it back: the column's owner, when packed in place. */
  readonly recycle?: (buffer: ArrayBuffer) => void;
}

/** The task as a PackedRowsTask when its rows are float lists; null when they are BLOBs (decoded in the worker). */
export function packTask(task: ImageModelTask | OnnxTask): PackedRows | null {
  const column = task.batch.columns[0];
  if (column === undefined) throw new Error('the batch has no argument 1');
  if (task.kernel === 'onnx') {
    if (column.kind !== 'float-list') throw new Error(`argument 1 must be a FLOAT[] column, found ${column.kind}`);
    const rowLength = task.rowShape.reduce((a, b) => a * b, 1);
    return packRows(task, column, task.rowShape, (source, from, target, to) => copyFinite(source, from, target, to, rowLength));
  }
  if (column.kind === 'blob') return null;
  if (column.kind !== 'float-list') throw new Error('argument 1 must be a FLOAT[] or BLOB column, found a constant');
  const { width, height, preprocess } = task;
  return packRows(task, column, [height, width, 3], (source, from, target, to) =>
    copyPreprocessed(source, from, target, to, width * height, preprocess),
  );
}

/** Copies `rowLength` values from `source` at `from` into `target` at `to`; returns copyPreprocessed's answer. */
type CopyRow = (source: Float32Array, from: number, target: Float32Array, to: number) => number;

function packRows(task: ImageModelTask | OnnxTask, column: FloatListColumn, rowShape: readonly number[], copyRow: CopyRow): PackedRows {
  const { batch, model } = task;
  checkShape(column, 0, batch.rowCount);
  const rowLength = rowShape.reduce((a, b) => a * b, 1);
  const shape = rowShape.join('x');
  let validCount = 0;
  for (let i = 0; i < batch.rowCount; i++) validCount += column.valid[i] === 1 ? 1 : 0;
  // In place, a row moves only towards the buffer's start (the rows before it took at least its place),
  // and copyRow reads each value before writing over it.
  const inPlace = column.owned === true && !(column.values.buffer instanceof SharedArrayBuffer);
  const input = inPlace ? column.values : new Float32Array(validCount * rowLength);
  const valid = new Uint8Array(batch.rowCount);
  const failures: RowFailure[] = [];
  let count = 0;
  for (let i = 0; i < batch.rowCount; i++) {
    if (column.valid[i] !== 1) continue;
    const start = column.offsets[i] as number;
    const length = (column.offsets[i + 1] as number) - start;
    let reason: string | null = null;
    if (length !== rowLength) {
      reason = `expected ${rowLength} values (${shape}), found ${length === 0 ? 'an empty list' : length}`;
    } else {
      const bad = copyRow(column.values, start, input, count * rowLength);
      if (bad >= 0) {
        const value = column.values[start + bad] as number;
        const what = Number.isNaN(value) ? 'NaN (or NULL)' : String(value);
        reason = `value ${bad + 1} of ${rowLength} is ${what}; model inputs must be finite numbers`;
      }
    }
    if (reason === null) {
      valid[i] = 1;
      count++;
    } else if ((batch.onRowError ?? 'fail') === 'fail') {
      throw new RowError(batch.firstRow + i, reason);
    } else {
      // The row's partial copy is overwritten by the next good row.
      failures.push({ row: batch.firstRow + i, reason });
    }
  }
  const packed = count === validCount ? input : input.subarray(0, count * rowLength);
  const recycle = inPlace ? column.recycle : undefined;
  return {
    task: {
      kernel: 'packed_rows',
      model,
      firstRow: batch.firstRow,
      rowCount: batch.rowCount,
      rowShape,
      input: packed,
      valid,
      count,
      ...(recycle !== undefined ? { returnInput: true } : {}),
    },
    transferList: [input.buffer as ArrayBuffer, valid.buffer as ArrayBuffer],
    failures,
    ...(recycle !== undefined ? { recycle } : {}),
  };
}
