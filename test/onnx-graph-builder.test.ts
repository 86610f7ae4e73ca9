import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { attr } from '../udfs/onnx/onnx-attribute.js';
import { OnnxGraphBuilder } from '../udfs/onnx/onnx-graph-builder.js';
import { ProtoWriter } from '../udfs/onnx/protobuf-writer.js';

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

test('varints, negative int64 and floats encode as protobuf does', () => {
  assert.deepEqual([...new ProtoWriter().varintField(1, 150).finish()], [0x08, 0x96, 0x01]);
  assert.deepEqual(
    [...new ProtoWriter().varintField(1, -1).finish()],
    [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  );
  assert.deepEqual([...new ProtoWriter().varintField(2, 2 ** 35).finish()], [0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  assert.deepEqual([...new ProtoWriter().floatField(2, 1).finish()], [0x15, 0x00, 0x00, 0x80, 0x3f]);
  assert.deepEqual([...new ProtoWriter().stringField(3, 'ab').finish()], [0x1a, 0x02, 0x61, 0x62]);
});

test('MatMul + Add + Relu with known weights runs on onnxruntime with a dynamic batch', async () => {
  const g = new OnnxGraphBuilder('tiny');
  g.input('x', 'float32', ['N', 3]);
  // W is 3x2, b is 2: y = relu(x W + b)
  const w = Float32Array.from([1, -1, 2, 0.5, -3, 1]);
  const b = Float32Array.from([0.25, -0.5]);
  g.addInitializer('w', [3, 2], w);
  g.addInitializer('b', [2], b);
  g.addNode({ op: 'MatMul', inputs: ['x', 'w'], outputs: ['xw'] });
  g.addNode({ op: 'Add', inputs: ['xw', 'b'], outputs: ['pre'] });
  g.addNode({ op: 'Relu', inputs: ['pre'], outputs: ['y'] });
  g.output('y', 'float32', ['N', 2]);
  const bytes = g.toBytes();

  const x = Float32Array.from([1, 2, 3, -1, 0.5, 4, 0, 0, 0]);
  const rows = 3;
  const out = await run(bytes, { x: new ort.Tensor('float32', x, [rows, 3]) });
  const y = out['y'];
  assert.ok(y);
  assert.deepEqual(y.dims, [rows, 2]);
  const expected: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < 2; c++) {
      let sum = b[c] as number;
      for (let k = 0; k < 3; k++) sum += (x[r * 3 + k] as number) * (w[k * 2 + c] as number);
      expected.push(Math.max(0, sum));
    }
  }
  const got = [...(y.data as Float32Array)];
  got.forEach((v, i) => assert.ok(Math.abs(v - (expected[i] as number)) < 1e-6, `y[${i}] = ${v}, expected ${expected[i]}`));
});

test('int, ints, float and string attributes and int64 initializers reach the runtime', async () => {
  const g = new OnnxGraphBuilder('attrs');
  g.input('x', 'float32', ['N', 2, 3]);
  g.addNode({ op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: attr.ints([0, 2, 1]) } });
  g.addNode({ op: 'LeakyRelu', inputs: ['t'], outputs: ['l'], attributes: { alpha: attr.float(0.5) } });
  g.addInitializer('shape', [2], BigInt64Array.from([-1n, 6n]));
  g.addNode({ op: 'Reshape', inputs: ['l', 'shape'], outputs: ['r'] });
  g.addNode({ op: 'Softmax', inputs: ['r'], outputs: ['s'], attributes: { axis: attr.int(-1) } });
  g.addNode({ op: 'Identity', inputs: ['s'], outputs: ['y'], name: 'copy' });
  g.addInitializer('pads', [4], BigInt64Array.from([0n, 1n, 0n, 1n]));
  g.addNode({ op: 'Pad', inputs: ['r', 'pads'], outputs: ['p'], attributes: { mode: attr.string('reflect') } });
  g.output('y', 'float32', ['N', 6]);
  g.output('p', 'float32', ['N', 8]);
  const x = Float32Array.from([1, -2, 3, -4, 5, -6]);
  const out = await run(g.toBytes({ opsetVersion: 17 }), { x: new ort.Tensor('float32', x, [1, 2, 3]) });
  // transpose -> [1,-4,-2,5,3,-6], leaky 0.5 -> [1,-2,-1,5,3,-3], softmax over 6
  const v = [1, -2, -1, 5, 3, -3];
  const z = v.reduce((a, b) => a + Math.exp(b), 0);
  const got = out['y']?.data as Float32Array;
  v.forEach((e, i) => assert.ok(Math.abs((got[i] as number) - Math.exp(e) / z) < 1e-6, `y[${i}]`));
  assert.deepEqual([...(out['p']?.data as Float32Array)], [-2, 1, -2, -1, 5, 3, -3, 3]);
});

test('a node reading an undefined value, a duplicate name or a wrong initializer size is a clear error', () => {
  const g = new OnnxGraphBuilder('bad');
  g.input('x', 'float32', ['N', 2]);
  assert.throws(() => g.addNode({ op: 'Relu', inputs: ['nope'], outputs: ['y'] }), /node 'y' \(Relu\) reads 'nope'/);
  assert.throws(() => g.addInitializer('x', [1], new Float32Array(1)), /'x' \(initializer\) is already defined/);
  assert.throws(() => g.addInitializer('w', [2, 3], new Float32Array(5)), /dims \[2, 3\] need 6 values, got 5/);
  g.output('z', 'float32', ['N', 2]);
  assert.throws(() => g.toBytes(), /output 'z' is not produced/);
});
