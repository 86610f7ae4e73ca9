// Values as JSON: lists as arrays, structs and maps as objects, BIGINTs as numbers when they are safe
// integers (else strings), DECIMALs as numbers when exact, dates and timestamps as ISO 8601 strings,
// BLOBs as base64 strings, NaN and infinities as the strings "NaN", "Infinity", "-Infinity", infinite
// dates and timestamps as "infinity" and "-infinity" (as DuckDB's to_json), -0.0 as the number -0.0.
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  DuckDBUnionValue,
  type DuckDBType,
} from '@duckdb/node-api';
import type { SqlValue } from '../../engine/index.js';
import { float32Text, infinityText, valueText } from './value-text.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function valueJson(value: SqlValue, type: DuckDBType): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return numberJson(value, type);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    const itemType = type.typeId === DuckDBTypeId.LIST || type.typeId === DuckDBTypeId.ARRAY ? type.valueType : type;
    return value.items.map((item) => valueJson(item, itemType));
  }
  if (value instanceof DuckDBStructValue) {
    const out: { [key: string]: JsonValue } = {};
    for (const [name, v] of Object.entries(value.entries)) {
      out[name] = valueJson(v, type.typeId === DuckDBTypeId.STRUCT ? type.typeForEntry(name) : type);
    }
    return out;
  }
  if (value instanceof DuckDBMapValue) {
    const [keyType, valueType] = type.typeId === DuckDBTypeId.MAP ? [type.keyType, type.valueType] : [type, type];
    const out: { [key: string]: JsonValue } = {};
    for (const entry of value.entries) out[valueText(entry.key, keyType)] = valueJson(entry.value, valueType);
    return out;
  }
  if (value instanceof DuckDBUnionValue) {
    return valueJson(value.value, type.typeId === DuckDBTypeId.UNION ? type.memberTypeForTag(value.tag) : type);
  }
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString('base64');
  if (value instanceof DuckDBDecimalValue) return decimalJson(value);
  if (value instanceof DuckDBDateValue) return infinityText(value) ?? String(value);
  if (
    value instanceof DuckDBTimestampValue ||
    value instanceof DuckDBTimestampSecondsValue ||
    value instanceof DuckDBTimestampMillisecondsValue ||
    value instanceof DuckDBTimestampNanosecondsValue ||
    value instanceof DuckDBTimestampTZValue
  ) {
    return infinityText(value) ?? isoTimestamp(String(value));
  }
  return String(value);
}

function numberJson(value: number, type: DuckDBType): JsonValue {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(value, -0)) return value;
  return type.typeId === DuckDBTypeId.FLOAT ? Number(float32Text(value)) : value;
}

/**
 * JSON text, as JSON.stringify writes it except that -0 keeps its sign: `-0.0`, as DuckDB's to_json
 * writes it (JSON.stringify writes `0`).
 */
export function jsonText(value: JsonValue): string {
  return hasNegativeZero(value) ? signedJsonText(value) : JSON.stringify(value);
}

function hasNegativeZero(value: JsonValue): boolean {
  if (typeof value === 'number') return Object.is(value, -0);
  if (Array.isArray(value)) return value.some(hasNegativeZero);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasNegativeZero);
  return false;
}

function signedJsonText(value: JsonValue): string {
  if (typeof value === 'number' && Object.is(value, -0)) return '-0.0';
  if (Array.isArray(value)) return `[${value.map(signedJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${signedJsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function decimalJson(value: DuckDBDecimalValue): JsonValue {
  const text = value.toString();
  const number = Number(text);
  return number.toFixed(value.scale) === text ? number : text;
}

/** `2024-01-02 03:04:05.5+01` -> `2024-01-02T03:04:05.5+01:00`; infinities stay as DuckDB writes them. */
function isoTimestamp(text: string): string {
  const m = /^(-?\d+-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)?(?::?(\d\d))?$/.exec(text);
  if (m === null) return text;
  const zone = m[3] === undefined ? '' : `${m[3]}:${m[4] ?? '00'}`;
  return `${m[1]}T${m[2]}${zone}`;
}
