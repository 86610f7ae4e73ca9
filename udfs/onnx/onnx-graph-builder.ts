// Builds an ONNX ModelProto in code: graph inputs and outputs, initializers, nodes in topological order.
// Field numbers follow onnx/onnx.proto. Only what sqlinfer's models need: dense tensors of float32,
// int64, int32, int8 and uint8 stored as raw_data, one opset of the default domain.

import { endianness } from 'node:os';
import type { OnnxAttributeValue } from './onnx-attribute.js';
import { ProtoWriter } from './protobuf-writer.js';

export type OnnxElementType = 'float32' | 'int64' | 'int32' | 'int8' | 'uint8';

/** A dimension: a fixed size, or a name for a dynamic one (e.g. 'N' for the batch). */
export type OnnxDim = number | string;

export type OnnxTensorData = Float32Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

export interface OnnxNodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, OnnxAttributeValue>>;
  /** Defaults to the first output's name. */
  readonly name?: string;
}

export interface OnnxModelOptions {
  readonly irVersion?: number;
  readonly opsetVersion?: number;
  readonly producerName?: string;
  readonly producerVersion?: string;
  /** The bytes in a SharedArrayBuffer, which the runtime broadcasts to its workers without a copy. */
  readonly shared?: boolean;
}

export const DEFAULT_IR_VERSION = 8;
export const DEFAULT_OPSET_VERSION = 13;

const DATA_TYPE: Record<OnnxElementType, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7 };

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

export interface ValueInfo {
  readonly name: string;
  readonly elemType: OnnxElementType;
  /** null: no shape at all, so even the rank is unknown. */
  readonly dims: readonly OnnxDim[] | null;
}

export interface Initializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: OnnxTensorData;
}

export class OnnxGraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly nodes: OnnxNodeSpec[] = [];
  /** Every value name defined so far (inputs, initializers, node outputs), to keep the graph well-formed. */
  private readonly defined = new Set<string>();
  private readonly nodeNames = new Set<string>();

  constructor(readonly graphName: string) {}

  /** Declares a graph input; `dims` null leaves its shape out, so its rank is unknown. */
  input(name: string, elemType: OnnxElementType, dims: readonly OnnxDim[] | null): string {
    this.define(name, 'graph input');
    this.inputs.push({ name, elemType, dims: dims === null ? null : [...dims] });
    return name;
  }

  /** Declares a graph output; it must be produced by a node (or be an input or initializer) by toBytes(). */
  output(name: string, elemType: OnnxElementType, dims: readonly OnnxDim[] | null): string {
    if (this.outputs.some((o) => o.name === name)) throw new Error(`ONNX graph output '${name}' is declared twice`);
    this.outputs.push({ name, elemType, dims: dims === null ? null : [...dims] });
    return name;
  }

  addInitializer(name: string, dims: readonly number[], data: OnnxTensorData): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) {
      throw new Error(`ONNX initializer '${name}': dims [${dims.join(', ')}] need ${expected} values, got ${data.length}`);
    }
    this.define(name, 'initializer');
    this.initializers.push({ name, dims: [...dims], data });
    return name;
  }

  /** Adds a node after the ones already added; returns its first output's name. */
  addNode(spec: OnnxNodeSpec): string {
    const name = spec.name ?? spec.outputs[0];
    if (name === undefined || spec.outputs.length === 0) throw new Error(`ONNX node ${spec.op} has no outputs`);
    if (this.nodeNames.has(name)) throw new Error(`ONNX node name '${name}' is used twice`);
    for (const input of spec.inputs) {
      // An empty name is how ONNX marks an omitted optional input.
      if (input !== '' && !this.defined.has(input)) {
        throw new Error(
          `ONNX node '${name}' (${spec.op}) reads '${input}', which no earlier node, input or initializer defines`,
        );
      }
    }
    for (const output of spec.outputs) this.define(output, `output of node '${name}'`);
    this.nodeNames.add(name);
    this.nodes.push({ ...spec, name });
    return spec.outputs[0] as string;
  }

  /** The graph as built so far, to derive another graph from it (e.g. a quantized one). */
  parts(): {
    readonly inputs: readonly ValueInfo[];
    readonly outputs: readonly ValueInfo[];
    readonly initializers: readonly Initializer[];
    readonly nodes: readonly OnnxNodeSpec[];
  } {
    return { inputs: this.inputs, outputs: this.outputs, initializers: this.initializers, nodes: this.nodes };
  }

  /** Number of scalar values held in initializers (the model's parameters). */
  initializerElementCount(): number {
    return this.initializers.reduce((sum, init) => sum + init.data.length, 0);
  }

  toBytes(options: OnnxModelOptions = {}): Uint8Array {
    for (const output of this.outputs) {
      if (!this.defined.has(output.name)) throw new Error(`ONNX graph output '${output.name}' is not produced by any node`);
    }
    const graph = new ProtoWriter();
    for (const node of this.nodes) graph.messageField(1, encodeNode(node));
    graph.stringField(2, this.graphName);
    for (const init of this.initializers) graph.messageField(5, encodeTensor(init));
    for (const input of this.inputs) graph.messageField(11, encodeValueInfo(input));
    for (const output of this.outputs) graph.messageField(12, encodeValueInfo(output));

    const opset = new ProtoWriter().stringField(1, '').varintField(2, options.opsetVersion ?? DEFAULT_OPSET_VERSION);
    const model = new ProtoWriter()
      .varintField(1, options.irVersion ?? DEFAULT_IR_VERSION)
      .stringField(2, options.producerName ?? 'sqlinfer')
      .stringField(3, options.producerVersion ?? '0')
      .messageField(7, graph)
      .messageField(8, opset);
    return model.finish(options.shared);
  }

  private define(name: string, what: string): void {
    if (name === '') throw new Error(`ONNX ${what} needs a non-empty name`);
    if (this.defined.has(name)) throw new Error(`ONNX value name '${name}' (${what}) is already defined`);
    this.defined.add(name);
  }
}

function encodeNode(node: OnnxNodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.stringField(1, input);
  for (const output of node.outputs) w.stringField(2, output);
  w.stringField(3, node.name ?? '');
  w.stringField(4, node.op);
  for (const [name, value] of Object.entries(node.attributes ?? {})) w.messageField(5, encodeAttribute(name, value));
  return w;
}

function encodeAttribute(name: string, value: OnnxAttributeValue): ProtoWriter {
  const w = new ProtoWriter().stringField(1, name);
  switch (value.kind) {
    case 'float':
      w.floatField(2, value.value);
      break;
    case 'int':
      w.varintField(3, checkedInt(name, value.value));
      break;
    case 'string':
      w.stringField(4, value.value);
      break;
    case 'floats':
      for (const v of value.value) w.floatField(7, v);
      break;
    case 'ints':
      for (const v of value.value) w.varintField(8, checkedInt(name, v));
      break;
  }
  w.varintField(20, ATTRIBUTE_TYPE[value.kind]);
  return w;
}

function checkedInt(attribute: string, value: number): number {
  if (!Number.isSafeInteger(value)) throw new Error(`ONNX attribute '${attribute}' needs integers, got ${value}`);
  return value;
}

function encodeTensor(init: Initializer): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of init.dims) w.varintField(1, d);
  w.varintField(2, DATA_TYPE[elementTypeOf(init.data)]);
  w.stringField(8, init.name);
  w.bytesField(9, littleEndianBytes(init.data));
  return w;
}

function elementTypeOf(data: OnnxTensorData): OnnxElementType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  return 'int32';
}

/** ONNX raw_data is little-endian whatever the host; on a little-endian host this is a view, not a copy. */
function littleEndianBytes(data: OnnxTensorData): Uint8Array {
  if (endianness() === 'LE' || data.BYTES_PER_ELEMENT === 1) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * 4, data[i] as number, true);
    else if (data instanceof Int32Array) view.setInt32(i * 4, data[i] as number, true);
    else view.setBigInt64(i * 8, data[i] as bigint, true);
  }
  return out;
}

function encodeValueInfo(info: ValueInfo): ProtoWriter {
  const tensorType = new ProtoWriter().varintField(1, DATA_TYPE[info.elemType]);
  if (info.dims !== null) {
    const shape = new ProtoWriter();
    for (const d of info.dims) {
      const dim = typeof d === 'number' ? new ProtoWriter().varintField(1, d) : new ProtoWriter().stringField(2, d);
      shape.messageField(1, dim);
    }
    tensorType.messageField(2, shape);
  }
  const type = new ProtoWriter().messageField(1, tensorType);
  return new ProtoWriter().stringField(1, info.name).messageField(2, type);
}
