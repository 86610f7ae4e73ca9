// The tensor element types SQL values convert to and from: their DuckDB types, typed arrays and sizes.

import { ELEMENT_SQL_TYPES, type ElementType, type TensorValues } from '../../model-function.js';

export const ELEMENT_TYPES: readonly ElementType[] = ['float32', 'float64', 'int64', 'int32', 'uint8', 'bool'];

/** The DuckDB type of one element, e.g. `BIGINT` for int64. */
export function duckdbElementType(element: ElementType): string {
  return ELEMENT_SQL_TYPES[element];
}

export function isElementType(name: string): name is ElementType {
  return (ELEMENT_TYPES as readonly string[]).includes(name);
}

/** Bytes per element, as DuckDB and the typed arrays store them (bool: one byte). */
export function elementBytes(element: ElementType): number {
  return element === 'float64' || element === 'int64' ? 8 : element === 'uint8' || element === 'bool' ? 1 : 4;
}

/** What a NULL element of a list reads as, from DuckDB's vectors and from Parquet pages alike: NaN for floats, else 0. */
export function nullElementValue(element: ElementType): number | bigint {
  return element === 'float32' || element === 'float64' ? NaN : element === 'int64' ? 0n : 0;
}

export function allocateValues(element: ElementType, length: number): TensorValues {
  switch (element) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'uint8':
    case 'bool':
      return new Uint8Array(length);
  }
}

/** Typed values over `bytes` (which must be aligned for the element size). */
export function valuesOver(element: ElementType, buffer: ArrayBufferLike, byteOffset: number, length: number): TensorValues {
  switch (element) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, length);
    case 'float64':
      return new Float64Array(buffer, byteOffset, length);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, length);
    case 'int32':
      return new Int32Array(buffer, byteOffset, length);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, byteOffset, length);
  }
}

/** A copy of `values` on a fresh buffer of exactly its size. */
export function copyValues(values: TensorValues): TensorValues {
  if (values instanceof Float32Array) return new Float32Array(values);
  if (values instanceof Float64Array) return new Float64Array(values);
  if (values instanceof BigInt64Array) return new BigInt64Array(values);
  if (values instanceof Int32Array) return new Int32Array(values);
  return new Uint8Array(values);
}
