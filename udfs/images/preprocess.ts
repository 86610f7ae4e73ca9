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

/**
 * Copies `pixels` RGB pixels (`pixels * 3` values) from `source` at `from` to `target` at `to`, preprocessed
 * on the way (one pass, where copying then preprocessing in place would take two). `target` may be
 * `source` with `to <= from`: each pixel is read before it is written. Returns the position,
 * relative to `from`, of the first value that is not a finite number (NaN or an infinity), or -1; nothing
 * from that value on ('caffe': from that pixel on) is copied.
 */
export function copyPreprocessed(source: Float32Array, from: number, target: Float32Array, to: number, pixels: number, mode: PreprocessMode): number {
  const end = from + pixels * 3;
  switch (mode) {
    case 'caffe':
      for (let s = from, t = to; s < end; s += 3, t += 3) {
        const r = source[s] as number;
        const g = source[s + 1] as number;
        const b = source[s + 2] as number;
        // One test per pixel: three float32 values never overflow a double's sum, so the sum is finite
        // exactly when all three are, and a finite sum minus itself is 0 (NaN otherwise). Faster than a
        // test per value: 0.28 against 0.30 to 0.35 ms an image here.
        const sum = r + g + b;
        if (sum - sum !== 0) return firstNonFinite(source, s, s + 3) - from;
        target[t] = b - CAFFE_MEAN_B;
        target[t + 1] = g - CAFFE_MEAN_G;
        target[t + 2] = r - CAFFE_MEAN_R;
      }
      return -1;
    case 'tf':
      for (let s = from, t = to; s < end; s++, t++) {
        const v = source[s] as number;
        if (!(Math.abs(v) <= Number.MAX_VALUE)) return s - from;
        target[t] = v / 127.5 - 1;
      }
      return -1;
    case 'none':
      return copyFinite(source, from, target, to, pixels * 3);
  }
}

/** Copies `length` values, as copyPreprocessed does with no preprocessing (any length, not only pixels). */
export function copyFinite(source: Float32Array, from: number, target: Float32Array, to: number, length: number): number {
  const end = from + length;
  const bad = firstNonFinite(source, from, end);
  if (bad !== end) return bad - from;
  if (target !== source) target.set(source.subarray(from, end), to);
  else if (to !== from) target.copyWithin(to, from, end);
  return -1;
}

function firstNonFinite(values: Float32Array, from: number, end: number): number {
  for (let i = from; i < end; i++) if (!(Math.abs(values[i] as number) <= Number.MAX_VALUE)) return i;
  return end;
}
