// The worker task of a user model (ONNX or TF.js): a batch of typed tensor rows, the model's shared bytes,
// and the layout that says how rows become input tensors and outputs become result columns.

import type { ModelArgBatch } from '../../model-function.js';
import type { SharedModel } from '../../runtime/kernel-task.js';
import type { PlannedInput, PlannedOutput } from './model-signature.js';

export type UserModelFormat = 'onnx' | 'tfjs';

export interface TensorModelTask {
  readonly kernel: 'tensor_model';
  readonly batch: ModelArgBatch;
  readonly model: SharedModel;
  readonly format: UserModelFormat;
  /** Column i of the batch feeds inputs[i]. */
  readonly inputs: readonly PlannedInput[];
  readonly outputs: readonly PlannedOutput[];
  readonly struct: boolean;
}
