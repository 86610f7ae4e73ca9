// Where a list column's numbers are in a Parquet file: the leaf column under the list, and what its
// definition levels mean. Covers the layouts writers produce: three-level `LIST` (DuckDB, pyarrow,
// parquet-mr: `list`/`element`, `list`/`item`), the legacy two-level form (`repeated float array`), and a
// bare repeated field.
import type { FileMetaData, ParquetType, SchemaTree } from 'hyparquet';
import { parquetSchema } from 'hyparquet';

/** How a leaf's values become elements of the target typed array. */
export type LeafValues = 'float32' | 'float64' | 'int32' | 'uint32' | 'int64';

export interface ListLeaf {
  /** The leaf's path in the schema (ColumnMetaData.path_in_schema). */
  readonly path: readonly string[];
  readonly physical: ParquetType;
  /** What the stored values are (INT32 holds uint32 under the converted type UINT_32). */
  readonly values: LeafValues;
  /** The elements' type as DuckDB reads the column (FLOAT, INTEGER, UTINYINT, ...). */
  readonly duckdbType: string;
  /** Repetition levels: always 1 here (one list). */
  readonly maxRep: number;
  readonly maxDef: number;
  /** A row whose first definition level is below this is NULL. */
  readonly listDef: number;
  /** Definition level of an element that exists; up to maxDef - 1 it is NULL. */
  readonly elementDef: number;
}

/** The list column `name` (matched without regard to case, as DuckDB binds it), or why it cannot be read here. */
export function listLeaf(metadata: FileMetaData, name: string): ListLeaf | { readonly reason: string } {
  const root = parquetSchema(metadata);
  const matches = root.children.filter((c) => c.element.name.toLowerCase() === name.toLowerCase());
  if (matches.length !== 1) return { reason: matches.length === 0 ? `it has no column ${name}` : `it has several columns named ${name}` };
  const column = matches[0]!;
  const nonRequired = (node: SchemaTree) => (node.element.repetition_type === 'REQUIRED' ? 0 : 1);
  let repeated: SchemaTree;
  let element: SchemaTree;
  let listDef: number;
  if (column.element.repetition_type === 'REPEATED') {
    // A bare repeated field: a list that is never NULL.
    repeated = column;
    element = column;
    listDef = 0;
  } else {
    const annotated = column.element.converted_type === 'LIST' || column.element.logical_type?.type === 'LIST';
    if (!annotated || column.children.length !== 1) return { reason: `${name} is not a list` };
    repeated = column.children[0]!;
    if (repeated.element.repetition_type !== 'REPEATED') return { reason: `${name} is not a list` };
    listDef = nonRequired(column);
    if (repeated.children.length === 0) element = repeated;
    else if (repeated.children.length === 1 && repeated.element.name !== 'array' && repeated.element.name !== `${column.element.name}_tuple`) {
      element = repeated.children[0]!;
    } else return { reason: `the elements of ${name} are structs` };
  }
  if (element.children.length > 0) return { reason: `the elements of ${name} are ${element.element.converted_type === 'LIST' || element.element.logical_type?.type === 'LIST' ? 'lists' : 'structs'}` };
  if (element !== repeated && element.element.repetition_type === 'REPEATED') return { reason: `the elements of ${name} are lists` };
  const stored = leafValues(element);
  if ('reason' in stored) return stored;
  const elementDef = listDef + 1;
  const maxDef = elementDef + (element === repeated ? 0 : nonRequired(element));
  return { path: element.path, physical: element.element.type!, values: stored.values, duckdbType: stored.duckdbType, maxRep: 1, maxDef, listDef, elementDef };
}

/** The integer types DuckDB reads INT32 and INT64 columns as, by their converted type (DuckDB goes by it). */
const integerTypes: Readonly<Record<string, { readonly physical: string; readonly duckdbType: string; readonly values: LeafValues } | undefined>> = {
  INT_8: { physical: 'INT32', duckdbType: 'TINYINT', values: 'int32' },
  INT_16: { physical: 'INT32', duckdbType: 'SMALLINT', values: 'int32' },
  INT_32: { physical: 'INT32', duckdbType: 'INTEGER', values: 'int32' },
  UINT_8: { physical: 'INT32', duckdbType: 'UTINYINT', values: 'int32' },
  UINT_16: { physical: 'INT32', duckdbType: 'USMALLINT', values: 'int32' },
  UINT_32: { physical: 'INT32', duckdbType: 'UINTEGER', values: 'uint32' },
  INT_64: { physical: 'INT64', duckdbType: 'BIGINT', values: 'int64' },
};

function leafValues(leaf: SchemaTree): { readonly values: LeafValues; readonly duckdbType: string } | { readonly reason: string } {
  const { type, converted_type: converted, logical_type: logical } = leaf.element;
  const decimal = converted === 'DECIMAL' || logical?.type === 'DECIMAL';
  if (decimal) return { reason: 'its elements are DECIMAL' };
  switch (type) {
    case 'FLOAT':
      return { values: 'float32', duckdbType: 'FLOAT' };
    case 'DOUBLE':
      return { values: 'float64', duckdbType: 'DOUBLE' };
    case 'INT32':
    case 'INT64': {
      if (converted === 'UINT_64') return { reason: 'its elements are UBIGINT' };
      if (converted !== undefined) {
        const integer = integerTypes[converted];
        if (integer === undefined || integer.physical !== type) return { reason: `its elements are ${converted} stored as ${type}` };
        return integer;
      }
      // Without a converted type DuckDB reads the physical type's integers, whatever a logical type says:
      // one that says otherwise is left to DuckDB.
      if (logical !== undefined && (logical.type !== 'INTEGER' || !logical.isSigned || logical.bitWidth !== (type === 'INT32' ? 32 : 64))) {
        return { reason: `its elements are ${logical.type === 'INTEGER' ? `${logical.isSigned ? '' : 'unsigned '}${logical.bitWidth}-bit integers` : logical.type} stored as ${type}` };
      }
      return type === 'INT32' ? { values: 'int32', duckdbType: 'INTEGER' } : { values: 'int64', duckdbType: 'BIGINT' };
    }
    default:
      return { reason: `its elements are stored as ${type ?? 'groups'}` };
  }
}
