// What the planner asks DuckDB: the columns and types of a query, and which names are aggregate
// functions, and what the footers of Parquet files say. Binding only: nothing here scans data.
import type { ElementType } from '../../udfs/index.js';
import type { PlannedFile } from '../parquet/parquet-footer.js';

export interface ColumnInfo {
  readonly name: string;
  /** DuckDB's type text, e.g. `FLOAT[]`, `FLOAT[150528]`, `BLOB`. */
  readonly type: string;
}

export interface PlanCatalog {
  /** The columns `query` (a SELECT, possibly with WITH) returns; rejects with DuckDB's message. */
  describe(query: string): Promise<readonly ColumnInfo[]>;
  /**
   * The columns of `query` whose type holds a struct with some fields named and some not (DuckDB reads
   * a Parquet UNION so): DESCRIBE prints such a struct as if no field had a name.
   */
  partlyNamedStructs(query: string): Promise<readonly string[]>;
  /** Lower-case names of aggregate functions. */
  aggregateFunctions(): Promise<ReadonlySet<string>>;
  /** Lower-case names of scalar functions whose every overload gives the same result for the same input. */
  consistentFunctions(): Promise<ReadonlySet<string>>;
  /**
   * The files of a Parquet scan (`files`: its first argument as SQL) as DuckDB names them, when column
   * `column` of each can be read from its pages as `element` values and is worth it; else why not.
   * `scanType` is the column's type in DuckDB's scan (e.g. `FLOAT[]`), which every file's must match.
   */
  tensorFiles(files: string, column: string, element: ElementType, scanType: string): Promise<{ readonly files: ReadonlyMap<string, PlannedFile> } | { readonly reason: string }>;
  /**
   * Null when `relation` (a table name as written) is not the Arrow batch of `--arrow-stream`; else the
   * scan under it and, when its column `column` can be read from the Arrow buffers as `element` values,
   * the column's name in the batch (else why not).
   */
  arrowColumn(relation: string, column: string, element: ElementType): ArrowColumn | null;
}

export interface ArrowScan {
  /** The table function under the relation's view, and its column of each row's position. */
  readonly functionName: string;
  readonly rowColumn: string;
}

export type ArrowColumn = { readonly scan: ArrowScan } & ({ readonly column: string } | { readonly reason: string });
