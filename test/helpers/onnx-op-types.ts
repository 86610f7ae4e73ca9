// Counts the op types of an ONNX model file (e.g. the optimized model onnxruntime writes with
// SessionOptions.optimizedModelFilePath), reading just enough protobuf: ModelProto.graph (7) ->
// GraphProto.node (1) -> NodeProto.op_type (4).

import { readFileSync } from 'node:fs';

export function onnxOpTypes(path: string): Map<string, number> {
  const counts = new Map<string, number>();
  const model = readFileSync(path);
  for (const graph of fields(model, 7)) {
    for (const node of fields(graph, 1)) {
      for (const opType of fields(node, 4)) {
        const name = Buffer.from(opType).toString('utf8');
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/** The length-delimited fields numbered `wanted` of one message, skipping every other field. */
function fields(bytes: Uint8Array, wanted: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 1;
    for (;;) {
      const b = bytes[at++]!;
      value += (b & 0x7f) * shift;
      if (b < 0x80) return value;
      shift *= 128;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    switch (key % 8) {
      case 0:
        varint();
        break;
      case 1:
        at += 8;
        break;
      case 2: {
        const length = varint();
        if (field === wanted) out.push(bytes.subarray(at, at + length));
        at += length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new Error(`unsupported protobuf wire type ${key % 8}`);
    }
  }
  return out;
}
