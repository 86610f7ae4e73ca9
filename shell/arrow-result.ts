// A statement's result rows as one Arrow record batch (the output of `sqlinfer --arrow-stream`). The
// columns are built as Arrow buffers (typed arrays, offsets, validity bitmaps) from DuckDB's values, with
// the types Spark reads: DuckDB's lists become Arrow lists, ARRAYs fixed-size lists, STRUCTs structs.
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  type DuckDBType,
} from '@duckdb/node-api';
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  type Data,
  type DataType,
} from 'apache-arrow';
import type { ResultColumnInfo, SqlValue } from '../engine/index.js';

export class ArrowResultError extends Error {
  override readonly name = 'ArrowResultError';
}

/** The Arrow schema of a result; a column of a type Spark cannot take is an error naming it. */
export function arrowSchema(columns: readonly ResultColumnInfo[]): Schema {
  return new Schema(columns.map((c) => new Field(c.name, arrowType(c.duckdbType, c.name), true)));
}

/** The rows as one record batch of `schema` (made by arrowSchema from the same columns). */
export function arrowBatch(schema: Schema, columns: readonly ResultColumnInfo[], rows: readonly (readonly SqlValue[])[]): RecordBatch {
  const children = columns.map((c, i) => columnData(schema.fields[i]!.type, c.duckdbType, rows.map((row) => row[i] ?? null)));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}

/** makeData with the props of any type: the column's DataType is known only at run time here. */
const make = makeData as unknown as (props: { type: DataType; length: number; nullCount: number } & Record<string, unknown>) => Data;

function arrowType(type: DuckDBType, column: string): DataType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return new Bool();
    case DuckDBTypeId.TINYINT:
      return new Int8();
    case DuckDBTypeId.SMALLINT:
      return new Int16();
    case DuckDBTypeId.INTEGER:
      return new Int32();
    case DuckDBTypeId.BIGINT:
      return new Int64();
    case DuckDBTypeId.UTINYINT:
      return new Uint8();
    case DuckDBTypeId.USMALLINT:
      return new Uint16();
    case DuckDBTypeId.UINTEGER:
      return new Uint32();
    case DuckDBTypeId.UBIGINT:
      return new Uint64();
    case DuckDBTypeId.FLOAT:
      return new Float32();
    case DuckDBTypeId.DOUBLE:
      return new Float64();
    case DuckDBTypeId.VARCHAR:
      return new Utf8();
    case DuckDBTypeId.BLOB:
      return new Binary();
    case DuckDBTypeId.DATE:
      return new DateDay();
    case DuckDBTypeId.TIMESTAMP_S:
      return new Timestamp(TimeUnit.SECOND);
    case DuckDBTypeId.TIMESTAMP_MS:
      return new Timestamp(TimeUnit.MILLISECOND);
    case DuckDBTypeId.TIMESTAMP:
      return new Timestamp(TimeUnit.MICROSECOND);
    case DuckDBTypeId.TIMESTAMP_NS:
      return new Timestamp(TimeUnit.NANOSECOND);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
    case DuckDBTypeId.DECIMAL:
      return new Decimal(type.scale, type.width, 128);
    case DuckDBTypeId.LIST:
      return new List(new Field('element', arrowType(type.valueType, column), true));
    case DuckDBTypeId.ARRAY:
      return new FixedSizeList(type.length, new Field('element', arrowType(type.valueType, column), true));
    case DuckDBTypeId.STRUCT:
      return new Struct(type.entryNames.map((name, i) => new Field(name, arrowType(type.entryTypes[i]!, column), true)));
    default:
      throw new ArrowResultError(
        `result column '${column}' has type ${type.toString()}, which the Arrow output does not carry; cast it in the statement (e.g. to VARCHAR)`,
      );
  }
}

/** The validity bitmap of `values` (null when none is NULL) and the NULL count. */
function validity(values: readonly SqlValue[]): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null) nullCount++;
    else bits[i >> 3]! |= 1 << (i & 7);
  });
  return { nullBitmap: nullCount === 0 ? undefined : bits, nullCount };
}

function columnData(type: DataType, duckdbType: DuckDBType, values: readonly SqlValue[]): Data {
  const length = values.length;
  const { nullBitmap, nullCount } = validity(values);
  const base = { length, nullCount, ...(nullBitmap === undefined ? {} : { nullBitmap }) };
  switch (duckdbType.typeId) {
    case DuckDBTypeId.BOOLEAN: {
      const data = new Uint8Array(Math.ceil(length / 8));
      values.forEach((v, i) => {
        if (v === true) data[i >> 3]! |= 1 << (i & 7);
      });
      return make({ type, data, ...base });
    }
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE: {
      const data = new (type as Int32).ArrayType(length) as unknown as Float64Array;
      values.forEach((v, i) => (data[i] = (v as number | null) ?? 0));
      return make({ type, data, ...base });
    }
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
      return make({ type, data: bigints(values, (v) => v as bigint, duckdbType.typeId === DuckDBTypeId.UBIGINT), ...base });
    case DuckDBTypeId.TIMESTAMP_S:
      return make({ type, data: bigints(values, (v) => (v as DuckDBTimestampSecondsValue).seconds), ...base });
    case DuckDBTypeId.TIMESTAMP_MS:
      return make({ type, data: bigints(values, (v) => (v as DuckDBTimestampMillisecondsValue).millis), ...base });
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return make({ type, data: bigints(values, (v) => (v as DuckDBTimestampValue | DuckDBTimestampTZValue).micros), ...base });
    case DuckDBTypeId.TIMESTAMP_NS:
      return make({ type, data: bigints(values, (v) => (v as DuckDBTimestampNanosecondsValue).nanos), ...base });
    case DuckDBTypeId.DATE: {
      const data = new Int32Array(length);
      values.forEach((v, i) => (data[i] = v === null ? 0 : (v as DuckDBDateValue).days));
      return make({ type, data, ...base });
    }
    case DuckDBTypeId.DECIMAL: {
      const data = new BigUint64Array(length * 2);
      values.forEach((v, i) => {
        const unscaled = v === null ? 0n : (v as DuckDBDecimalValue).value;
        data[i * 2] = BigInt.asUintN(64, unscaled);
        data[i * 2 + 1] = BigInt.asUintN(64, unscaled >> 64n);
      });
      return make({ type, data: new Uint32Array(data.buffer), ...base });
    }
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.BLOB: {
      const encoder = new TextEncoder();
      const parts = values.map((v) => (v === null ? new Uint8Array(0) : typeof v === 'string' ? encoder.encode(v) : (v as DuckDBBlobValue).bytes));
      const valueOffsets = new Int32Array(length + 1);
      parts.forEach((p, i) => (valueOffsets[i + 1] = valueOffsets[i]! + p.length));
      const data = new Uint8Array(valueOffsets[length]!);
      parts.forEach((p, i) => data.set(p, valueOffsets[i]!));
      return make({ type, data, valueOffsets, ...base });
    }
    case DuckDBTypeId.LIST: {
      const items = values.map((v) => (v === null ? [] : (v as DuckDBListValue).items));
      const valueOffsets = new Int32Array(length + 1);
      items.forEach((list, i) => (valueOffsets[i + 1] = valueOffsets[i]! + list.length));
      const child = columnData((type as List).children[0]!.type, duckdbType.valueType, items.flat());
      return make({ type, valueOffsets, child, ...base });
    }
    case DuckDBTypeId.ARRAY: {
      const size = duckdbType.length;
      const flat = values.flatMap((v) => (v === null ? new Array<SqlValue>(size).fill(null) : (v as DuckDBArrayValue).items));
      const child = columnData((type as FixedSizeList).children[0]!.type, duckdbType.valueType, flat);
      return make({ type, child, ...base });
    }
    case DuckDBTypeId.STRUCT: {
      const children = duckdbType.entryNames.map((name, k) =>
        columnData((type as Struct).children[k]!.type, duckdbType.entryTypes[k]!, values.map((v) => (v === null ? null : ((v as DuckDBStructValue).entries[name] ?? null)))),
      );
      return make({ type, children, ...base });
    }
    default:
      throw new ArrowResultError(`internal error: no Arrow column for DuckDB type ${duckdbType.toString()}`);
  }
}

function bigints(values: readonly SqlValue[], read: (v: SqlValue) => bigint, unsigned = false): BigInt64Array | BigUint64Array {
  const data = unsigned ? new BigUint64Array(values.length) : new BigInt64Array(values.length);
  values.forEach((v, i) => (data[i] = v === null ? 0n : read(v)));
  return data;
}
