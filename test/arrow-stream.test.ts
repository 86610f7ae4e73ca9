// `sqlinfer --arrow-stream` on its own (no Spark): Arrow IPC in on stdin, one result batch per input batch
// out on stdout, in order; every column type a user may pass through; bad input and failures leave a
// stream that no reader takes for a finished one.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  Binary,
  Bool,
  DateDay,
  DateMillisecond,
  Decimal,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  LargeUtf8,
  List,
  makeData,
  makeVector,
  RecordBatch,
  RecordBatchReader,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { arrowStream, readArrowStream, runArrowStream } from './helpers/arrow-stream-cli.js';
import { cliPath, tempDir } from './helpers/cli.js';
import { linear, linearModel } from './helpers/onnx-model-fixtures.js';

let createLinear: string;
before(async () => {
  const dir = tempDir();
  const model = join(dir, 'linear.onnx');
  await writeFile(model, linearModel());
  createLinear = `CREATE MODEL lin FROM '${model}'`;
});

/** A batch of ids and 3-float tensors (row `i` of the whole stream has id i and x = [i, i/2, -i]). */
function tensorBatch(first: number, rows: number): RecordBatch {
  const ids = BigInt64Array.from({ length: rows }, (_, r) => BigInt(first + r));
  const values = Float32Array.from({ length: rows * 3 }, (_, k) => {
    const i = first + Math.floor(k / 3);
    return [i, i / 2, -i][k % 3]!;
  });
  const listType = new List(new Field('item', new Float32(), true));
  const x = makeData({
    type: listType,
    length: rows,
    nullCount: 0,
    valueOffsets: Int32Array.from({ length: rows + 1 }, (_, r) => r * 3),
    child: makeData({ type: new Float32(), length: rows * 3, nullCount: 0, data: values }),
  });
  const schema = new Schema([new Field('id', new Int64(), false), new Field('x', listType, true)]);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children: [makeData({ type: new Int64(), length: rows, nullCount: 0, data: ids }), x] }));
}

test('many batches, some of zero rows: one result batch per input batch, in order, each row its own', async () => {
  const sizes = [3, 0, 1, 17, 0, 0, 64, 2, 5, 0, 9, 31, 1, 4, 0, 8, 13, 2, 6, 11];
  const batches: RecordBatch[] = [];
  let next = 0;
  for (const rows of sizes) {
    batches.push(tensorBatch(next, rows));
    next += rows;
  }
  const run = await runArrowStream(['-c', createLinear, '-c', 'SELECT id, lin(x) AS y FROM batch WHERE id % 5 <> 4'], arrowStream(batches));
  assert.equal(run.code, 0, run.stderr);
  const { batches: results, ended } = readArrowStream(run.stdout);
  assert.ok(ended, 'the stream ends with its end-of-stream marker');
  assert.equal(results.length, sizes.length);
  let id = 0;
  results.forEach((result, b) => {
    const expected: [number, number[]][] = [];
    for (let r = 0; r < sizes[b]!; r++, id++) if (id % 5 !== 4) expected.push([id, linear([id, id / 2, -id])]);
    const got = result.toArray().map((row) => [Number(row.id), [...row.y.toArray()] as number[]] as const);
    assert.equal(got.length, expected.length, `batch ${b}`);
    got.forEach(([gotId, y], r) => {
      assert.equal(gotId, expected[r]![0], `batch ${b} row ${r}`);
      y.forEach((v, j) => assert.ok(Math.abs(v - expected[r]![1][j]!) < 1e-4, `batch ${b} id ${gotId}: ${y} vs ${expected[r]![1]}`));
    });
  });
});

test('no batch at all: the result schema alone, then the end of the stream', async () => {
  const run = await runArrowStream(['-c', createLinear, '-c', 'SELECT id, lin(x) AS y, x FROM batch'], arrowStream([], tensorBatch(0, 0).schema));
  assert.equal(run.code, 0, run.stderr);
  const { schema, batches, ended } = readArrowStream(run.stdout);
  assert.ok(ended);
  assert.equal(batches.length, 0);
  assert.deepEqual(schema.fields.map((f) => `${f.name} ${String(f.type)}`), ['id Int64', 'y List<Float32>', 'x List<Float32>']);
  // One batch of no rows is a batch: it gets its (empty) result batch.
  const one = await runArrowStream(['-c', createLinear, '-c', 'SELECT id, lin(x) AS y FROM batch'], arrowStream([tensorBatch(0, 0)]));
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(readArrowStream(one.stdout).batches.map((b) => b.numRows), [0]);
});

/** A column of `type` from JS values (null for NULL). */
function column(name: string, type: DataType, values: readonly unknown[]): [Field, Vector] {
  return [new Field(name, type, true), (vectorFromArray as (v: unknown[], t: DataType) => Vector)([...values], type)];
}

test('every column type a user may pass through keeps its values and NULLs', async () => {
  const day = 19_000;
  const columns = [
    column('i8', new Int8(), [-128, null, 127]),
    column('i16', new Int16(), [-32768, 7, null]),
    column('i32', new Int32(), [null, -5, 2_147_483_647]),
    column('i64', new Int64(), [-(2n ** 63n), null, 2n ** 62n]),
    column('u8', new Uint8(), [255, 0, null]),
    column('u16', new Uint16(), [65535, null, 1]),
    column('u32', new Uint32(), [null, 4_294_967_295, 3]),
    column('u64', new Uint64(), [2n ** 64n - 1n, 0n, null]),
    column('f32', new Float32(), [1.5, null, -0.25]),
    column('f64', new Float64(), [Math.PI, -1e300, null]),
    column('b', new Bool(), [true, false, null]),
    column('s', new Utf8(), ['héllo', null, '']),
    column('ls', new LargeUtf8(), [null, 'large', 'ünïcode']),
    column('bin', new Binary(), [Uint8Array.from([0, 255, 1]), null, new Uint8Array(0)]),
    column('d', new DateDay(), [day * 86_400_000, null, 0]),
    column('dms', new DateMillisecond(), [day * 86_400_000, 0, null]),
    column('ts_s', new Timestamp(TimeUnit.SECOND), [1_700_000_000_000, null, 0]),
    column('ts_ms', new Timestamp(TimeUnit.MILLISECOND), [1_700_000_000_123, 0, null]),
    column('ts_us', new Timestamp(TimeUnit.MICROSECOND), [null, 1_700_000_000_123, 0]),
    column('ts_ns', new Timestamp(TimeUnit.NANOSECOND), [1_700_000_000_123, null, 0]),
    column('tstz', new Timestamp(TimeUnit.MILLISECOND, 'UTC'), [1_700_000_000_123, null, 0]),
    column('lf', new List(new Field('item', new Float32(), true)), [[1, 2, 3], null, []]),
    column('ld', new List(new Field('item', new Float64(), true)), [[0.5], [1e-300, null], null]),
    column('li', new List(new Field('item', new Int64(), true)), [[1n, 2n ** 60n], [], null]),
    column('fsl', new FixedSizeList(2, new Field('item', new Float32(), true)), [[1, 2], null, [5, 6]]),
  ];
  const schema = new Schema(columns.map(([f]) => f));
  const decimals = decimalColumns();
  const fullSchema = new Schema([...schema.fields, ...decimals.fields]);
  const children = [...columns.map(([, v]) => v.data[0]!), ...decimals.data];
  const batch = new RecordBatch(fullSchema, makeData({ type: new Struct(fullSchema.fields), length: 3, nullCount: 0, children }));
  const run = await runArrowStream(['-c', 'SELECT * FROM batch'], arrowStream([batch, batch.slice(1, 3)]));
  assert.equal(run.code, 0, run.stderr);
  const [out, sliced] = readArrowStream(run.stdout).batches;
  assert.ok(out !== undefined && sliced !== undefined);
  const expectedTypes: Record<string, string> = { dms: 'Date32<DAY>', tstz: 'Timestamp<MICROSECOND, UTC>', fsl: 'List<Float32>' };
  for (const field of fullSchema.fields) {
    const got: Vector = out.getChild(field.name)!;
    assert.equal(String(got.type), expectedTypes[field.name] ?? String(field.type).replace('LargeUtf8', 'Utf8'), field.name);
    const inValues = normalize(batch.getChild(field.name)!);
    assert.deepEqual(normalize(got), inValues, field.name);
    assert.deepEqual(normalize(sliced.getChild(field.name)!), inValues.slice(1), `${field.name} of a sliced batch`);
    for (let r = 0; r < 3; r++) assert.equal(got.isValid(r), batch.getChild(field.name)!.isValid(r), `${field.name} row ${r} NULL`);
  }
});

/** DECIMAL(4,1), (15,3) and (30,4): DuckDB keeps them in 2, 8 and 16 bytes. */
function decimalColumns(): { fields: Field[]; data: ReturnType<typeof makeData>[] } {
  const specs: [string, number, number, bigint[]][] = [
    ['dec4', 4, 1, [-9999n, 0n, 1234n]],
    ['dec15', 15, 3, [999_999_999_999_999n, -1n, 0n]],
    ['dec30', 30, 4, [-(10n ** 29n) + 1n, 10n ** 20n, 5n]],
  ];
  const fields: Field[] = [];
  const data: ReturnType<typeof makeData>[] = [];
  for (const [name, precision, scale, values] of specs) {
    const type = new Decimal(scale, precision, 128);
    const words = new BigUint64Array(values.length * 2);
    values.forEach((v, i) => {
      words[i * 2] = BigInt.asUintN(64, v);
      words[i * 2 + 1] = BigInt.asUintN(64, v >> 64n);
    });
    fields.push(new Field(name, type, true));
    const nullBitmap = Uint8Array.from([0b101]);
    data.push(makeData({ type, length: values.length, nullCount: 1, nullBitmap, data: new Uint32Array(words.buffer) }));
  }
  return { fields, data };
}

/** A column's values, row by row, comparable across input and output: lists, decimals and binaries as plain arrays. */
function normalize(vector: Vector): unknown[] {
  return Array.from({ length: vector.length }, (_, i) => {
    const v: unknown = vector.get(i);
    if (v === null || v === undefined) return null;
    if (ArrayBuffer.isView(v)) return Array.from(v as Uint8Array);
    if (typeof v === 'object' && 'toArray' in v) return Array.from((v as { toArray(): ArrayLike<unknown> }).toArray());
    return v;
  });
}

test('garbage or nothing on stdin: an error on stderr, status 1, nothing on stdout', async () => {
  const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251);
  for (const input of [garbage, new Uint8Array(0), Buffer.from('SELECT 1;\n')]) {
    const run = await runArrowStream(['-c', 'SELECT * FROM batch'], input);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /stdin is not an Arrow IPC stream/);
    assert.equal(run.stdout.length, 0);
  }
});

test('a stream cut inside a batch: the whole batches before it are written, then status 1 and no end marker', async () => {
  const whole = arrowStream([tensorBatch(0, 4), tensorBatch(4, 4), tensorBatch(8, 4)]);
  const run = await runArrowStream(['-c', 'SELECT id FROM batch'], whole.subarray(0, whole.length - 40));
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Arrow record batch 3 cannot be read/);
  const { batches, ended } = readArrowStream(run.stdout);
  assert.equal(ended, false);
  assert.deepEqual(batches.map((b) => b.numRows), [4, 4]);
});

/** Three batches of ids 0-3, 4-6 and 7-8; row 2 of the second (id 5, row 6 of the stream) has 2 values instead of 3. */
function streamWithBadRow(): Uint8Array {
  const bad = tensorBatch(4, 3);
  const x = bad.getChild('x')!.data[0]!;
  const shortRow = makeData({ ...x, type: x.type, valueOffsets: Int32Array.from([0, 3, 5, 8]), child: x.children[0]! });
  const badBatch = new RecordBatch(bad.schema, makeData({ type: new Struct(bad.schema.fields), length: 3, nullCount: 0, children: [bad.getChild('id')!.data[0]!, shortRow] }));
  return arrowStream([tensorBatch(0, 4), badBatch, tensorBatch(7, 2)]);
}

test("a bad row under model_errors = 'fail' ends the stream after the batches before it, naming its batch and row; under 'null' it is NULL", async () => {
  const input = streamWithBadRow();
  // Batch by batch: the first batch's result is written before the second fails.
  const failed = await runArrowStream(['-c', createLinear, '-c', 'SET arrow_group_rows = 1', '-c', 'SELECT id, lin(x) AS y FROM batch'], input);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /lin failed on row 2 of Arrow record batch 2 \(row 6 of the stream\): input 'x' expects 3 values \(rows of shape \[3\]\), found 2/);
  const cut = readArrowStream(failed.stdout);
  assert.equal(cut.ended, false);
  assert.deepEqual(cut.batches.map((b) => b.numRows), [4]);
  // Grouped (the default), with a filter before the model: the row is still named by its place in the stream.
  const grouped = await runArrowStream(['-c', createLinear, '-c', 'SELECT id, lin(x) AS y FROM batch WHERE id <> 1'], input);
  assert.equal(grouped.code, 1);
  assert.match(grouped.stderr, /lin failed on row 2 of Arrow record batch 2 \(row 6 of the stream\)/);
  assert.equal(readArrowStream(grouped.stdout).ended, false);

  const nulls = await runArrowStream(['-c', createLinear, '-c', "SET model_errors = 'null'", '-c', 'SELECT id, lin(x) AS y FROM batch'], input);
  assert.equal(nulls.code, 0, nulls.stderr);
  const { batches } = readArrowStream(nulls.stdout);
  assert.deepEqual(batches.map((b) => b.numRows), [4, 3, 2]);
  assert.equal(batches[1]!.getChild('y')!.isValid(1), false);
  assert.equal(batches[1]!.getChild('y')!.isValid(0), true);
  assert.match(nulls.stderr, /1 of 9 rows failed and gave NULL \(model_errors = 'null'\): row 2 of Arrow record batch 2 \(row 6 of the stream\): input 'x' expects 3 values/);
});

test('consecutive batches run as one statement, up to arrow_group_rows, and come back one result batch per input batch', async () => {
  const sizes = [3, 0, 1, 17, 0, 0, 64, 2, 5, 0, 9];
  const batches: RecordBatch[] = [];
  let next = 0;
  for (const rows of sizes) {
    batches.push(tensorBatch(next, rows));
    next += rows;
  }
  const input = arrowStream(batches);
  // Each statement run over the stream gives one summary line of its failed rows: the first row of each
  // batch is bad (ids 0, 3, 4, 21, 85, 87, 92).
  const statement = 'SELECT id, lin(CASE WHEN id IN (0, 3, 4, 21, 85, 87, 92) THEN [1, 2] ELSE x END) AS y, x[1] AS first FROM batch WHERE id % 7 <> 6';
  const summaries = async (groupRows: number) => {
    // A generous wait: every batch is on stdin from the start, whatever the load of the machine.
    const settings = `SET model_errors = 'null'; SET arrow_group_rows = ${groupRows}; SET arrow_group_wait_ms = 60000`;
    const run = await runArrowStream(['-c', createLinear, '-c', settings, '-c', statement], input);
    assert.equal(run.code, 0, run.stderr);
    const results = readArrowStream(run.stdout).batches.map((b) => b.toArray().map((row) => JSON.stringify([Number(row.id), row.y === null ? null : [...row.y.toArray()], row.first])));
    return { results, lines: run.stderr.split('\n').filter((l) => l.includes('gave NULL')) };
  };
  const alone = await summaries(1);
  const grouped = await summaries(8192);
  const twenty = await summaries(20);
  assert.equal(alone.results.length, sizes.length);
  assert.deepEqual(grouped.results, alone.results);
  assert.deepEqual(twenty.results, alone.results);
  // Batch by batch, each batch with rows is a statement; grouped, all of them are one; by 20 rows, four:
  // [3, 0, 1], [17, 0, 0], [64] (alone, over the budget) and [2, 5, 0, 9].
  assert.equal(alone.lines.length, 7);
  assert.equal(grouped.lines.length, 1);
  assert.match(grouped.lines[0]!, /7 of 87 rows failed .*: row 1 of Arrow record batch 1 \(row 1 of the stream\): .*; row 1 of Arrow record batch 3 \(row 4 of the stream\): .*; 4 more/);
  assert.equal(twenty.lines.length, 4);
});

test('a writer that waits for a result before it sends the next batch gets it: a group does not wait for more than arrow_group_wait_ms', async () => {
  const [first, second] = [tensorBatch(0, 2), tensorBatch(2, 3)];
  const whole = arrowStream([first, second]);
  const head = arrowStream([first]).subarray(0, -8);
  const child = spawn(process.execPath, [cliPath, '--arrow-stream', '-c', createLinear, '-c', 'SELECT id, lin(x) AS y FROM batch'], { cwd: tmpdir(), stdio: ['pipe', 'pipe', 'inherit'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    child.stdin.write(head);
    const results = (await RecordBatchReader.from(child.stdout))[Symbol.asyncIterator]();
    const one = await results.next();
    assert.equal(one.done, false, 'the first result came before the second batch was sent');
    assert.deepEqual((one.value as RecordBatch).toArray().map((r) => Number(r.id)), [0, 1]);
    child.stdin.end(whole.subarray(head.length));
    const two = await results.next();
    assert.deepEqual((two.value as RecordBatch).toArray().map((r) => Number(r.id)), [2, 3, 4]);
    assert.equal((await results.next()).done, true);
  } finally {
    clearTimeout(timer);
    child.kill();
  }
});

test('a statement that is not row-wise (an aggregate, ORDER BY, LIMIT, a window) still sees one batch at a time', async () => {
  const input = arrowStream([tensorBatch(0, 3), tensorBatch(3, 0), tensorBatch(3, 5)]);
  for (const [statement, expected] of [
    ['SELECT count(*) AS n FROM batch', [[3], [0], [5]]],
    ['SELECT max(id) AS n FROM batch', [[2], [null], [7]]],
    ['SELECT id AS n FROM batch ORDER BY id DESC LIMIT 1', [[2], [], [7]]],
    ['SELECT row_number() OVER () AS n FROM batch WHERE id % 2 = 0', [[1, 2], [], [1, 2]]],
  ] as const) {
    const run = await runArrowStream(['-c', statement], input);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readArrowStream(run.stdout).batches.map((b) => b.toArray().map((r) => (r.n === null ? null : Number(r.n)))), expected, statement);
  }
  // Its bad row counts among the rows of its batch, and the error says which batch that is.
  const failed = await runArrowStream(['-c', createLinear, '-c', 'SELECT count(lin(x)) AS n FROM batch'], streamWithBadRow());
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /lin failed on row 2: input 'x' expects 3 values \(rows of shape \[3\]\), found 2 \(in Arrow record batch 2, rows 5 to 7 of the stream\)/);
  assert.deepEqual(readArrowStream(failed.stdout).batches.map((b) => b.numRows), [1]);
});

test('a column type batch cannot hold, a result type the output cannot carry, and a last -c that is not one statement are errors naming them', async () => {
  const struct = new Struct([new Field('a', new Int32(), true)]);
  const schema = new Schema([new Field('st', struct, true)]);
  const v = makeVector(makeData({ type: struct, length: 1, nullCount: 0, children: [makeData({ type: new Int32(), length: 1, nullCount: 0, data: Int32Array.from([1]) })] }));
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 1, nullCount: 0, children: [v.data[0]!] }));
  const run = await runArrowStream(['-c', 'SELECT * FROM batch'], arrowStream([batch]));
  assert.equal(run.code, 1);
  assert.match(run.stderr, /column 'st' of the Arrow input has type Struct<\{a:Int32\}>, which batch cannot hold/);
  assert.equal(run.stdout.length, 0);
  const interval = await runArrowStream(['-c', "SELECT id, INTERVAL 1 DAY AS wait FROM batch"], arrowStream([tensorBatch(0, 2)]));
  assert.equal(interval.code, 1);
  assert.match(interval.stderr, /result column 'wait' has type INTERVAL, which the Arrow output does not carry; cast it in the statement/);
  assert.equal(interval.stdout.length, 0);
  const two = await runArrowStream(['-c', 'SELECT 1 FROM batch; SELECT 2 FROM batch'], arrowStream([tensorBatch(0, 1)]));
  assert.equal(two.code, 1);
  assert.match(two.stderr, /the statement to run over each batch as its last -c/);
});
