import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { RangeCalibration } from '../udfs/models/resnet50/calibration.js';
import { chooseInt8KernelForm } from '../udfs/models/resnet50/int8-kernel-form.js';
import { activationsToQuantize, buildResnet50Qdq, type ActivationRanges } from '../udfs/models/resnet50/quantize-qdq.js';
import { randomResnet50Weights } from '../udfs/models/resnet50/random-weights.js';
import { buildResnet50Graph } from '../udfs/models/resnet50/resnet50-graph.js';
import { tempDir } from './helpers/cli.js';
import { onnxOpTypes } from './helpers/onnx-op-types.js';
import { photoTensors } from './helpers/photo-weights.js';

const weights = randomResnet50Weights();

let ranges: ActivationRanges | null = null;
async function calibratedRanges(): Promise<ActivationRanges> {
  if (ranges !== null) return ranges;
  const calibration = await RangeCalibration.open(weights);
  try {
    await calibration.add((await photoTensors(['whole'])).slice(0, 2));
    ranges = calibration.result();
  } finally {
    await calibration.close();
  }
  return ranges;
}

/** Op types of the model after onnxruntime's optimizations, as its sessions run it. */
async function optimizedOps(onnx: Uint8Array): Promise<Map<string, number>> {
  const path = join(tempDir('sqlinfer-int8-graph-'), 'optimized.onnx');
  const session = await ort.InferenceSession.create(onnx, { graphOptimizationLevel: 'all', optimizedModelFilePath: path, logSeverityLevel: 3 });
  await session.release();
  return onnxOpTypes(path);
}

for (const form of ['symmetric', 'zero-point'] as const) {
  test(`the ${form} QDQ graph fuses: every Conv becomes a QLinearConv, every Add a QLinearAdd, no Relu is left`, async () => {
    const ops = await optimizedOps(buildResnet50Qdq(weights, await calibratedRanges(), form));
    assert.equal(ops.get('Conv'), undefined, `no Conv left unfused: ${JSON.stringify([...ops])}`);
    assert.equal(ops.get('QLinearConv'), 53);
    assert.equal(ops.get('QLinearAdd'), 16);
    assert.equal(ops.get('Relu'), undefined);
    assert.equal(ops.get('Add'), undefined);
    // One quantization of the input, one dequantization before the fp32 classifier.
    assert.equal(ops.get('QuantizeLinear'), 1);
    assert.equal(ops.get('DequantizeLinear'), 1);
  });
}

test('the activations quantized are every Conv input, the Add inputs, and the Relu outputs (a Relu-only output is not)', () => {
  const names = activationsToQuantize(buildResnet50Graph(weights).parts().nodes);
  assert.ok(names.includes('input_nchw'), 'the first conv reads the transposed input');
  assert.ok(names.includes('conv1_relu'));
  assert.ok(names.includes('pool1_pool'));
  assert.ok(names.includes('conv2_block1_0_bn'), 'the shortcut conv feeds an Add');
  assert.ok(names.includes('conv2_block1_3_bn'), 'the last conv of a block feeds an Add');
  assert.ok(!names.includes('conv2_block1_1_bn'), 'a conv read only by a Relu: the Relu output is quantized instead');
  assert.ok(!names.includes('conv2_block1_add'), 'an Add read only by a Relu');
  assert.equal(names.length, 3 + 16 * 4 + 4, 'input, conv1 relu, pool; per block two relus, the last conv and the out; 4 shortcuts');
});

test('a missing calibrated range is an error naming the activation', () => {
  assert.throws(() => buildResnet50Qdq(weights, {}, 'symmetric'), /no calibrated range for the activation 'input_nchw'/);
});

test('the weight form follows the CPU: AMX-INT8 -> zero point, VNNI -> symmetric, neither -> a warning', () => {
  assert.equal(chooseInt8KernelForm(new Set(['avx512f', 'amx_int8', 'avx512_vnni'])).form, 'zero-point');
  const vnni = chooseInt8KernelForm(new Set(['avx512f', 'avx512_vnni']));
  assert.equal(vnni.form, 'symmetric');
  assert.match(vnni.reason, /AVX512-VNNI/);
  assert.equal(vnni.warning, undefined);
  assert.equal(chooseInt8KernelForm(new Set(['avx_vnni'])).form, 'symmetric');
  assert.match(chooseInt8KernelForm(new Set(['avx2'])).warning ?? '', /int8 will not run faster than fp32/);
  assert.match(chooseInt8KernelForm(null).warning ?? '', /cannot be read/);
});
