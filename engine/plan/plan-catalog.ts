// What the planner asks DuckDB: the columns and types of a query, and which names are aggregate
// functions. Binding only: nothing here scans data.

export interface ColumnInfo {
  readonly name: string;
  /** DuckDB's type text, e.g. `FLOAT[]`, `FLOAT[150528]`, `BLOB`. */
  readonly type: string;
}

export interface PlanCatalog {
  /** The columns `query` (a SELECT, possibly with WITH) returns; rejects with DuckDB's message. */
  describe(query: string): Promise<readonly ColumnInfo[]>;
  /** Lower-case names of aggregate functions. */
  aggregateFunctions(): Promise<ReadonlySet<string>>;
  /** Lower-case names of scalar functions whose every overload gives the same result for the same input. */
  consistentFunctions(): Promise<ReadonlySet<string>>;
}
