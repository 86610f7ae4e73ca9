// DuckDB reads a level's results (result-store.ts) through the table function `__sqlinfer_results(id)`:
// the key, then each call's results, part after part in input order, written into the scan's vectors with
// bulk copies. A level's table is a view over it. The scan is single-threaded: it is read in order, as
// the POSITIONAL JOIN that pairs results with their rows needs.
import { randomUUID } from 'node:crypto';
import { BIGINT, DuckDBTableFunction, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { writeResult } from './result-vectors.js';
import type { ResultPart, ResultStore } from './result-store.js';

const FUNCTION = '__sqlinfer_results';

/** The stores DuckDB may scan, by the id in their view's SQL; a store leaves when its statement ends. */
const stores = new Map<string, ResultStore>();
const registered = new WeakSet<DuckDBConnection>();

interface ScanState {
  readonly store: ResultStore;
  /** The part being read, its index, and the next row in it. */
  part: ResultPart | null;
  index: number;
  next: number;
}

/** `SELECT * FROM __sqlinfer_results('<id>')` for `store`, which DuckDB can scan until forget(id). */
export function resultScanSql(connection: DuckDBConnection, store: ResultStore): string {
  if (!registered.has(connection)) {
    connection.registerTableFunction(scanFunction());
    registered.add(connection);
  }
  const id = randomUUID();
  stores.set(id, store);
  store.onForget(() => stores.delete(id));
  return `SELECT * FROM ${FUNCTION}('${id}')`;
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
      info.setInitData({ store: info.getBindData() as ResultStore, part: null, index: -1, next: 0 } satisfies ScanState);
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
