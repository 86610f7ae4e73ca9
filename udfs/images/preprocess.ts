// Keras image preprocessing, in place over HWC RGB floats 0..255.
//   caffe (ResNet-50, VGG): RGB -> BGR, then minus the ImageNet channel means (B 103.939, G 116.779, R 123.68)
//   tf (MobileNet, Inception): scale to -1..1
//   none: unchanged

import type { PreprocessMode } from '../runtime/kernel-task.js';

const CAFFE_MEAN_B = 103.939;
const CAFFE_MEAN_G = 116.779;
const CAFFE_MEAN_R = 123.68;

/** Preprocesses `pixels` RGB pixels starting at `offset` of `data`. */
export function preprocessInPlace(data: Float32Array, offset: number, pixels: number, mode: PreprocessMode): void {
  const end = offset + pixels * 3;
  switch (mode) {
    case 'caffe':
      for (let i = offset; i < end; i += 3) {
        const r = data[i] as number;
        data[i] = (data[i + 2] as number) - CAFFE_MEAN_B;
        data[i + 1] = (data[i + 1] as number) - CAFFE_MEAN_G;
        data[i + 2] = r - CAFFE_MEAN_R;
      }
      return;
    case 'tf':
      for (let i = offset; i < end; i++) data[i] = (data[i] as number) / 127.5 - 1;
      return;
    case 'none':
      return;
  }
}
