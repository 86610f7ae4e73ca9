// The batcher cuts DuckDB's chunks into batches of the model's size. With balanceEnd (inputs whose chunks
// hold only rows' locations), it holds one to two batches' worth of rows back until the input ends, then
// sends them in even batches of at most a quarter, so the workers finish together; every row still goes
// exactly once, in order, with its key.
import { DuckDBInstance, type DuckDBDataChunk } from '@duckdb/node-api';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ArgBatcher, type ColumnsBatch } from '../engine/exec/arg-columns.js';
import type { PlannedInputColumn } from '../engine/plan/model-plan.js';

let db: DuckDBInstance;
const x: PlannedInputColumn = { sql: 'x', kind: 'tensor-list', element: 'float32', scalar: true };

before(async () => {
  db = await DuckDBInstance.create(':memory:');
});
after(() => db.closeSync());

/** The chunks of `rows` rows (x = row, key = row + 100), as DuckDB streams them. */
async function chunks(rows: number): Promise<DuckDBDataChunk[]> {
  const connection = await db.connect();
  try {
    const result = await connection.stream(`SELECT i::FLOAT AS x, (i + 100)::BIGINT AS k FROM range(${rows}) t(i)`);
    const all: DuckDBDataChunk[] = [];
    for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) all.push(chunk);
    return all;
  } finally {
    connection.closeSync();
  }
}

/** Batch sizes as add() and finish() give them, checking each row comes once, in order, with its key. */
async function cut(rows: number, balanceEnd: boolean): Promise<{ added: number[]; finished: number[] }> {
  const batcher = new ArgBatcher([x], 13, 1, balanceEnd);
  const added: ColumnsBatch[] = [];
  for (const chunk of await chunks(rows)) added.push(...batcher.add(chunk));
  const finished = batcher.finish();
  let next = 0;
  for (const batch of [...added, ...finished]) {
    assert.equal(batch.firstRow, next);
    const column = batch.columns[0]!;
    assert.ok(column.kind === 'tensor-list');
    assert.deepEqual([...column.values], Array.from({ length: batch.rowCount }, (_, r) => next + r));
    assert.deepEqual([...batch.keys], Array.from({ length: batch.rowCount }, (_, r) => BigInt(next + r + 100)));
    next += batch.rowCount;
  }
  assert.equal(next, rows);
  return { added: added.map((b) => b.rowCount), finished: finished.map((b) => b.rowCount) };
}

test('without balanceEnd: whole batches as the rows come, the rest in one last batch', async () => {
  assert.deepEqual(await cut(30, false), { added: [13, 13], finished: [4] });
  assert.deepEqual(await cut(26, false), { added: [13, 13], finished: [] });
  assert.deepEqual(await cut(0, false), { added: [], finished: [] });
});

test('with balanceEnd: a batch of rows or more waits for the end, then goes in even quarter batches', async () => {
  assert.deepEqual(await cut(30, true), { added: [13], finished: [4, 4, 3, 3, 3] });
  assert.deepEqual(await cut(26, true), { added: [13], finished: [4, 3, 3, 3] });
  assert.deepEqual(await cut(5, true), { added: [], finished: [3, 2] });
  // Over several chunks of 2048 rows, only the last rows wait.
  const many = await cut(5000, true);
  assert.equal(many.added.length, Math.floor((5000 - 13) / 13));
  assert.ok(many.added.every((n) => n === 13));
  assert.equal(many.finished.reduce((a, b) => a + b, 0), 5000 - 13 * many.added.length);
  assert.ok(many.finished.every((n) => n <= 4));
});
