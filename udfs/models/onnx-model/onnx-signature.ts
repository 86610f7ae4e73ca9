// Reads an ONNX model's inputs and outputs (names, element types, shapes) by building an onnxruntime
// session from its bytes in this thread: that also proves the file is a model onnxruntime can run.

// onnxruntime is loaded on first use: the main thread needs it only for CREATE MODEL.
import '../../runtime/ort-environment.js';
import type * as Ort from 'onnxruntime-node';
import type { ModelSignature, TensorInfo } from '../user-model/model-signature.js';

export async function readOnnxSignature(bytes: Uint8Array): Promise<ModelSignature> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
  try {
    return { inputs: session.inputMetadata.map(tensorInfo), outputs: session.outputMetadata.map(tensorInfo) };
  } finally {
    await session.release();
  }
}

function tensorInfo(value: Ort.InferenceSession.ValueMetadata): TensorInfo {
  if (!value.isTensor) return { name: value.name, type: 'non-tensor', shape: null };
  return { name: value.name, type: value.type, shape: [...value.shape] };
}

/** onnxruntime-node's version, for DESCRIBE MODEL. */
export async function onnxRuntimeVersion(): Promise<string> {
  const ort = await import('onnxruntime-node');
  return ort.env.versions.common ?? 'unknown';
}
