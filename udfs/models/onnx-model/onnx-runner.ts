// Worker side: runs a user ONNX model's session (built once per worker from the broadcast bytes) on
// packed input tensors.

import * as ort from 'onnxruntime-node';
import type { TensorValues } from '../../model-function.js';
import type { SessionCache } from '../../runtime/session-cache.js';
import type { SharedModel } from '../../runtime/kernel-task.js';
import type { OutputTensor, TensorRunner } from '../user-model/tensor-model-kernel.js';

export function onnxRunner(sessions: SessionCache, model: SharedModel): TensorRunner {
  return async (inputs, outputNames) => {
    const session = await sessions.get(model);
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of inputs) feeds[input.name] = new ort.Tensor(input.element, input.values as never, [...input.dims]);
    const results = await session.run(feeds, [...outputNames]);
    const outputs = new Map<string, OutputTensor>();
    for (const name of outputNames) {
      const tensor = results[name];
      if (tensor === undefined) continue;
      outputs.set(name, { values: tensor.data as TensorValues, dims: [...tensor.dims] });
    }
    return outputs;
  };
}
