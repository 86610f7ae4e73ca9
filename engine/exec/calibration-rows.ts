// The rows of CREATE MODEL's calibrate query, read by DuckDB chunk by chunk straight into flat arrays
// (FLOAT[] of RGB values, or image BLOBs): the query must give one column of either kind, and says so
// otherwise, before any row is read. DuckDB runs the query alone: it cannot call model functions.
import type { DuckDBConnection } from '@duckdb/node-api';
import { CalibrationError, type CalibrationChunk } from '../../udfs/index.js';
import { quoteIdentifier } from '../plan/sql-text.js';
import { readChunkColumn } from './arg-columns.js';
import { duckdbError } from './duckdb-error.js';
import { throwIfAborted } from './interruptible.js';

export async function* calibrationRows(
  connection: DuckDBConnection,
  query: string,
  isModelFunction: (name: string) => boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<CalibrationChunk> {
  const sql = query.trim().replace(/;+\s*$/, '');
  const failed = (error: unknown): CalibrationError => {
    const detail = duckdbError(error).detail;
    const called = /Scalar Function with name (\w+) does not exist/.exec(detail)?.[1];
    const hint =
      called !== undefined && isModelFunction(called)
        ? ` (${called} is a model function, which a calibration query cannot call: give the images themselves, e.g. read_blob's content, or a FLOAT[] column of a file)`
        : '';
    return new CalibrationError(`the calibration query fails: ${detail}${hint}`, { cause: error });
  };
  let described;
  try {
    described = await connection.runAndReadAll(`SELECT * FROM (${sql}) LIMIT 0`);
  } catch (error) {
    throw failed(error);
  }
  const names = described.columnNames();
  if (names.length !== 1) {
    throw new CalibrationError(`the calibration query gives ${names.length} columns (${names.join(', ')}); it must give one, the images (FLOAT[] or BLOB)`);
  }
  const type = described.columnTypes()[0]!.toString();
  const kind = type === 'BLOB' ? 'blob' : /^(FLOAT|DOUBLE|DECIMAL.*|U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)(\[\d*\])+$/.test(type) ? 'float-list' : null;
  if (kind === null || /\]\[/.test(type)) {
    throw new CalibrationError(`the calibration query's column ${names[0]} is ${type}; it must be FLOAT[] (224x224 RGB values 0..255, as image_to_tensor gives) or an image BLOB`);
  }
  const column = quoteIdentifier(names[0]!);
  const result = await connection.stream(`SELECT ${column}::${kind === 'blob' ? 'BLOB' : 'FLOAT[]'} FROM (${sql}) AS calibration`).catch((error: unknown) => {
    throw failed(error);
  });
  let firstRow = 0;
  for (;;) {
    throwIfAborted(signal);
    const chunk = await result.fetchChunk().catch((error: unknown) => {
      throw failed(error);
    });
    if (chunk === null || chunk.rowCount === 0) return;
    const read = readChunkColumn(chunk, 0, kind);
    if (read.kind === 'tensor-list') throw new Error('a calibration column read as a tensor list');
    yield { firstRow, column: read };
    firstRow += chunk.rowCount;
  }
}
