// npm run bench:arrow-stream [-- --rows 256 --width 150528 --batches 256,16,1 --repeat 3 --before /path/to/old/dist/shell/main.js]
// `sqlinfer --arrow-stream` over ROWS rows of WIDTH floats (ResNet-50's 150528 by default) through a model
// that costs next to nothing (one MatMul to one value), so what is timed is the stream's own work: per row
// (one batch of all rows, less a run over no batch) and per statement (the same rows cut into smaller
// batches). With --before, an older build runs the same streams in the same run: compare ratios only, the
// machine is shared and noisy.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Field, Float32, Int64, List, makeData, RecordBatch, RecordBatchStreamWriter, Schema, Struct } from 'apache-arrow';
import { OnnxGraphBuilder } from '../udfs/onnx/onnx-graph-builder.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '256' },
    width: { type: 'string', default: '150528' },
    batches: { type: 'string', default: '256,16,1' },
    repeat: { type: 'string', default: '3' },
    before: { type: 'string' },
  },
});
const rows = Number(values.rows);
const width = Number(values.width);
const batchSizes = values.batches.split(',').map(Number);
const repeat = Number(values.repeat);
const after = fileURLToPath(new URL('../shell/main.js', import.meta.url));
const builds: [string, string][] = [['this build', after], ...(values.before === undefined ? [] : [['before', values.before] as [string, string]])];

const dir = await mkdtemp(join(tmpdir(), 'sqlinfer-arrow-bench-'));
const model = join(dir, 'sum.onnx');
const g = new OnnxGraphBuilder('sum');
g.input('x', 'float32', ['N', width]);
g.addInitializer('w', [width, 1], new Float32Array(width).fill(1 / width));
g.addNode({ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] });
g.output('y', 'float32', ['N', 1]);
await writeFile(model, g.toBytes());

const listType = new List(new Field('item', new Float32(), true));
const schema = new Schema([new Field('id', new Int64(), false), new Field('x', listType, true)]);
const values32 = Float32Array.from({ length: rows * width }, (_, k) => (k % 251) / 251);

/** The rows cut into batches of `size` rows, as one Arrow IPC stream file. */
async function streamFile(size: number): Promise<string> {
  const writer = new RecordBatchStreamWriter().reset(undefined, schema);
  for (let first = 0; first < rows && size > 0; first += size) {
    const n = Math.min(size, rows - first);
    const x = makeData({
      type: listType,
      length: n,
      nullCount: 0,
      valueOffsets: Int32Array.from({ length: n + 1 }, (_, r) => r * width),
      child: makeData({ type: new Float32(), length: n * width, nullCount: 0, data: values32.subarray(first * width, (first + n) * width) }),
    });
    const ids = makeData({ type: new Int64(), length: n, nullCount: 0, data: BigInt64Array.from({ length: n }, (_, r) => BigInt(first + r)) });
    writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children: [ids, x] })));
  }
  writer.finish();
  const path = join(dir, `rows-${size}.arrows`);
  await writeFile(path, writer.toUint8Array(true));
  return path;
}

function timed(main: string, input: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const args = [main, '--arrow-stream', '-c', `CREATE MODEL m FROM '${model}'`, '-c', 'SELECT id, m(x) AS y FROM batch'];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'ignore', 'inherit'] });
    createReadStream(input).pipe(child.stdin);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${main} exited with ${code}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const inputs = new Map<number, string>([[0, await streamFile(0)]]);
for (const size of batchSizes) inputs.set(size, await streamFile(size));
const times = new Map<string, number[]>();
// Interleaved, so that a busy moment of the machine falls on every build alike.
for (let i = 0; i < repeat; i++) {
  for (const [size, input] of inputs) {
    for (const [name, main] of builds) times.set(`${name}/${size}`, [...(times.get(`${name}/${size}`) ?? []), await timed(main, input)]);
  }
}
console.log(`${rows} rows of ${width} floats, model: one MatMul; median of ${repeat} runs, each with process start and model load`);
for (const [name] of builds) {
  const at = (size: number) => median(times.get(`${name}/${size}`)!);
  const none = at(0);
  const whole = Math.max(...batchSizes);
  const perRow = (at(whole) - none) / rows;
  const parts = [`${name}: no batch ${none.toFixed(0)} ms; per row ${perRow.toFixed(2)} ms (one batch of ${whole})`];
  for (const size of batchSizes) {
    if (size === whole) continue;
    const statements = Math.ceil(rows / size);
    parts.push(`${statements} batches of ${size}: ${at(size).toFixed(0)} ms, ${((at(size) - at(whole)) / (statements - 1)).toFixed(1)} ms more per batch`);
  }
  console.log(parts.join('; '));
}
