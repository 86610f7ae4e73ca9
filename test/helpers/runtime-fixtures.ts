// Tiny ONNX models and batches for the runtime tests, built with the project's own ONNX writer.

import { attr } from '../../udfs/onnx/onnx-attribute.js';
import { OnnxGraphBuilder } from '../../udfs/onnx/onnx-graph-builder.js';
import type { ArgBatch, ArgColumn } from '../../udfs/model-function.js';

/** y = x * factor over [N, width]. */
export function scaleModel(factor: number, width = 4): Uint8Array {
  const g = new OnnxGraphBuilder('scale');
  g.input('x', 'float32', ['N', width]);
  g.addInitializer('factor', [1], new Float32Array([factor]));
  g.addNode({ op: 'Mul', inputs: ['x', 'factor'], outputs: ['y'] });
  g.output('y', 'float32', ['N', width]);
  return g.toBytes();
}

/** `depth` chained [width x width] MatMuls with Tanh between: enough arithmetic to keep a worker busy. */
export function slowModel(width = 256, depth = 60): Uint8Array {
  const g = new OnnxGraphBuilder('slow');
  g.input('x', 'float32', ['N', width]);
  const w = new Float32Array(width * width);
  for (let i = 0; i < w.length; i++) w[i] = ((i * 7919) % 97) / 97 / width;
  g.addInitializer('w', [width, width], w);
  let value = 'x';
  for (let d = 0; d < depth; d++) {
    const product = g.addNode({ op: 'MatMul', inputs: [value, 'w'], outputs: [`m${d}`] });
    value = g.addNode({ op: 'Tanh', inputs: [product], outputs: [`t${d}`] });
  }
  g.addNode({ op: 'Softmax', inputs: [value], outputs: ['y'], attributes: { axis: attr.int(1) } });
  g.output('y', 'float32', ['N', width]);
  return g.toBytes();
}

/** Returns its image input [N, height, width, 3] flattened to [N, height*width*3]: shows what the model saw. */
export function flattenImageModel(width: number, height: number): Uint8Array {
  const g = new OnnxGraphBuilder('flatten');
  g.input('x', 'float32', ['N', height, width, 3]);
  g.addInitializer('shape', [2], new BigInt64Array([-1n, BigInt(height * width * 3)]));
  g.addNode({ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] });
  g.output('y', 'float32', ['N', height * width * 3]);
  return g.toBytes();
}

/** Rows (null for NULL) packed into one flat array with offsets and validity. */
function packRows<T extends Float32Array | Uint8Array>(
  rows: readonly (ArrayLike<number> | null)[],
  allocate: (length: number) => T,
): { values: T; offsets: Int32Array; valid: Uint8Array } {
  const offsets = new Int32Array(rows.length + 1);
  const valid = new Uint8Array(rows.length);
  let total = 0;
  rows.forEach((row, i) => {
    offsets[i] = total;
    if (row !== null) {
      valid[i] = 1;
      total += row.length;
    }
  });
  offsets[rows.length] = total;
  const values = allocate(total);
  rows.forEach((row, i) => {
    if (row !== null) values.set(row, offsets[i] as number);
  });
  return { values, offsets, valid };
}

/** A float-list column from rows (null for NULL). */
export function floatColumn(rows: readonly (readonly number[] | Float32Array | null)[]): ArgColumn {
  return { kind: 'float-list', ...packRows(rows, (n) => new Float32Array(n)) };
}

/** A BLOB column from rows (null for NULL). */
export function blobColumn(rows: readonly (Uint8Array | null)[]): ArgColumn {
  return { kind: 'blob', ...packRows(rows, (n) => new Uint8Array(n)) };
}

export function batchOf(firstRow: number, rowCount: number, ...columns: ArgColumn[]): ArgBatch {
  return { firstRow, rowCount, columns };
}

/** Row i of a float-list result, or null. */
export function rowOf(column: { values: Float32Array; offsets: Int32Array; valid: Uint8Array }, i: number): Float32Array | null {
  if (column.valid[i] !== 1) return null;
  return column.values.subarray(column.offsets[i] as number, column.offsets[i + 1] as number);
}
