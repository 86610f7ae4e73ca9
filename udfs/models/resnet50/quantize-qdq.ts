// ResNet-50 in QDQ form, derived from the fp32 graph: QuantizeLinear/DequantizeLinear pairs on the
// activations (uint8, ranges from calibration), int8 weights per output channel and int32 biases, so that
// onnxruntime's QDQ transformer fuses every Conv into QLinearConv (and Add into QLinearAdd) and runs them
// on the CPU's int8 units. The classifier (Gemm, Softmax) stays fp32: it is 0.1% of the arithmetic.
//
// Where the pairs go follows what onnxruntime fuses: a Conv or Add output read only by a Relu is not
// quantized itself, the Relu's output is (with zero point 0, so onnxruntime drops the Relu into the
// quantization); MaxPool keeps its input's scale, so it runs on uint8 directly.

import { attr } from '../../onnx/onnx-attribute.js';
import { OnnxGraphBuilder, type OnnxNodeSpec } from '../../onnx/onnx-graph-builder.js';
import type { KerasWeights } from '../keras/keras-weights.js';
import { buildResnet50Graph } from './resnet50-graph.js';

/**
 * The weights' form, chosen for the CPU: 'symmetric' (zero point 0) takes MLAS's symmetric int8 path,
 * fastest with AVX512-VNNI or AVX-VNNI; 'zero-point' (every zero point -1, the same representable values
 * shifted) takes MLAS's general int8 GEMM, which runs on AMX-INT8 where the CPU has it.
 */
export type Int8KernelForm = 'symmetric' | 'zero-point';

/** Calibrated [min, max] of each quantized activation, by value name (JSON-friendly: it is stored). */
export type ActivationRanges = Readonly<Record<string, readonly [number, number]>>;

const UINT8_MAX = 255;
const INT8_LIMIT = 127;
const INT32_LIMIT = 2 ** 31 - 1;

/** The activations that get a QuantizeLinear/DequantizeLinear pair (their ranges must be calibrated). */
export function activationsToQuantize(nodes: readonly OnnxNodeSpec[]): string[] {
  const consumers = new Map<string, OnnxNodeSpec[]>();
  for (const node of nodes) for (const input of node.inputs) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  const values = new Set<string>();
  for (const node of nodes) {
    if (node.op === 'Conv' || node.op === 'MaxPool') values.add(node.inputs[0]!);
    if (node.op === 'Add') node.inputs.forEach((i) => values.add(i));
    if (['Conv', 'Add', 'MaxPool', 'Relu'].includes(node.op)) values.add(node.outputs[0]!);
  }
  const producer = new Map(nodes.map((n) => [n.outputs[0]!, n]));
  return [...values].filter((v) => {
    const op = producer.get(v)?.op;
    const readOnlyByRelu = (consumers.get(v) ?? []).every((c) => c.op === 'Relu');
    return !((op === 'Conv' || op === 'Add') && readOnlyByRelu);
  });
}

/** The QDQ model's bytes: input and output as buildResnet50Onnx's. */
export function buildResnet50Qdq(weights: KerasWeights, ranges: ActivationRanges, form: Int8KernelForm): Uint8Array {
  const fp32 = buildResnet50Graph(weights).parts();
  const g = new OnnxGraphBuilder('resnet50_int8');
  for (const input of fp32.inputs) g.input(input.name, input.elemType, input.dims);
  const initializers = new Map(fp32.initializers.map((i) => [i.name, i]));
  const convParams = new Set(fp32.nodes.filter((n) => n.op === 'Conv').flatMap((n) => n.inputs.slice(1)));
  for (const init of fp32.initializers) if (!convParams.has(init.name)) g.addInitializer(init.name, init.dims, init.data);

  const quantized = new Set(activationsToQuantize(fp32.nodes));
  /** Each quantized value's dequantized name, and its scale (initializer names and value). */
  const dequantized = new Map<string, string>();
  const params = new Map<string, QuantParams>();
  for (const node of fp32.nodes) {
    const inputs = node.inputs.map((i) => dequantized.get(i) ?? i);
    if (node.op === 'Conv') {
      const input = params.get(node.inputs[0]!);
      if (input === undefined) throw new Error(`Conv '${node.name}' reads '${node.inputs[0]}', which is not quantized`);
      const kernel = initializers.get(node.inputs[1]!)!;
      const bias = initializers.get(node.inputs[2]!)!;
      const weights = quantizeWeights(g, kernel.name, kernel.dims, kernel.data as Float32Array, form);
      inputs[1] = weights.name;
      inputs[2] = quantizeBias(g, bias.name, bias.data as Float32Array, input.scale, weights.scales);
    }
    g.addNode({ ...node, inputs });
    const output = node.outputs[0]!;
    if (!quantized.has(output)) continue;
    // MaxPool keeps its input's scale and zero point (the same initializers), so onnxruntime drops its pair.
    const p = node.op === 'MaxPool' ? params.get(node.inputs[0]!)! : activationParams(g, output, ranges[output]);
    params.set(output, p);
    const q = g.addNode({ op: 'QuantizeLinear', inputs: [output, p.scaleName, p.zeroPointName], outputs: [`${output}/quantized`] });
    dequantized.set(output, g.addNode({ op: 'DequantizeLinear', inputs: [q, p.scaleName, p.zeroPointName], outputs: [`${output}/dequantized`] }));
  }
  for (const output of fp32.outputs) g.output(output.name, output.elemType, output.dims);
  return g.toBytes({ producerName: 'sqlinfer resnet50 int8' });
}

interface QuantParams {
  readonly scale: number;
  readonly scaleName: string;
  readonly zeroPointName: string;
}

/** uint8 over the range widened to hold 0 (exactly representable, as padding and ReLU need). */
function activationParams(g: OnnxGraphBuilder, name: string, range: readonly [number, number] | undefined): QuantParams {
  if (range === undefined) throw new Error(`no calibrated range for the activation '${name}'`);
  const lo = Math.min(range[0], 0);
  const hi = Math.max(range[1], 0);
  const scale = hi > lo ? (hi - lo) / UINT8_MAX : 1;
  const zeroPoint = Math.min(UINT8_MAX, Math.max(0, Math.round(-lo / scale)));
  return {
    scale,
    scaleName: g.addInitializer(`${name}/scale`, [], Float32Array.of(scale)),
    zeroPointName: g.addInitializer(`${name}/zero_point`, [], Uint8Array.of(zeroPoint)),
  };
}

/** Per output channel (axis 0 of OIHW): scale max|w|/127; the zero point 0, or -1 in the zero-point form. */
function quantizeWeights(g: OnnxGraphBuilder, name: string, dims: readonly number[], w: Float32Array, form: Int8KernelForm): { name: string; scales: Float32Array } {
  const channels = dims[0]!;
  const perChannel = w.length / channels;
  const zeroPoint = form === 'symmetric' ? 0 : -1;
  const scales = weightScales(w, channels);
  const q = new Int8Array(w.length);
  for (let c = 0; c < channels; c++) {
    const s = scales[c]!;
    for (let i = c * perChannel; i < (c + 1) * perChannel; i++) {
      q[i] = Math.min(INT8_LIMIT, Math.max(-INT8_LIMIT, Math.round(w[i]! / s))) + zeroPoint;
    }
  }
  const values = g.addInitializer(`${name}/quantized`, dims, q);
  const scale = g.addInitializer(`${name}/scale`, [channels], scales);
  const zp = g.addInitializer(`${name}/zero_point`, [channels], new Int8Array(channels).fill(zeroPoint));
  const dequantized = g.addNode({ op: 'DequantizeLinear', inputs: [values, scale, zp], outputs: [`${name}/dequantized`], attributes: { axis: attr.int(0) } });
  return { name: dequantized, scales };
}

/** int32 with scale input scale x weight scale, as QLinearConv adds it to its int32 accumulator. */
function quantizeBias(g: OnnxGraphBuilder, name: string, bias: Float32Array, inputScale: number, weightScale: Float32Array): string {
  const channels = bias.length;
  const scales = weightScale.map((s) => s * inputScale);
  const q = new Int32Array(channels);
  for (let c = 0; c < channels; c++) q[c] = Math.min(INT32_LIMIT, Math.max(-INT32_LIMIT, Math.round(bias[c]! / scales[c]!)));
  const values = g.addInitializer(`${name}/quantized`, [channels], q);
  const scale = g.addInitializer(`${name}/scale`, [channels], scales);
  const zp = g.addInitializer(`${name}/zero_point`, [channels], new Int32Array(channels));
  return g.addNode({ op: 'DequantizeLinear', inputs: [values, scale, zp], outputs: [`${name}/dequantized`], attributes: { axis: attr.int(0) } });
}

function weightScales(w: Float32Array, channels: number): Float32Array {
  const perChannel = w.length / channels;
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let max = 0;
    for (let i = c * perChannel; i < (c + 1) * perChannel; i++) max = Math.max(max, Math.abs(w[i]!));
    // An all-zero channel stays zero at any scale; 1 keeps the bias's scale finite.
    scales[c] = max > 0 ? max / INT8_LIMIT : 1;
  }
  return scales;
}
