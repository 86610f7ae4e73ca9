// DuckDB reads a level's results (result-store.ts) through the table function `__sqlinfer_results(id)`:
// the key, then each call's results, part after part in input order, written into the scan's vectors with
// bulk copies. A level's table is a view over it. The scan is single-threaded: it is read in order, as
// the POSITIONAL JOIN that pairs results with their rows needs.
import { randomUUID } from 'node:crypto';
import { BIGINT, DuckDBTableFunction, VARCHAR, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import type { ModelResult } from '../../udfs/index.js';
import { writeResult } from './result-vectors.js';

/** Consecutive rows of a level: their keys and each call's results. */
export interface ResultPart {
  readonly keys: BigInt64Array;
  readonly columns: readonly ModelResult[];
  readonly rows: number;
}

/** What the scan reads of a level's results (result-store.ts). */
export interface ScannedResults {
  /** The key's name and the calls' columns, in the table's order. */
  readonly columnNames: readonly string[];
  /** The calls' DuckDB types, as their results hold them. */
  readonly columnTypes: readonly DuckDBType[];
  readonly rows: number;
  readonly partCount: number;
  part(i: number): ResultPart;
  /** Called when the statement ends: DuckDB can no longer scan the results. */
  onForget(forget: () => void): void;
}

const FUNCTION = '__sqlinfer_results';

/** The stores DuckDB may scan, by the id in their view's SQL; a store leaves when its statement ends. */
const stores = new Map<string, ScannedResults>();

/**
 * Registers `__sqlinfer_results` on the connection, for each model statement: it is a catalog entry, and
 * one registered inside a user's transaction is gone after a ROLLBACK. Registering it again is harmless.
 */
export function registerResultScan(connection: DuckDBConnection): void {
  connection.registerTableFunction(scanFunction());
}

interface ScanState {
  readonly store: ScannedResults;
  /** The part being read, its index, and the next row in it. */
  part: ResultPart | null;
  index: number;
  next: number;
}

/**
 * `__sqlinfer_results('<id>')`: the relation of `store`'s rows, which DuckDB can scan until it is
 * forgotten (registerResultScan() on the statement's connection first).
 */
export function resultScanSql(store: ScannedResults): string {
  const id = randomUUID();
  stores.set(id, store);
  store.onForget(() => stores.delete(id));
  return `${FUNCTION}('${id}')`;
}

function scanFunction(): DuckDBTableFunction {
  return DuckDBTableFunction.create({
    name: FUNCTION,
    parameterTypes: [VARCHAR],
    bindFunction: (info) => {
      const store = stores.get(String(info.getParameter(0)));
      if (store === undefined || store.partCount === 0) {
        info.setError('sqlinfer: these model results are gone (their statement has ended)');
        return;
      }
      const [key, ...names] = store.columnNames;
      info.addResultColumn(key!, BIGINT);
      store.columnTypes.forEach((type, i) => info.addResultColumn(names[i]!, type));
      info.setCardinality(store.rows, true);
      info.setBindData(store);
    },
    initFunction: (info) => {
      info.setMaxThreads(1);
      info.setInitData({ store: info.getBindData() as ScannedResults, part: null, index: -1, next: 0 } satisfies ScanState);
    },
    mainFunction: (info, output) => {
      const state = info.getInitData() as ScanState;
      try {
        while (state.part === null || state.next >= state.part.rows) {
          if (state.index + 1 >= state.store.partCount) {
            output.rowCount = 0;
            return;
          }
          state.part = state.store.part(++state.index);
          state.next = 0;
        }
        const { part } = state;
        const from = state.next;
        const to = Math.min(part.rows, from + duckdb.vector_size());
        const keys = part.keys.subarray(from, to);
        duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(output.chunk, 0), 0, keys.buffer as ArrayBuffer, keys.byteOffset, keys.byteLength);
        part.columns.forEach((column, i) => writeResult(duckdb.data_chunk_get_vector(output.chunk, i + 1), column, from, to));
        output.rowCount = to - from;
        state.next = to;
      } catch (error) {
        info.setError(`sqlinfer: cannot read model results: ${(error as Error).message}`);
      }
    },
  });
}
