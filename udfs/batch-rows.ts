// How many rows go to a model in one batch. model_batch_size = 0 (the default) chooses: 64 rows, fewer when
// each row's input is large. On CPU a batch's size barely changes throughput (ResNet-50 on 2 cores: the
// same images/s at 8, 16, 32 and 64 rows), but onnxruntime's memory for the activations grows with it
// (ResNet-50: about 15 MB a row, 1.5 GB at 64 rows), and a first batch of fewer rows reaches the model
// sooner.
import type { ModelFunction, ModelSettings } from './model-function.js';

/** Rows of an automatic batch. */
export const AUTO_BATCH_ROWS = 64;
/** Model input an automatic batch holds at most: 13 rows of ResNet-50's 224x224x3 floats. */
export const AUTO_BATCH_BYTES = 8 << 20;

/** The function's own batch size (a model's batch_size option), else model_batch_size, else the automatic one. */
export function batchRows(fn: Pick<ModelFunction, 'batchSize' | 'rowBytes'>, settings: Pick<ModelSettings, 'batchSize'>): number {
  if (fn.batchSize !== undefined) return fn.batchSize;
  if (settings.batchSize > 0) return settings.batchSize;
  if (fn.rowBytes === undefined) return AUTO_BATCH_ROWS;
  return Math.max(1, Math.min(AUTO_BATCH_ROWS, Math.floor(AUTO_BATCH_BYTES / fn.rowBytes)));
}
