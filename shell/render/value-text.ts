// Values as text, the way DuckDB's shell writes them: NULL, shortest FLOAT digits, `2.0` for whole
// doubles, `-0.0`, `infinity` for infinite dates and timestamps, strings quoted inside lists and structs.
// `compact` mode (table and markdown cells) shortens long lists to their first items (numbers to four
// significant digits) and a count, and shows BLOBs as their size.
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
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

export interface TextOptions {
  /** Shorten lists to fit this many characters, and show BLOBs as their size. */
  readonly compactWidth?: number;
  /** Show BLOBs as their size (implied by `compactWidth`). */
  readonly blobSize?: boolean;
}

export function valueText(value: SqlValue, type: DuckDBType, options: TextOptions = {}): string {
  return text(value, type, options, false);
}

function text(value: SqlValue, type: DuckDBType, options: TextOptions, nested: boolean): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return nested ? `'${value.replace(/'/g, "''")}'` : value;
  if (typeof value === 'number') return nested && options.compactWidth !== undefined ? compactNumber(value, type) : numberText(value, type);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    const itemType = type.typeId === DuckDBTypeId.LIST || type.typeId === DuckDBTypeId.ARRAY ? type.valueType : type;
    return listText(value.items, itemType, options);
  }
  if (value instanceof DuckDBStructValue) {
    const entries = Object.entries(value.entries).map(([name, v]) => {
      const entryType = type.typeId === DuckDBTypeId.STRUCT ? type.typeForEntry(name) : type;
      return `'${name}': ${text(v, entryType, options, true)}`;
    });
    return `{${entries.join(', ')}}`;
  }
  if (value instanceof DuckDBMapValue) {
    const [keyType, valueType] = type.typeId === DuckDBTypeId.MAP ? [type.keyType, type.valueType] : [type, type];
    const entries = value.entries.map((e) => `${text(e.key, keyType, options, true)}=${text(e.value, valueType, options, true)}`);
    return `{${entries.join(', ')}}`;
  }
  if (value instanceof DuckDBUnionValue) {
    const memberType = type.typeId === DuckDBTypeId.UNION ? type.memberTypeForTag(value.tag) : type;
    return text(value.value, memberType, options, nested);
  }
  if (value instanceof DuckDBBlobValue && (options.compactWidth !== undefined || options.blobSize === true)) return sizeText(value.bytes.length);
  return infinityText(value) ?? String(value);
}

/**
 * `infinity` or `-infinity` for DuckDB's infinite dates and timestamps, as DuckDB casts them to text
 * (@duckdb/node-api writes the DATE and TIMESTAMP_S/_MS/_NS ones as far-off dates); else undefined.
 */
export function infinityText(value: SqlValue): string | undefined {
  if (value instanceof DuckDBDateValue) return infinity(value.days, DuckDBDateValue.PosInf.days, DuckDBDateValue.NegInf.days);
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) {
    return infinity(value.micros, DuckDBTimestampValue.PosInf.micros, DuckDBTimestampValue.NegInf.micros);
  }
  if (value instanceof DuckDBTimestampSecondsValue) {
    return infinity(value.seconds, DuckDBTimestampSecondsValue.PosInf.seconds, DuckDBTimestampSecondsValue.NegInf.seconds);
  }
  if (value instanceof DuckDBTimestampMillisecondsValue) {
    return infinity(value.millis, DuckDBTimestampMillisecondsValue.PosInf.millis, DuckDBTimestampMillisecondsValue.NegInf.millis);
  }
  if (value instanceof DuckDBTimestampNanosecondsValue) {
    return infinity(value.nanos, DuckDBTimestampNanosecondsValue.PosInf.nanos, DuckDBTimestampNanosecondsValue.NegInf.nanos);
  }
  return undefined;
}

function infinity<T>(raw: T, positive: T, negative: T): string | undefined {
  return raw === positive ? 'infinity' : raw === negative ? '-infinity' : undefined;
}

function listText(items: readonly SqlValue[], itemType: DuckDBType, options: TextOptions): string {
  const width = options.compactWidth;
  if (width === undefined) return `[${items.map((item) => text(item, itemType, options, true)).join(', ')}]`;
  // Formats only the items that fit, so a 150528-float tensor costs a few items, not all of them.
  let full = '[';
  let fits = 0;
  for (const item of items) {
    const part = text(item, itemType, options, true);
    full += fits === 0 ? part : `, ${part}`;
    fits++;
    if (full.length > width) break;
  }
  if (fits === items.length && full.length + 1 <= width) return `${full}]`;
  // As many leading items as fit, then the count: `[0.0012, 0.0003, … 1000 items]`.
  const tail = `… ${items.length} items]`;
  let head = '[';
  for (const item of items.slice(0, fits)) {
    const part = text(item, itemType, options, true);
    if (head.length > 1 && head.length + part.length + 2 + tail.length > width) break;
    head += `${part}, `;
  }
  return head + tail;
}

function numberText(value: number, type: DuckDBType): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Object.is(value, -0) && (type.typeId === DuckDBTypeId.FLOAT || type.typeId === DuckDBTypeId.DOUBLE)) return '-0.0';
  if (type.typeId === DuckDBTypeId.FLOAT) return wholeAsDecimal(float32Text(value));
  if (type.typeId === DuckDBTypeId.DOUBLE) return wholeAsDecimal(String(value));
  return String(value);
}

/** Numbers inside shortened lists: four significant digits, so more items fit (`0.0012`, `1.47e-6`). */
function compactNumber(value: number, type: DuckDBType): string {
  if (type.typeId !== DuckDBTypeId.FLOAT && type.typeId !== DuckDBTypeId.DOUBLE) return numberText(value, type);
  if (!Number.isFinite(value) || value === 0) return numberText(value, type);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e6) return wholeAsDecimal(String(Number(value.toPrecision(4))));
  return Number(value.toPrecision(3)).toExponential().replace('e+', 'e');
}

/** The shortest decimal text that reads back as the same 32-bit float (JS prints float32s as doubles). */
export function float32Text(value: number): string {
  const target = Math.fround(value);
  for (let digits = 1; digits < 17; digits++) {
    const candidate = Number(target.toPrecision(digits));
    if (Math.fround(candidate) === target) return String(candidate);
  }
  return String(target);
}

function wholeAsDecimal(digits: string): string {
  return /^-?\d+$/.test(digits) ? `${digits}.0` : digits;
}

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `<${bytes} ${bytes === 1 ? "byte" : "bytes"}>`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let size = bytes / 1024;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `<${size.toFixed(1)} ${units[unit]}>`;
}
