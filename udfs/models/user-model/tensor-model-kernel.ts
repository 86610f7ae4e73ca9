// Worker side of a user model: packs the batch's non-NULL rows into one tensor per input (checking each
// row's length), runs the model through a format's runner, and lays the outputs out as result columns
// (NULL rows, where any argument is NULL, never reach the model).

import type { ElementType, ModelResult, RowFailure, TensorResultColumn, TensorValues } from '../../model-function.js';
import { KernelRowError } from '../../runtime/kernel-error.js';
import { allocateValues } from './element-types.js';
import type { PlannedInput } from './model-signature.js';
import type { TensorModelTask } from '../../runtime/kernel-task.js';

export interface InputTensor {
  readonly name: string;
  readonly element: ElementType;
  readonly values: TensorValues;
  readonly dims: readonly number[];
}

export interface OutputTensor {
  readonly values: TensorValues;
  readonly dims: readonly number[];
}

/** Runs a model on packed inputs; returns the named outputs. */
export type TensorRunner = (inputs: readonly InputTensor[], outputNames: readonly string[]) => Promise<ReadonlyMap<string, OutputTensor>>;

export async function runTensorModel(task: TensorModelTask, run: TensorRunner): Promise<ModelResult> {
  const { batch, inputs, outputs } = task;
  const columns = inputs.map((input, i) => {
    const column = batch.columns[i];
    if (column === undefined || column.kind === 'constant' || column.kind === 'blob') {
      throw new Error(`input '${input.name}' needs a column of ${input.element} values, found ${column?.kind ?? 'nothing'}`);
    }
    return column;
  });
  const valid = new Uint8Array(batch.rowCount);
  let rows: number[] = [];
  for (let r = 0; r < batch.rowCount; r++) {
    if (columns.every((c) => c.valid[r] === 1)) {
      valid[r] = 1;
      rows.push(r);
    }
  }
  // Under model_errors = 'null' a row of the wrong length gives NULL; otherwise it fails the batch.
  const rowErrors: RowFailure[] = [];
  const shapes = inputs.map((input, i) => {
    const { shape, bad } = rowShapeOfBatch(input, columns[i]!, rows, batch.firstRow);
    if (bad.length > 0) {
      if (batch.onRowError !== 'null') throw bad[0]!;
      for (const error of bad) {
        valid[error.row - batch.firstRow] = 0;
        rowErrors.push({ row: error.row, reason: error.reason });
      }
      rows = rows.filter((r) => valid[r] === 1);
    }
    return shape;
  });
  rowErrors.sort((a, b) => a.row - b.row);
  // A model with a fixed batch size runs in slices of that size, the last one padded with zeros.
  const fixed = inputs.map((i) => i.batchDim).filter((d): d is number => d !== null);
  const slice = fixed.length > 0 ? Math.min(...fixed) : Math.max(1, rows.length);
  const parts: ReadonlyMap<string, OutputTensor>[] = [];
  for (let from = 0; from < rows.length; from += slice) {
    const sliceRows = rows.slice(from, from + slice);
    const n = fixed.length > 0 ? slice : sliceRows.length;
    const tensors = inputs.map((input, i): InputTensor => {
      const column = columns[i]!;
      const shape = shapes[i]!;
      const rowLength = shape.reduce((a, b) => a * b, 1);
      const values = allocateValues(input.element, n * rowLength);
      sliceRows.forEach((r, k) => {
        const start = column.offsets[r]!;
        (values as Float32Array).set((column.values as Float32Array).subarray(start, start + rowLength), k * rowLength);
      });
      return { name: input.name, element: input.element, values, dims: [n, ...shape] };
    });
    parts.push(await run(tensors, outputs.map((o) => o.name)));
  }
  const results = outputs.map((output) => {
    const pieces = parts.map((part, p) => {
      const tensor = part.get(output.name);
      if (tensor === undefined) throw new Error(`the model gave no output '${output.name}'`);
      const taken = Math.min(slice, rows.length - p * slice);
      const perRow = tensor.dims[0] === undefined || tensor.dims[0] === 0 ? 0 : tensor.values.length / tensor.dims[0];
      if (!Number.isInteger(perRow)) throw new Error(`output '${output.name}' has ${tensor.values.length} values for ${tensor.dims[0]} rows`);
      return { values: tensor.values.subarray(0, taken * perRow), perRow };
    });
    const perRow = pieces[0]?.perRow ?? 0;
    const column: TensorResultColumn = {
      kind: 'tensor',
      element: output.element,
      scalar: output.scalar,
      ...layOut(output.element, pieces.map((p) => p.values), perRow, valid),
      valid,
    };
    if (output.scalar && rows.length > 0 && perRow !== 1) {
      throw new Error(`output '${output.name}' has ${perRow} values per row, expected 1`);
    }
    return column;
  });
  const errors = rowErrors.length > 0 ? { rowErrors } : {};
  return task.struct ? { kind: 'struct', fields: outputs.map((o, i) => ({ name: o.name, column: results[i]! })), valid, ...errors } : { ...results[0]!, ...errors };
}

/** The row shape for this batch: the input's, with an unknown dimension taken from the first row's length. */
function rowShapeOfBatch(
  input: PlannedInput,
  column: { readonly offsets: Int32Array },
  rows: readonly number[],
  firstRow: number,
): { shape: number[]; bad: KernelRowError[] } {
  const known = input.rowShape.reduce<number>((a, d) => a * (d ?? 1), 1);
  const unknown = input.rowShape.indexOf(null);
  const lengthOf = (r: number) => column.offsets[r + 1]! - column.offsets[r]!;
  const bad: KernelRowError[] = [];
  let expected = known;
  if (unknown >= 0) {
    // The first row whose length fits the shape sets the unknown dimension for the batch.
    const first = rows.find((r) => lengthOf(r) > 0 && lengthOf(r) % known === 0);
    expected = first === undefined ? known : lengthOf(first);
  }
  for (const r of rows) {
    const found = lengthOf(r);
    if (found === expected) continue;
    const what =
      unknown < 0
        ? `${expected} values (rows of shape ${shapeOf(input)})`
        : found > 0 && found % known === 0
          ? `${expected} values like the batch's other rows (rows of shape ${shapeOf(input)}; use a batch_size of 1 for rows of different lengths)`
          : `a multiple of ${known} values (rows of shape ${shapeOf(input)})`;
    bad.push(new KernelRowError(firstRow + r, `input '${input.name}' expects ${what}, found ${found}`));
  }
  return { shape: input.rowShape.map((d) => d ?? expected / known), bad };
}

function shapeOf(input: PlannedInput): string {
  return `[${input.rowShape.map((d) => d ?? '?').join(', ')}]`;
}

/** Output values (valid rows only, in order) laid out with offsets over all rows of the batch. */
function layOut(element: ElementType, pieces: readonly TensorValues[], perRow: number, valid: Uint8Array): { values: TensorValues; offsets: Int32Array } {
  const total = pieces.reduce((n, p) => n + p.length, 0);
  const values = allocateValues(element, total);
  let at = 0;
  for (const piece of pieces) {
    (values as Float32Array).set(piece as Float32Array, at);
    at += piece.length;
  }
  const offsets = new Int32Array(valid.length + 1);
  let end = 0;
  for (let r = 0; r < valid.length; r++) {
    offsets[r] = end;
    if (valid[r] === 1) end += perRow;
  }
  offsets[valid.length] = end;
  return { values, offsets };
}
