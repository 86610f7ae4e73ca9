// Reads an ONNX model's inputs and outputs (names, element types, shapes) by building an onnxruntime
// session from its bytes in this thread: that also proves the file is a model onnxruntime can run.

// onnxruntime is loaded on first use: the main thread needs it only for CREATE MODEL.
import '../../runtime/ort-environment.js';
import type * as Ort from 'onnxruntime-node';
import { onnxUnshapedValues } from '../../onnx/onnx-unshaped-values.js';
import type { ModelSignature, TensorInfo } from '../user-model/model-signature.js';

export async function readOnnxSignature(bytes: Uint8Array): Promise<ModelSignature> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
  try {
    const values = [...session.inputMetadata, ...session.outputMetadata];
    const unshaped = values.some((v) => v.isTensor && v.shape.length === 0) ? unshapedValues(bytes) : new Set<string>();
    const info = (value: Ort.InferenceSession.ValueMetadata) => tensorInfo(value, unshaped);
    return { inputs: session.inputMetadata.map(info), outputs: session.outputMetadata.map(info) };
  } finally {
    await session.release();
  }
}

function tensorInfo(value: Ort.InferenceSession.ValueMetadata, unshaped: ReadonlySet<string>): TensorInfo {
  if (!value.isTensor) return { name: value.name, type: 'non-tensor', shape: null };
  // onnxruntime gives [] both for a scalar and for a value of unknown rank.
  const unknownRank = value.shape.length === 0 && unshaped.has(value.name);
  return { name: value.name, type: value.type, shape: unknownRank ? null : [...value.shape] };
}

/** The unshaped values of an ONNX protobuf; none for the ORT format, which onnxruntime also reads. */
function unshapedValues(bytes: Uint8Array): Set<string> {
  try {
    return onnxUnshapedValues(bytes);
  } catch {
    return new Set();
  }
}

/** onnxruntime-node's version, for DESCRIBE MODEL. */
export async function onnxRuntimeVersion(): Promise<string> {
  const ort = await import('onnxruntime-node');
  return ort.env.versions.common ?? 'unknown';
}
