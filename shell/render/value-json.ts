// Values as JSON: lists as arrays, structs and maps as objects, BIGINTs as numbers when they are safe
// integers (else strings), DECIMALs as numbers when exact, dates and timestamps as ISO 8601 strings,
// BLOBs as base64 strings, NaN and infinities as the strings "NaN", "Infinity", "-Infinity".
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
import { float32Text, valueText } from './value-text.js';

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
  if (value instanceof DuckDBDateValue) return String(value);
  if (
    value instanceof DuckDBTimestampValue ||
    value instanceof DuckDBTimestampSecondsValue ||
    value instanceof DuckDBTimestampMillisecondsValue ||
    value instanceof DuckDBTimestampNanosecondsValue ||
    value instanceof DuckDBTimestampTZValue
  ) {
    return isoTimestamp(String(value));
  }
  return String(value);
}

function numberJson(value: number, type: DuckDBType): JsonValue {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return type.typeId === DuckDBTypeId.FLOAT ? Number(float32Text(value)) : value;
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
