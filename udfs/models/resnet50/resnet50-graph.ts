// keras.applications.ResNet50 (v1) as an ONNX graph. The input is NHWC like Keras's, already
// preprocessed ('caffe': BGR minus the ImageNet means); it is transposed to NCHW once. Each BatchNorm
// is folded into the conv before it, in float64, so the graph is conv/relu/add only.

import { attr } from '../../onnx/onnx-attribute.js';
import { OnnxGraphBuilder } from '../../onnx/onnx-graph-builder.js';
import { checkKerasWeights, kerasWeight, type KerasWeights } from '../keras/keras-weights.js';
import {
  blockConvs,
  type ConvBnSpec,
  RESNET50_BN_EPSILON,
  RESNET50_CHANNELS,
  RESNET50_CLASSES,
  RESNET50_DENSE,
  RESNET50_FEATURES,
  RESNET50_IMAGE_SIZE,
  RESNET50_STAGES,
  RESNET50_STEM,
  resnet50LayerSpecs,
} from './resnet50-layout.js';

/** Graph input: float32 [N, 224, 224, 3], preprocessed. */
export const RESNET50_INPUT_NAME = 'input_1';
/** Graph output: float32 [N, 1000], softmax probabilities. */
export const RESNET50_OUTPUT_NAME = 'predictions';
/** Optional second output (buildResnet50Onnx with logits: true): float32 [N, 1000] before the softmax. */
export const RESNET50_LOGITS_NAME = 'predictions_logits';

export interface Resnet50GraphOptions {
  /** Also output the pre-softmax logits, for tests. */
  readonly logits?: boolean;
}

export function buildResnet50Onnx(weights: KerasWeights, options: Resnet50GraphOptions = {}, shared = false): Uint8Array {
  return buildResnet50Graph(weights, options).toBytes({ producerName: 'sqlinfer resnet50', shared });
}

export function buildResnet50Graph(weights: KerasWeights, options: Resnet50GraphOptions = {}): OnnxGraphBuilder {
  checkKerasWeights(weights, resnet50LayerSpecs());
  const g = new OnnxGraphBuilder('resnet50');
  const size = RESNET50_IMAGE_SIZE;
  g.input(RESNET50_INPUT_NAME, 'float32', ['N', size, size, RESNET50_CHANNELS]);
  let x = g.addNode({
    op: 'Transpose',
    inputs: [RESNET50_INPUT_NAME],
    outputs: ['input_nchw'],
    attributes: { perm: attr.ints([0, 3, 1, 2]) },
  });

  // conv1_pad (3) + 7x7/2 'valid' conv == the conv with pads 3: both pad with zeros.
  x = convBn(g, weights, RESNET50_STEM, x, 2, 3);
  x = g.addNode({ op: 'Relu', inputs: [x], outputs: ['conv1_relu'] });
  // pool1_pad pads with zeros, MaxPool's pads with -inf; after a ReLU every window holds a value >= 0, so
  // both give the same maximum.
  x = g.addNode({
    op: 'MaxPool',
    inputs: [x],
    outputs: ['pool1_pool'],
    attributes: { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) },
  });

  let channels = RESNET50_STEM.outChannels;
  for (const stage of RESNET50_STAGES) {
    for (let block = 1; block <= stage.blocks; block++) {
      const prefix = `${stage.name}_block${block}`;
      const stride = block === 1 ? stage.stride : 1;
      const { shortcut, convs } = blockConvs(stage, block, channels);
      const skip = shortcut ? convBn(g, weights, shortcut, x, stride, 0) : x;
      let y = convBn(g, weights, convs[0], x, stride, 0);
      y = g.addNode({ op: 'Relu', inputs: [y], outputs: [`${prefix}_1_relu`] });
      // 3x3 'same' at stride 1: one pixel of zeros on every side.
      y = convBn(g, weights, convs[1], y, 1, 1);
      y = g.addNode({ op: 'Relu', inputs: [y], outputs: [`${prefix}_2_relu`] });
      y = convBn(g, weights, convs[2], y, 1, 0);
      y = g.addNode({ op: 'Add', inputs: [skip, y], outputs: [`${prefix}_add`] });
      x = g.addNode({ op: 'Relu', inputs: [y], outputs: [`${prefix}_out`] });
      channels = 4 * stage.filters;
    }
  }

  x = g.addNode({ op: 'GlobalAveragePool', inputs: [x], outputs: ['avg_pool_nchw'] });
  x = g.addNode({ op: 'Flatten', inputs: [x], outputs: ['avg_pool'], attributes: { axis: attr.int(1) } });
  const kernel = kerasWeight(weights, RESNET50_DENSE.name, 'kernel');
  const bias = kerasWeight(weights, RESNET50_DENSE.name, 'bias');
  g.addInitializer('predictions/kernel', [RESNET50_FEATURES, RESNET50_CLASSES], kernel.data);
  g.addInitializer('predictions/bias', [RESNET50_CLASSES], bias.data);
  x = g.addNode({
    op: 'Gemm',
    inputs: [x, 'predictions/kernel', 'predictions/bias'],
    outputs: [RESNET50_LOGITS_NAME],
    name: 'predictions_dense',
  });
  g.addNode({ op: 'Softmax', inputs: [x], outputs: [RESNET50_OUTPUT_NAME], attributes: { axis: attr.int(1) } });
  g.output(RESNET50_OUTPUT_NAME, 'float32', ['N', RESNET50_CLASSES]);
  if (options.logits) g.output(RESNET50_LOGITS_NAME, 'float32', ['N', RESNET50_CLASSES]);
  return g;
}

/** A Keras Conv2D (HWIO kernel, bias) and the BatchNormalization after it, as one ONNX Conv (OIHW). */
function convBn(
  g: OnnxGraphBuilder,
  weights: KerasWeights,
  spec: ConvBnSpec,
  input: string,
  stride: number,
  pad: number,
): string {
  const { kernel: k, inChannels: cin, outChannels: cout } = spec;
  const kernel = kerasWeight(weights, spec.conv, 'kernel').data;
  const bias = kerasWeight(weights, spec.conv, 'bias').data;
  const gamma = kerasWeight(weights, spec.bn, 'gamma').data;
  const beta = kerasWeight(weights, spec.bn, 'beta').data;
  const mean = kerasWeight(weights, spec.bn, 'moving_mean').data;
  const variance = kerasWeight(weights, spec.bn, 'moving_variance').data;

  const folded = new Float32Array(cout * cin * k * k);
  const foldedBias = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    const scale = (gamma[o] as number) / Math.sqrt((variance[o] as number) + RESNET50_BN_EPSILON);
    foldedBias[o] = ((bias[o] as number) - (mean[o] as number)) * scale + (beta[o] as number);
    for (let i = 0; i < cin; i++) {
      for (let h = 0; h < k; h++) {
        for (let w = 0; w < k; w++) {
          folded[((o * cin + i) * k + h) * k + w] = (kernel[((h * k + w) * cin + i) * cout + o] as number) * scale;
        }
      }
    }
  }
  const wName = g.addInitializer(`${spec.conv}/kernel`, [cout, cin, k, k], folded);
  const bName = g.addInitializer(`${spec.conv}/bias`, [cout], foldedBias);
  return g.addNode({
    op: 'Conv',
    inputs: [input, wName, bName],
    outputs: [spec.bn],
    name: spec.conv,
    attributes: {
      kernel_shape: attr.ints([k, k]),
      strides: attr.ints([stride, stride]),
      pads: attr.ints([pad, pad, pad, pad]),
    },
  });
}
