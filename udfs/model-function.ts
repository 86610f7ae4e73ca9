// The contract between engine/ and udfs/: what a model function is, and the columnar batches that flow
// through it. Batches are flat typed arrays so that they cross worker threads as transferables, with no
// per-element JS values on the hot path.

/** A column of a batch: variable-length rows over one flat buffer, `offsets` has rows + 1 entries. */
export type ArgColumn =
  | {
      readonly kind: 'float-list';
      readonly values: Float32Array;
      readonly offsets: Int32Array;
      /** 1 where the row is not NULL. */
      readonly valid: Uint8Array;
      /**
       * True when `values` fill a buffer of their own, made for this batch and read by this one call alone
       * (the Parquet page reader's). The runtime may then preprocess the rows in place and hand that buffer
       * to the worker rather than copy it: one copy and one allocation of a batch's size fewer. The caller
       * must not read the values once it has passed the batch on.
       */
      readonly owned?: boolean;
      /**
       * With `owned`: takes the values' buffer back once the runtime is done with it (the worker hands it
       * back with the batch's result), for the reader to fill again instead of a new buffer.
       */
      readonly recycle?: (buffer: ArrayBuffer) => void;
    }
  | {
      readonly kind: 'blob';
      readonly values: Uint8Array;
      readonly offsets: Int32Array;
      readonly valid: Uint8Array;
    }
  | {
      /** A constant argument, the same for every row (e.g. a preprocess mode). */
      readonly kind: 'constant';
      readonly value: ConstantValue;
    };

/** The value of a constant argument: a SQL literal. */
export type ConstantValue = string | number | boolean | null;

export interface ArgBatch {
  /** Position of the batch's first row in the statement's input, for error messages. */
  readonly firstRow: number;
  readonly rowCount: number;
  readonly columns: readonly ArgColumn[];
  /** What to do with a row the model cannot process (SET model_errors); 'fail' when absent. */
  readonly onRowError?: RowErrorPolicy;
}

/**
 * 'fail': the batch rejects with a RowError for its first bad row. 'null': bad rows give NULL, the other
 * rows of the batch are processed, and the result lists the bad rows in `rowErrors`.
 */
export type RowErrorPolicy = 'fail' | 'null';


/** A row that gave NULL under the 'null' policy, and why; `row` as in RowError. */
export interface RowFailure {
  readonly row: number;
  readonly reason: string;
}

/** A result column: one FLOAT[] per row (NULL where valid is 0). */
export interface ResultColumn {
  readonly kind: 'float-list';
  readonly values: Float32Array;
  readonly offsets: Int32Array;
  readonly valid: Uint8Array;
  /** Under the 'null' policy: the rows that failed (NULL in `valid`), in row order. */
  readonly rowErrors?: readonly RowFailure[];
}

/** Element types of model tensors that SQL values convert to and from. */
export type ElementType = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

/** The DuckDB type of one element of each element type. */
export const ELEMENT_SQL_TYPES: Readonly<Record<ElementType, string>> = {
  float32: 'FLOAT',
  float64: 'DOUBLE',
  int64: 'BIGINT',
  int32: 'INTEGER',
  uint8: 'UTINYINT',
  bool: 'BOOLEAN',
};

/** The flat values of a tensor column; bool is stored as 0/1 bytes. */
export type TensorValues = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** A column of tensors of one element type (the batch of a user model's input): flat values, row offsets. */
export interface TensorListColumn {
  readonly kind: 'tensor-list';
  readonly element: ElementType;
  readonly values: TensorValues;
  readonly offsets: Int32Array;
  readonly valid: Uint8Array;
  /** As a float-list ArgColumn's `owned`. */
  readonly owned?: boolean;
}

/** The columns a PreparedCall.runModel() batch may carry: ArgColumn's, and typed tensor lists. */
export type ModelArgColumn = ArgColumn | TensorListColumn;

export interface ModelArgBatch {
  readonly firstRow: number;
  readonly rowCount: number;
  readonly columns: readonly ModelArgColumn[];
  /** As in ArgBatch. */
  readonly onRowError?: RowErrorPolicy;
}

/**
 * A typed result column: per row a list of `element` values, or one value per row when `scalar`
 * (then every non-NULL row has exactly one value).
 */
export interface TensorResultColumn {
  readonly kind: 'tensor';
  readonly element: ElementType;
  readonly scalar: boolean;
  readonly values: TensorValues;
  readonly offsets: Int32Array;
  readonly valid: Uint8Array;
  /** As in ResultColumn. */
  readonly rowErrors?: readonly RowFailure[];
}

/** A STRUCT result: one field per model output, NULL rows NULL in every field too. */
export interface StructResultColumn {
  readonly kind: 'struct';
  readonly fields: readonly { readonly name: string; readonly column: ResultColumn | TensorResultColumn }[];
  readonly valid: Uint8Array;
  /** As in ResultColumn. */
  readonly rowErrors?: readonly RowFailure[];
}

/** What PreparedCall.runModel() returns. */
export type ModelResult = ResultColumn | TensorResultColumn | StructResultColumn;

/** The argument types a model function accepts at one position, as DuckDB type families. */
export type ArgKind = 'float-list' | 'blob' | 'varchar' | 'integer' | 'tensor';

export interface ArgSpec {
  readonly name: string;
  /** `tensor`: a numeric or boolean list or scalar, cast in SQL to a list of `element`. */
  readonly kinds: readonly ArgKind[];
  readonly optional: boolean;
  /** Must be a constant (a literal) in the SQL text. */
  readonly constant: boolean;
  /** For kind `tensor`: the element type the values are converted to (default float32). */
  readonly element?: ElementType;
  /** For a constant string: the values it may take (compared case-insensitively), checked before any model loads. */
  readonly values?: readonly string[];
}

/** Session settings visible to model functions (SET name = value). */
export interface ModelSettings {
  /** Total threads for model work: workers x intra-op threads. */
  readonly threads: number;
  /** model_batch_size: rows per batch, or 0 for a size chosen per function (batch-rows.ts). */
  readonly batchSize: number;
  get(name: string): string | undefined;
}

/** A report of slow preparation work (e.g. a weights download), for the shell's progress display. */
export interface PrepareProgress {
  readonly label: string;
  readonly done: number;
  readonly total: number | null;
}

export interface PrepareContext {
  readonly settings: ModelSettings;
  /**
   * The call's constant arguments by position (undefined where an argument is not constant or is omitted),
   * so prepare() can reject a bad literal before any row runs and name it in the description.
   */
  readonly constants?: readonly (ConstantValue | undefined)[];
  readonly signal?: AbortSignal;
  onProgress?(progress: PrepareProgress): void;
}

/** A model function prepared for one statement: its model is loaded and broadcast to the workers. */
export interface PreparedCall {
  /** A line for EXPLAIN: the model, where its weights came from, workers, threads, batch size. */
  readonly description: string;
  /** DuckDB type of the result column, e.g. `FLOAT[]`. */
  readonly resultType: string;
  /**
   * Runs one batch on the pool; several may be in flight at once, each promise resolves with its own
   * batch's rows. Rejects with a RowError for a bad row. The batch is left intact (its arrays are copied
   * once and the copies transferred to a worker), so the same columns may go to several calls.
   */
  run(batch: ArgBatch, signal?: AbortSignal): Promise<ResultColumn>;
  /**
   * Like run(), for batches with typed tensor columns and typed, scalar or STRUCT results. When present,
   * the engine calls it instead of run().
   */
  runModel?(batch: ModelArgBatch, signal?: AbortSignal): Promise<ModelResult>;
}

export interface ModelFunction {
  /** Lower-case SQL name. */
  readonly name: string;
  readonly description: string;
  readonly args: readonly ArgSpec[];
  /** DuckDB type of the result column. */
  readonly resultType: string;
  prepare(context: PrepareContext): Promise<PreparedCall>;
  /** Arguments may be given by name (`arg := value`) as well as by position. */
  readonly namedArgs?: boolean;
  /** Rows per batch this function wants (e.g. a model's batch_size option), instead of model_batch_size. */
  readonly batchSize?: number;
  /** Bytes of one row's model input, when every row's is the same: an automatic batch of large rows has fewer (batch-rows.ts). */
  readonly rowBytes?: number;
  /**
   * Checks a column argument's DuckDB type at plan time (e.g. a fixed-size ARRAY whose length cannot fit
   * the model's input); returns what is wrong, or undefined.
   */
  checkArg?(index: number, sqlType: string): string | undefined;
}

/** A row the model could not process; `row` is the row's position in the statement's input (0-based). */
export class RowError extends Error {
  constructor(
    readonly row: number,
    readonly reason: string,
  ) {
    super(`row ${row + 1}: ${reason}`);
    this.name = 'RowError';
  }
}
