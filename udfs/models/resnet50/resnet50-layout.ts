// keras.applications.ResNet50 (v1), include_top=True: its stages, layer names and weight shapes. The
// graph builder, the weights reader and the random weights all follow this one description.

import type { KerasLayerSpec } from '../keras/keras-weights.js';

export const RESNET50_IMAGE_SIZE = 224;
export const RESNET50_CHANNELS = 3;
export const RESNET50_CLASSES = 1000;
export const RESNET50_FEATURES = 2048;
export const RESNET50_BN_EPSILON = 1.001e-5;

export const RESNET50_WEIGHTS_FILE = 'resnet50_weights_tf_dim_ordering_tf_kernels.h5';

export interface ResnetStage {
  readonly name: string;
  /** Bottleneck width; the block's output has 4x this many channels. */
  readonly filters: number;
  readonly blocks: number;
  /** Stride of block1's shortcut conv and first 1x1 conv (v1 puts the stride there, not on the 3x3). */
  readonly stride: number;
}

export const RESNET50_STAGES: readonly ResnetStage[] = [
  { name: 'conv2', filters: 64, blocks: 3, stride: 1 },
  { name: 'conv3', filters: 128, blocks: 4, stride: 2 },
  { name: 'conv4', filters: 256, blocks: 6, stride: 2 },
  { name: 'conv5', filters: 512, blocks: 3, stride: 2 },
];

/** One Conv2D (with bias) followed by its BatchNormalization, as Keras names them. */
export interface ConvBnSpec {
  readonly conv: string;
  readonly bn: string;
  readonly kernel: number;
  readonly inChannels: number;
  readonly outChannels: number;
}

function convLayer(c: ConvBnSpec): KerasLayerSpec {
  return {
    name: c.conv,
    weights: [
      { name: 'kernel', shape: [c.kernel, c.kernel, c.inChannels, c.outChannels] },
      { name: 'bias', shape: [c.outChannels] },
    ],
  };
}

function bnLayer(c: ConvBnSpec): KerasLayerSpec {
  const shape = [c.outChannels];
  return {
    name: c.bn,
    weights: [
      { name: 'gamma', shape },
      { name: 'beta', shape },
      { name: 'moving_mean', shape },
      { name: 'moving_variance', shape },
    ],
  };
}

export const RESNET50_STEM: ConvBnSpec = { conv: 'conv1_conv', bn: 'conv1_bn', kernel: 7, inChannels: 3, outChannels: 64 };

/** The conv+BN pairs of one block: `_0` (block1's shortcut, else absent), `_1` 1x1, `_2` 3x3, `_3` 1x1. */
export function blockConvs(stage: ResnetStage, block: number, inChannels: number): {
  readonly shortcut: ConvBnSpec | null;
  readonly convs: readonly [ConvBnSpec, ConvBnSpec, ConvBnSpec];
} {
  const prefix = `${stage.name}_block${block}`;
  const f = stage.filters;
  const spec = (i: number, kernel: number, inC: number, outC: number): ConvBnSpec => ({
    conv: `${prefix}_${i}_conv`,
    bn: `${prefix}_${i}_bn`,
    kernel,
    inChannels: inC,
    outChannels: outC,
  });
  return {
    shortcut: block === 1 ? spec(0, 1, inChannels, 4 * f) : null,
    convs: [spec(1, 1, inChannels, f), spec(2, 3, f, f), spec(3, 1, f, 4 * f)],
  };
}

export const RESNET50_DENSE: KerasLayerSpec = {
  name: 'predictions',
  weights: [
    { name: 'kernel', shape: [RESNET50_FEATURES, RESNET50_CLASSES] },
    { name: 'bias', shape: [RESNET50_CLASSES] },
  ],
};

/** Every layer with weights, in the model's order. */
export function resnet50LayerSpecs(): KerasLayerSpec[] {
  const layers: KerasLayerSpec[] = [convLayer(RESNET50_STEM), bnLayer(RESNET50_STEM)];
  let channels = RESNET50_STEM.outChannels;
  for (const stage of RESNET50_STAGES) {
    for (let block = 1; block <= stage.blocks; block++) {
      const { shortcut, convs } = blockConvs(stage, block, channels);
      for (const c of shortcut ? [shortcut, ...convs] : convs) layers.push(convLayer(c), bnLayer(c));
      channels = 4 * stage.filters;
    }
  }
  layers.push(RESNET50_DENSE);
  return layers;
}
