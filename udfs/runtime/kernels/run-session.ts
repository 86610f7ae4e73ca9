// Runs a session on the valid rows of a batch, packed as one [n, ...rowShape] float tensor, and lays its
// output out as a result column (NULL rows stay NULL and never reach the model).

import * as ort from 'onnxruntime-node';
import type { ResultColumn } from '../../model-function.js';

/** The valid rows' positions, in order. */
export function validRows(valid: Uint8Array, rowCount: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < rowCount; i++) if (valid[i] === 1) rows.push(i);
  return rows;
}

/** The result of a batch with no non-NULL rows: every row NULL, no model run. */
export function allNullResult(rowCount: number): ResultColumn {
  return { kind: 'float-list', values: new Float32Array(0), offsets: new Int32Array(rowCount + 1), valid: new Uint8Array(rowCount) };
}

export async function runSession(
  session: ort.InferenceSession,
  input: Float32Array,
  rowShape: readonly number[],
  valid: Uint8Array,
  rowCount: number,
  validCount: number,
): Promise<ResultColumn> {
  if (validCount === 0) return allNullResult(rowCount);
  const offsets = new Int32Array(rowCount + 1);
  const resultValid = new Uint8Array(rowCount);
  const inputName = session.inputNames[0] as string;
  const outputName = session.outputNames[0] as string;
  const feeds = { [inputName]: new ort.Tensor('float32', input, [validCount, ...rowShape]) };
  const output = (await session.run(feeds))[outputName];
  if (output === undefined || output.type !== 'float32') {
    throw new Error(`model output '${outputName}' is ${output?.type ?? 'missing'}, expected float32`);
  }
  const data = output.data as Float32Array;
  if (data.length % validCount !== 0) {
    throw new Error(`model output has ${data.length} values, not a multiple of the ${validCount} rows given`);
  }
  const rowLength = data.length / validCount;
  let end = 0;
  for (let i = 0; i < rowCount; i++) {
    offsets[i] = end;
    if (valid[i] === 1) {
      resultValid[i] = 1;
      end += rowLength;
    }
  }
  offsets[rowCount] = end;
  // The output rows are already in valid-row order; copy only if the array does not own its whole buffer.
  const owned = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !(data.buffer instanceof SharedArrayBuffer);
  return { kind: 'float-list', values: owned ? data : data.slice(), offsets, valid: resultValid };
}
