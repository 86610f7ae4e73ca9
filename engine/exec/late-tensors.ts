// The model stage's arguments read late: each batch's rows, located in DuckDB's input by file and row
// number (Parquet pages) or by position (the Arrow batch of --arrow-stream), get their values here before
// the batch goes to the model.
import type { ModelLevel } from '../plan/model-plan.js';
import { ParquetTensorReader, TensorReadError, type RowLocations, type TensorRows } from '../parquet/tensor-reader.js';
import { sqlErrorAt } from '../sql/sql-error.js';
import type { ColumnsBatch, InputColumn } from './arg-columns.js';
import { ArrowTensorReader, type ArrowRelations } from './arrow-tensors.js';

interface TensorReader {
  read(locations: RowLocations): Promise<TensorRows> | TensorRows;
  close(): Promise<void>;
}

export class LateTensorColumns {
  /** Time spent reading values late, on this thread. */
  ms = 0;
  /** A reader per input column read late; null for the others. */
  private readonly readers: readonly (TensorReader | null)[];
  /**
   * Per input column: its values are read into a buffer of their own per batch that one call argument
   * alone takes, so the runtime may have that buffer, and hand a float list's back to the reader when
   * done (see ArgColumn's `owned` and `recycle`). Arrow batches' values are views of the Arrow table,
   * never owned.
   */
  private readonly owned: readonly boolean[];

  constructor(
    private readonly level: ModelLevel,
    private readonly source: string,
    arrowTables?: ArrowRelations,
  ) {
    this.readers = level.inputColumns.map((c) => {
      const element = c.kind === 'tensor-list' ? c.element : 'float32';
      if (c.source !== undefined && 'pages' in c.source) return new ParquetTensorReader(c.source.pages.column, element, c.source.pages.files);
      if (c.source === undefined || !('arrow' in c.source)) return null;
      const { relation, column } = c.source.arrow;
      const table = arrowTables?.get(relation);
      if (table === undefined) throw new Error(`internal error: no Arrow batch ${relation}`);
      return new ArrowTensorReader(table, table.schema.fields.findIndex((f) => f.name === column), element);
    });
    this.owned = this.readers.map(
      (reader, i) => reader instanceof ParquetTensorReader && level.calls.flatMap((c) => c.args).filter((a) => a.kind === 'column' && a.column === i).length === 1,
    );
  }

  get any(): boolean {
    return this.readers.some((r) => r !== null);
  }

  /** The batch with every column read from pages filled in. */
  async materialize(batch: ColumnsBatch): Promise<ColumnsBatch> {
    if (!this.any) return batch;
    const started = performance.now();
    const columns: InputColumn[] = [];
    for (const [i, column] of batch.columns.entries()) {
      const reader = this.readers[i];
      if (reader === null || reader === undefined || column.kind !== 'late') {
        columns.push(column);
        continue;
      }
      try {
        const { values, offsets, valid } = await reader.read(column);
        const planned = this.level.inputColumns[i]!;
        const owned = this.owned[i] === true;
        // Only packed float lists come back (packed-rows.ts); user models' tensor lists are copied in the worker.
        const recycle = owned && reader instanceof ParquetTensorReader ? { recycle: reader.recycle } : {};
        columns.push(
          planned.kind === 'tensor-list'
            ? { kind: 'tensor-list', element: planned.element, values, offsets, valid, owned }
            : { kind: 'float-list', values: values as Float32Array, offsets, valid, owned, ...recycle },
        );
      } catch (error) {
        throw this.error(i, error);
      }
    }
    this.ms += performance.now() - started;
    return { ...batch, columns };
  }

  /** Closes the files; unless `failed`, checks that none changed while they were read. */
  async close(failed: boolean): Promise<void> {
    for (const [i, reader] of this.readers.entries()) {
      try {
        await reader?.close();
      } catch (error) {
        if (!failed) throw this.error(i, error);
      }
    }
  }

  private error(column: number, error: unknown): unknown {
    if (!(error instanceof TensorReadError)) return error;
    const call = this.level.calls.find((c) => c.args.some((a) => a.kind === 'column' && a.column === column)) ?? this.level.calls[0]!;
    return sqlErrorAt('execute', 'model-input-read', `${call.fn.name} could not read its input: ${error.message}`, this.source, call.span, error);
  }
}
