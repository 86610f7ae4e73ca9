// List arguments read straight from the Arrow batches of `sqlinfer --arrow-stream` into the model's
// batches (the planner decides which: plan/late-tensors.ts). DuckDB's input gives only each row's
// position among the statement's batches; the values go from the Arrow child buffer to the batch with the
// conversion DuckDB's CAST to the model's element type would make, so results are the same either way.
import { DataType, Type, type Data, type Field, type Schema } from 'apache-arrow';
import { allocateValues, nullElementValue, type ElementType } from '../../udfs/index.js';
import { ConversionError, convertInto, type SourceValues } from '../parquet/element-conversion.js';
import { TensorReadError, type RowLocations, type TensorRows } from '../parquet/tensor-reader.js';

type ArrowElement = 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'float32' | 'float64';

/** The Arrow elements converted here as DuckDB converts them; others are left to DuckDB. */
const convertible: Record<ElementType, readonly ArrowElement[]> = {
  float32: ['float32', 'float64', 'int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32'],
  float64: ['float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32'],
  int32: ['int8', 'int16', 'int32', 'uint8', 'uint16'],
  int64: ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32'],
  uint8: ['uint8'],
  bool: [],
};

function arrowElement(type: DataType): ArrowElement | null {
  if (DataType.isInt(type)) return `${type.isSigned ? '' : 'u'}int${type.bitWidth}` as ArrowElement;
  if (DataType.isFloat(type)) return type.precision === 1 ? 'float32' : type.precision === 2 ? 'float64' : null;
  return null;
}

/** Null when `field`, a list or fixed-size list of numbers, is read here as `element` values; else why not. */
export function arrowListUnsupported(field: Field, element: ElementType): string | null {
  const { type } = field;
  if (type.typeId !== Type.List && type.typeId !== Type.LargeList && type.typeId !== Type.FixedSizeList) return `the Arrow column is ${String(type)}, not a list`;
  const source = arrowElement((type.children[0] as Field).type);
  if (source === null) return `the Arrow column is ${String(type)}, not a list of numbers`;
  return convertible[element].includes(source) ? null : `its ${source} elements are converted to ${element} by DuckDB`;
}

/** The Arrow batches a statement reads (ArrowBatchTable), as the planner and the model stage see them. */
export interface ArrowRelation {
  readonly schema: Schema;
  /** The table function under the relation's view, and its column of each row's position. */
  readonly functionName: string;
  readonly rowColumn: string;
  readonly rowCount: number;
  /** Column `column` of each current batch, with its first row among all. */
  columnParts(column: number): readonly { readonly data: Data; readonly start: number }[];
  /** A row, by its position, as the stream's reader finds it. */
  rowName(position: number): string;
}

/** The Arrow relations of an engine, by name (ArrowTables). */
export interface ArrowRelations {
  get(name: string): ArrowRelation | undefined;
}

/** Reads rows of one list column of the table's current batches, by their position among them. */
export class ArrowTensorReader {
  /** The last row's length: a batch's buffer is sized for its rows at that length, grown if need be. */
  private rowLength = 0;

  constructor(
    private readonly table: ArrowRelation,
    private readonly column: number,
    private readonly element: ElementType,
  ) {}

  read(locations: RowLocations): TensorRows {
    const parts = this.table.columnParts(this.column);
    const rows = locations.valid.length;
    const offsets = new Int32Array(rows + 1);
    const valid = new Uint8Array(rows);
    let values = allocateValues(this.element, rows * this.rowLength);
    let total = 0;
    const hole = nullElementValue(this.element);
    let part = 0;
    for (let r = 0; r < rows; r++) {
      offsets[r] = total;
      if (!locations.valid[r]) continue;
      const at = locations.row[r]!;
      // Rows come in order, mostly: search from the last part, back to the first when a row is behind it.
      if (parts[part] === undefined || at < parts[part]!.start) part = 0;
      while (part + 1 < parts.length && parts[part + 1]!.start <= at) part++;
      const { data, start } = parts[part] ?? { data: null, start: 0 };
      const row = at - start;
      if (data === null || row >= data.length) throw new TensorReadError(`row ${at + 1} is past the Arrow batches' ${this.table.rowCount} rows`);
      if (!data.getValid(row)) continue;
      const [from, to] = listRange(data, row);
      const length = to - from;
      if (total + length > values.length) {
        const grown = allocateValues(this.element, Math.max(total + length, values.length * 2, rows * length));
        grown.set(values.subarray(0, total) as never);
        values = grown;
      }
      this.rowLength = length;
      const child = data.children[0]!;
      try {
        convertInto(values, total, (child.values as SourceValues).subarray(from, to) as SourceValues);
      } catch (error) {
        if (error instanceof ConversionError) throw new TensorReadError(`${this.where(at)}: ${error.message}`, { cause: error });
        throw error;
      }
      if (child.nullCount > 0) {
        for (let e = from; e < to; e++) if (!child.getValid(e)) (values as Float64Array)[total + e - from] = hole as number;
      }
      valid[r] = 1;
      total += length;
    }
    offsets[rows] = total;
    return { values: values.subarray(0, total) as typeof values, offsets, valid };
  }

  async close(): Promise<void> {}

  private where(at: number): string {
    return `column ${this.table.schema.fields[this.column]!.name}, ${this.table.rowName(at)}`;
  }
}

/** The child elements [from, to) of list row `row` (apache-arrow has sliced offsets and children to the Data's rows). */
function listRange(data: Data, row: number): [number, number] {
  if (data.type.typeId === Type.FixedSizeList) {
    const size = (data.type as unknown as { listSize: number }).listSize;
    return [row * size, (row + 1) * size];
  }
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  return [Number(offsets[row]!), Number(offsets[row + 1]!)];
}
