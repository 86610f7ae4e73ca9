// Which of an ONNX model's graph inputs and outputs declare no shape at all (unknown rank). onnxruntime
// reports such a value as shape [], like a scalar; only the file tells the two apart. Reads just the fields
// on the way (ModelProto.graph -> GraphProto.input/output -> ValueInfoProto.type -> TypeProto.tensor_type
// -> its shape) and steps over everything else, the weights included, by length.

const MODEL_GRAPH = 7;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_SHAPE = 2;

interface Field {
  readonly field: number;
  /** The bytes of a length-delimited field (empty for the other wire types). */
  readonly body: Uint8Array;
}

/** Names of the graph inputs and outputs whose tensor type has no shape. */
export function onnxUnshapedValues(model: Uint8Array): Set<string> {
  const unshaped = new Set<string>();
  for (const graph of fields(model)) {
    if (graph.field !== MODEL_GRAPH) continue;
    for (const value of fields(graph.body)) {
      if (value.field !== GRAPH_INPUT && value.field !== GRAPH_OUTPUT) continue;
      let name = '';
      let shaped = true;
      for (const part of fields(value.body)) {
        if (part.field === VALUE_INFO_NAME) name = new TextDecoder().decode(part.body);
        if (part.field !== VALUE_INFO_TYPE) continue;
        for (const type of fields(part.body)) {
          if (type.field === TYPE_TENSOR) shaped = [...fields(type.body)].some((f) => f.field === TENSOR_SHAPE);
        }
      }
      if (!shaped) unshaped.add(name);
    }
  }
  return unshaped;
}

function* fields(bytes: Uint8Array): Generator<Field> {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length) throw new Error('truncated ONNX protobuf');
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const wire = key % 8;
    const field = Math.floor(key / 8);
    let body = bytes.subarray(at, at);
    if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint();
      body = bytes.subarray(at, at + length);
      at += length;
    } else throw new Error(`unexpected protobuf wire type ${wire} in the ONNX file`);
    if (at > bytes.length) throw new Error('truncated ONNX protobuf');
    yield { field, body };
  }
}
