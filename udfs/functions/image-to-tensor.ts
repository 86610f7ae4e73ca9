// image_to_tensor(blob [, width, height]) -> FLOAT[]: an image decoded to height*width*3 RGB floats 0..255
// (default 224 x 224), the input predict_resnet50 and Keras' img_to_array expect. Decoded on the pool.

import type { ArgBatch, ConstantValue, ModelFunction, PrepareContext, PreparedCall } from '../model-function.js';
import type { ModelRuntime } from '../runtime/model-runtime.js';
import { batchRows } from '../batch-rows.js';
import { batchConstant, configureRuntime, poolDescription, preparedConstant } from './runtime-settings.js';

export const DEFAULT_IMAGE_SIZE = 224;
export const MAX_IMAGE_SIZE = 8192;

export function createImageToTensor(runtime: ModelRuntime): ModelFunction {
  return {
    name: 'image_to_tensor',
    description: 'decodes an image BLOB to height*width*3 RGB floats 0..255 (default 224 x 224)',
    args: [
      { name: 'image', kinds: ['blob'], optional: false, constant: false },
      { name: 'width', kinds: ['integer'], optional: true, constant: true },
      { name: 'height', kinds: ['integer'], optional: true, constant: true },
    ],
    resultType: 'FLOAT[]',
    async prepare(context: PrepareContext): Promise<PreparedCall> {
      const size = imageSize(preparedConstant(context, 1), preparedConstant(context, 2));
      await configureRuntime(runtime, context.settings);
      return {
        description: `image_to_tensor: decode to ${size.width}x${size.height} RGB on ${poolDescription(runtime, batchRows({}, context.settings))}`,
        resultType: 'FLOAT[]',
        run(batch: ArgBatch, signal?: AbortSignal) {
          const { width, height } = batch.columns.length > 1 ? imageSize(batchConstant(batch, 1), batchConstant(batch, 2)) : size;
          return runtime.run({ kernel: 'image_to_tensor', batch, width, height }, signal);
        },
      };
    },
  };
}

/** Width and height from the optional arguments: none gives 224 x 224, a width alone a square. */
export function imageSize(width: ConstantValue | undefined, height: ConstantValue | undefined): { width: number; height: number } {
  const w = width === undefined || width === null ? DEFAULT_IMAGE_SIZE : checkedSize(width, 'width');
  const h = height === undefined || height === null ? w : checkedSize(height, 'height');
  return { width: w, height: h };
}

function checkedSize(value: ConstantValue, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_IMAGE_SIZE) {
    throw new Error(`${name} must be an integer from 1 to ${MAX_IMAGE_SIZE}, found ${JSON.stringify(value)}`);
  }
  return value;
}
