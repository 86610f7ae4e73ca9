// ResNet-50's weights from a Keras HDF5 file (resnet50_weights_tf_dim_ordering_tf_kernels.h5 or any
// file saved from keras.applications.ResNet50), checked layer by layer against the architecture.

import { readKerasH5Weights } from '../keras/keras-h5-reader.js';
import type { KerasWeights } from '../keras/keras-weights.js';
import { resnet50LayerSpecs } from './resnet50-layout.js';

export function readResnet50Weights(path: string): Promise<KerasWeights> {
  return readKerasH5Weights(path, resnet50LayerSpecs());
}
