// List arguments of the Arrow batch read late: DuckDB's input reads only each row's position, the model's
// batch is packed from the Arrow child buffer. The results must be those of DuckDB's own read (the column
// also selected, so the relation is staged whole), bit for bit: element conversions, NULL tensors, NULL
// elements, bad-length rows under model_errors, guards, subqueries and CTEs.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Field, FixedSizeList, Float32, Float64, Int16, Int32, Int64, List, makeData, RecordBatch, Schema, Struct, Uint64, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import { arrowStream, readArrowStream, runArrowStream } from './helpers/arrow-stream-cli.js';
import { tempDir } from './helpers/cli.js';
import { linearModel } from './helpers/onnx-model-fixtures.js';

let createLinear: string;
before(async () => {
  const model = join(tempDir(), 'linear.onnx');
  await writeFile(model, linearModel());
  createLinear = `CREATE MODEL lin FROM '${model}'`;
});

function listOf(element: DataType): List {
  return new List(new Field('item', element, true));
}

/** A batch of `rows` rows: row i has id first + i and, in each list column, 3 values from i (some rows NULL, short, or with a NULL element). */
function mixedBatch(first: number, rows: number): RecordBatch {
  const row = (i: number, scale: number): (number | null)[] | null => {
    const id = first + i;
    if (id % 7 === 3) return null;
    if (id % 11 === 5) return [id * scale, 1];
    if (id % 13 === 6) return [id * scale, null, -id];
    return [id * scale, id / 3, -id * scale];
  };
  const columns: [string, DataType, unknown[]][] = [
    ['f32', listOf(new Float32()), Array.from({ length: rows }, (_, i) => row(i, 1))],
    ['f64', listOf(new Float64()), Array.from({ length: rows }, (_, i) => row(i, 1.0000001))],
    ['i32', listOf(new Int32()), Array.from({ length: rows }, (_, i) => row(i, 1)?.map((v) => (v === null ? null : Math.round(v))) ?? null)],
    ['i16', listOf(new Int16()), Array.from({ length: rows }, (_, i) => row(i, 2)?.map((v) => (v === null ? null : Math.round(v))) ?? null)],
    ['fsl', new FixedSizeList(3, new Field('item', new Float32(), true)), Array.from({ length: rows }, (_, i) => (first + i) % 7 === 3 ? null : [first + i, 0.5, -(first + i)])],
  ];
  const ids = makeData({ type: new Int64(), length: rows, nullCount: 0, data: BigInt64Array.from({ length: rows }, (_, i) => BigInt(first + i)) });
  const vectors = columns.map(([, type, values]) => (vectorFromArray as (v: unknown[], t: DataType) => Vector)(values, type));
  const schema = new Schema([new Field('id', new Int64(), false), ...columns.map(([name, type]) => new Field(name, type, true))]);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children: [ids, ...vectors.map((v) => v.data[0]!)] }));
}

async function explain(statement: string, input: Uint8Array): Promise<string[]> {
  const run = await runArrowStream(['-c', createLinear, '-c', `EXPLAIN ${statement}`], input);
  assert.equal(run.code, 0, run.stderr);
  return readArrowStream(run.stdout).batches[0]!.toArray().filter((r) => String(r.stage).startsWith('argument')).map((r) => String(r.detail));
}

test('EXPLAIN: a bare list column of batch, directly or through a subquery or CTE, is read from the Arrow buffers; anything else by DuckDB', async () => {
  const input = arrowStream([mixedBatch(0, 4)]);
  assert.deepEqual(await explain('SELECT id, lin(f32) AS y FROM batch', input), ["f32: read from the Arrow batch's buffers (column f32)"]);
  assert.deepEqual(await explain('SELECT id, lin(F64) AS y FROM batch b WHERE id > 1', input), ["F64: read from the Arrow batch's buffers (column f64)"]);
  assert.deepEqual(await explain('SELECT id, lin(x) AS y FROM (SELECT id, fsl AS x FROM batch)', input), ["x: read from the Arrow batch's buffers (column fsl)"]);
  assert.deepEqual(await explain('WITH t AS (SELECT * FROM batch) SELECT id, lin(i32) AS y FROM t', input), ["i32: read from the Arrow batch's buffers (column i32)"]);
  // Named by position, t.f32 is the batch's f64.
  for (const from of ['batch AS t(id, f64, f32)', '(SELECT * FROM batch) AS t(id, f64, f32)']) {
    assert.deepEqual(await explain(`SELECT id, lin(f32) AS y FROM ${from}`, input), ['f32: read by DuckDB: the relation renames its columns']);
  }
  const [selected] = await explain('SELECT id, lin(f32) AS y, f32 FROM batch', input);
  assert.match(selected!, /^f32: read by DuckDB: the relation is copied whole/);
  const [expression] = await explain('SELECT id, lin(list_reverse(f32)) AS y FROM batch', input);
  assert.match(expression!, /read by DuckDB: the argument is an expression/);
  const [shadowed] = await explain('WITH batch AS (SELECT id, f32 FROM read_parquet([])) SELECT lin(f32) FROM batch', input).catch(() => ['(no plan)']);
  assert.doesNotMatch(shadowed!, /Arrow/);
});

test("results read late equal DuckDB's read, bit for bit, with NULL tensors, NULL elements, bad-length rows and guards", async () => {
  const input = arrowStream([mixedBatch(0, 40), mixedBatch(40, 0), mixedBatch(40, 90), mixedBatch(130, 1)]);
  const calls = "lin(f32) AS a, lin(f64) AS b, lin(i32) AS c, lin(i16) AS d, lin(fsl) AS e, CASE WHEN id % 2 = 0 THEN lin(f32) END AS g";
  const settings = ['-c', createLinear, '-c', "SET model_errors = 'null'", '-c', 'SET model_batch_size = 16'];
  const late = await runArrowStream([...settings, '-c', `SELECT id, ${calls} FROM batch`], input);
  assert.equal(late.code, 0, late.stderr);
  // Also selected, the columns are staged whole and the model reads DuckDB's values: today's path.
  const duckdb = await runArrowStream([...settings, '-c', `SELECT id, ${calls}, f32, f64, i32, i16, fsl FROM batch`], input);
  assert.equal(duckdb.code, 0, duckdb.stderr);
  const got = readArrowStream(late.stdout).batches;
  const expected = readArrowStream(duckdb.stdout).batches;
  assert.deepEqual(got.map((b) => b.numRows), [40, 0, 90, 1]);
  assert.deepEqual(expected.map((b) => b.numRows), [40, 0, 90, 1]);
  let nulls = 0;
  got.forEach((batch, b) => {
    for (const name of ['id', 'a', 'b', 'c', 'd', 'e', 'g']) {
      const values = (v: Vector) => Array.from({ length: v.length }, (_, i) => (v.isValid(i) ? JSON.stringify(Array.from(v.get(i).toArray?.() ?? [v.get(i)]), (_k, x) => (typeof x === 'bigint' ? String(x) : Object.is(x, NaN) ? 'NaN' : x)) : null));
      const gotValues = values(batch.getChild(name)!);
      assert.deepEqual(gotValues, values(expected[b]!.getChild(name)!), `batch ${b + 1} column ${name}`);
      nulls += gotValues.filter((v) => v === null).length;
    }
  });
  assert.ok(nulls > 20, 'the rows include NULL tensors and bad-length rows');
});

test('an element the model type cannot hold fails like DuckDB\'s cast; an element DuckDB converts itself stays with DuckDB', async () => {
  const values = vectorFromArray([[1, 2, 3], [1e300, 0, 0]], listOf(new Float64()));
  const schema = new Schema([new Field('x', values.type, true)]);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 2, nullCount: 0, children: [values.data[0]!] }));
  const run = await runArrowStream(['-c', createLinear, '-c', 'SELECT lin(x) AS y FROM batch'], arrowStream([batch]));
  assert.equal(run.code, 1);
  assert.match(run.stderr, /lin could not read its input: column x, row 2 of Arrow record batch 1 \(row 2 of the stream\): Type DOUBLE with value 1e\+300 can't be cast because the value is out of range for the destination type FLOAT/);
  const u64 = vectorFromArray([[1n, 2n, 3n]], listOf(new Uint64()));
  const unsigned = new RecordBatch(new Schema([new Field('x', u64.type, true)]), makeData({ type: new Struct([new Field('x', u64.type, true)]), length: 1, nullCount: 0, children: [u64.data[0]!] }));
  assert.deepEqual(await explain('SELECT lin(x) FROM batch', arrowStream([unsigned])), ['x: read by DuckDB: its uint64 elements are converted to float32 by DuckDB']);
});
