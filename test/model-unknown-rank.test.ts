// An ONNX input that declares no shape (unknown rank): onnxruntime reports it as shape [], like a scalar.
// CREATE MODEL tells the user to give input_shape (not that the input is a single value), and with it
// the model runs, through the real sqlinfer binary.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OnnxGraphBuilder } from '../udfs/onnx/onnx-graph-builder.js';
import { onnxUnshapedValues } from '../udfs/onnx/onnx-unshaped-values.js';
import { runCli, tempDir } from './helpers/cli.js';

/** y = 2 x for x of any shape; `shape` null leaves x's and y's shapes out of the file. */
function doubler(shape: readonly (number | string)[] | null): Uint8Array {
  const g = new OnnxGraphBuilder('doubler');
  g.input('x', 'float32', shape);
  g.addInitializer('two', [1], Float32Array.from([2]));
  g.addNode({ op: 'Mul', inputs: ['x', 'two'], outputs: ['y'] });
  g.output('y', 'float32', shape);
  return g.toBytes();
}

const dir = tempDir('sqlinfer-unknown-rank-');
const anyRank = join(dir, 'any_rank.onnx');
writeFileSync(anyRank, doubler(null));
const scalar = join(dir, 'scalar.onnx');
writeFileSync(scalar, doubler([]));

test('the file tells an input of unknown rank from a scalar one', () => {
  assert.deepEqual([...onnxUnshapedValues(doubler(null))].sort(), ['x', 'y']);
  assert.deepEqual([...onnxUnshapedValues(doubler([]))], []);
  assert.deepEqual([...onnxUnshapedValues(doubler(['N', 3]))], []);
});

test('CREATE MODEL on an input of unknown rank says to give input_shape', async () => {
  const run = await runCli(['-c', `CREATE MODEL doubler FROM '${anyRank}'`]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /input 'x' declares no shape, not even how many dimensions it has: give the shape of one row \(without the batch dimension\) with WITH \(input_shape => '\[3, 224, 224\]'\)/);
});

test('with input_shape, a model of unknown input rank runs on rows of that shape', async () => {
  const run = await runCli([
    '-c',
    `CREATE MODEL doubler FROM '${anyRank}' WITH (input_shape => '[2, 3]'); DESCRIBE MODEL doubler`,
    '-c',
    'SELECT doubler([i, 1, 2, 3, 4, 5]) AS y FROM range(2) t(i) ORDER BY i',
    '--format',
    'csv',
  ]);
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);
  assert.match(run.stdout, /input x,float32 unknown rank/);
  assert.match(run.stdout, /y\n"?\[0\.0, 2\.0, 4\.0, 6\.0, 8\.0, 10\.0\]"?\n"?\[2\.0, 2\.0, 4\.0, 6\.0, 8\.0, 10\.0\]"?\n/);
});

test('an input declared as a single value still says so', async () => {
  const run = await runCli(['-c', `CREATE MODEL doubler FROM '${scalar}'`]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /input 'x' is a single value without a batch dimension/);
});
