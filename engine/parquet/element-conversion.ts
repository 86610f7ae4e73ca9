// Stored values -> the model input's element type, exactly as DuckDB's CAST would give them: a typed
// array assignment rounds to nearest like C++'s static_cast, and DOUBLE -> FLOAT out of range is an
// error in DuckDB, so here too. Conversions that could differ from DuckDB's are not taken (the column is
// then read by DuckDB).
import type { ElementType, TensorValues } from '../../udfs/index.js';
import type { LeafValues } from './list-leaf.js';

/** Stored values: those of Parquet's physical types, and the narrower integers of Arrow's lists. */
export type SourceValues = Float32Array | Float64Array | Int32Array | Uint32Array | BigInt64Array | Int8Array | Int16Array | Uint8Array | Uint16Array;

const readable: Record<ElementType, readonly LeafValues[]> = {
  float32: ['float32', 'float64', 'int32', 'uint32'],
  float64: ['float32', 'float64', 'int32', 'uint32', 'int64'],
  int32: ['int32'],
  int64: ['int32', 'uint32', 'int64'],
  uint8: [],
  bool: [],
};

/** Null when `source` values convert to `target` here, else why not. */
export function conversionUnsupported(source: LeafValues, target: ElementType): string | null {
  return readable[target].includes(source) ? null : `its ${source} elements are converted to ${target} by DuckDB`;
}

export function sourceBytes(source: LeafValues): number {
  return source === 'float64' || source === 'int64' ? 8 : 4;
}

/** Typed values of `source` over bytes that are aligned for them. */
export function sourceView(source: LeafValues, buffer: ArrayBufferLike, byteOffset: number, length: number): SourceValues {
  switch (source) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, length);
    case 'float64':
      return new Float64Array(buffer, byteOffset, length);
    case 'int32':
      return new Int32Array(buffer, byteOffset, length);
    case 'uint32':
      return new Uint32Array(buffer, byteOffset, length);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, length);
  }
}

/** True when the stored bytes are the target's bytes (no conversion: read straight into the batch). */
export function sameBytes(source: LeafValues, target: ElementType): boolean {
  return source === target;
}

/** A value of a DOUBLE list that FLOAT cannot hold: DuckDB's cast fails on it. */
export class ConversionError extends Error {
  constructor(readonly value: number) {
    super(`Type DOUBLE with value ${value} can't be cast because the value is out of range for the destination type FLOAT`);
    this.name = 'ConversionError';
  }
}

/** Writes `values` converted into `target` from `at`. */
export function convertInto(target: TensorValues, at: number, values: SourceValues): void {
  if (target instanceof BigInt64Array) {
    if (values instanceof BigInt64Array) target.set(values, at);
    else for (let i = 0; i < values.length; i++) target[at + i] = BigInt(values[i] as number);
    return;
  }
  if (values instanceof BigInt64Array) {
    for (let i = 0; i < values.length; i++) (target as Float64Array)[at + i] = Number(values[i]!);
    return;
  }
  (target as Float32Array).set(values, at);
  if (target instanceof Float32Array && values instanceof Float64Array) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(target[at + i]!) && Number.isFinite(values[i]!)) throw new ConversionError(values[i]!);
    }
  }
}
