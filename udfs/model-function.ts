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
}

/** A result column: one FLOAT[] per row (NULL where valid is 0). */
export interface ResultColumn {
  readonly kind: 'float-list';
  readonly values: Float32Array;
  readonly offsets: Int32Array;
  readonly valid: Uint8Array;
}

/** The argument types a model function accepts at one position, as DuckDB type families. */
export type ArgKind = 'float-list' | 'blob' | 'varchar' | 'integer';

export interface ArgSpec {
  readonly name: string;
  readonly kinds: readonly ArgKind[];
  readonly optional: boolean;
  /** Must be a constant (a literal) in the SQL text. */
  readonly constant: boolean;
}

/** Session settings visible to model functions (SET name = value). */
export interface ModelSettings {
  /** Total threads for model work: workers x intra-op threads. */
  readonly threads: number;
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
}

export interface ModelFunction {
  /** Lower-case SQL name. */
  readonly name: string;
  readonly description: string;
  readonly args: readonly ArgSpec[];
  /** DuckDB type of the result column. */
  readonly resultType: string;
  prepare(context: PrepareContext): Promise<PreparedCall>;
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
