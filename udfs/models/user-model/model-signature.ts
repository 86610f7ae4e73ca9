// A user model's inputs and outputs as its file declares them, the CREATE MODEL options, and the layout
// derived from both: each input's per-row shape and element type, the outputs the result holds, and the
// result's DuckDB type. Everything here is plain data, so it crosses to the workers and into the catalog.

import type { ConstantValue, ElementType } from '../../model-function.js';
import { duckdbElementType, isElementType } from './element-types.js';

/** The file formats of user models. */
export type UserModelFormat = 'onnx' | 'tfjs';

export interface TensorInfo {
  readonly name: string;
  /** The element type as the format names it (float32, int64, float16, string ...). */
  readonly type: string;
  /** Dimensions: numbers are fixed, strings symbolic (unknown); null when even the rank is unknown. */
  readonly shape: readonly (number | string)[] | null;
}

export interface ModelSignature {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
}

export interface UserModelOptions {
  readonly batchSize?: number;
  readonly threads?: number;
  readonly output?: string;
  /** Per input name: the shape of one row (without the batch dimension). */
  readonly inputShape?: Readonly<Record<string, readonly number[]>>;
  readonly format?: string;
}

export const MODEL_OPTIONS = ['batch_size', 'threads', 'output', 'input_shape', 'format'] as const;

/** An input as the kernel packs it: rows of `rowShape` (one null dimension: inferred from the row length). */
export interface PlannedInput {
  readonly name: string;
  readonly element: ElementType;
  readonly rowShape: readonly (number | null)[];
  /** The model's fixed batch size, or null when the batch dimension is dynamic. */
  readonly batchDim: number | null;
}

export interface PlannedOutput {
  readonly name: string;
  readonly element: ElementType;
  /** One value per row: the result is a scalar column. */
  readonly scalar: boolean;
}

export interface ModelLayout {
  readonly inputs: readonly PlannedInput[];
  readonly outputs: readonly PlannedOutput[];
  /** Several outputs: the result is a STRUCT with one field per output. */
  readonly struct: boolean;
  readonly resultType: string;
}

/** Checks the WITH (...) options of CREATE MODEL; errors name the option and what it takes. */
export function parseModelOptions(raw: Readonly<Record<string, ConstantValue>>): UserModelOptions {
  const options: { -readonly [K in keyof UserModelOptions]: UserModelOptions[K] } = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = key.toLowerCase();
    switch (name) {
      case 'batch_size':
      case 'threads': {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
          throw new Error(`option ${name} must be a positive integer, found ${show(value)}`);
        }
        if (name === 'batch_size') options.batchSize = value;
        else options.threads = value;
        break;
      }
      case 'output':
      case 'format':
        if (typeof value !== 'string' || value === '') throw new Error(`option ${name} must be a quoted name, found ${show(value)}`);
        if (name === 'output') options.output = value;
        else options.format = value.toLowerCase();
        break;
      case 'input_shape':
        options.inputShape = parseInputShape(value);
        break;
      default:
        throw new Error(`unknown option ${key}: the options are ${MODEL_OPTIONS.join(', ')}`);
    }
  }
  return options;
}

/** `'[3, 224, 224]'` (for the only input) or `'{"x": [3, 224, 224], "y": [2]}'` by input name. */
function parseInputShape(value: ConstantValue): Readonly<Record<string, readonly number[]>> {
  const bad = () => new Error(`option input_shape must be a quoted JSON list of dimensions like '[3, 224, 224]' or '{"input": [3, 224, 224]}', found ${show(value)}`);
  if (typeof value !== 'string') throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw bad();
  }
  const dims = (x: unknown): readonly number[] => {
    if (!Array.isArray(x) || !x.every((d) => Number.isInteger(d) && (d as number) > 0)) throw bad();
    return x as number[];
  };
  if (Array.isArray(parsed)) return { '': dims(parsed) };
  if (parsed === null || typeof parsed !== 'object') throw bad();
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, dims(v)]));
}

/** The layout of a model under its options; errors say what to change (an option, the model). */
export function layoutOf(signature: ModelSignature, options: UserModelOptions): ModelLayout {
  if (signature.inputs.length === 0) throw new Error('the model has no inputs');
  const shapes = options.inputShape ?? {};
  for (const key of Object.keys(shapes)) {
    if (key === '' ? signature.inputs.length !== 1 : !signature.inputs.some((i) => i.name === key)) {
      throw new Error(
        key === ''
          ? `option input_shape as a list needs a model with one input; this one has ${signature.inputs.length}: give '{"name": [...]}'`
          : `option input_shape names '${key}', which is not an input (inputs: ${names(signature.inputs)})`,
      );
    }
  }
  const inputs = signature.inputs.map((input): PlannedInput => {
    if (!isElementType(input.type)) {
      throw new Error(`input '${input.name}' has element type ${input.type}; sqlinfer feeds float32, float64, int64, int32, uint8 or bool`);
    }
    const given = shapes[input.name] ?? (signature.inputs.length === 1 ? shapes[''] : undefined);
    return { name: input.name, element: input.type, ...rowShapeOf(input, given, signature.inputs.length === 1) };
  });
  const supported = signature.outputs.filter((o) => isElementType(o.type));
  let selected: readonly TensorInfo[];
  if (options.output !== undefined) {
    const output = signature.outputs.find((o) => o.name === options.output);
    if (output === undefined) throw new Error(`option output names '${options.output}', which is not an output (outputs: ${names(signature.outputs)})`);
    if (!isElementType(output.type)) throw new Error(`output '${output.name}' has element type ${output.type}, which SQL cannot receive`);
    selected = [output];
  } else {
    if (supported.length === 0) throw new Error(`none of the model's outputs is a tensor of a type SQL can receive (outputs: ${describeTensors(signature.outputs)})`);
    selected = supported;
  }
  const outputs = selected.map((o): PlannedOutput => {
    const rest = o.shape === null ? null : o.shape.slice(1);
    const scalar = rest !== null && o.shape!.length >= 1 && rest.every((d) => d === 1);
    return { name: o.name, element: o.type as ElementType, scalar };
  });
  const typeOf = (o: PlannedOutput) => `${duckdbElementType(o.element)}${o.scalar ? '' : '[]'}`;
  const struct = outputs.length > 1;
  const resultType = struct ? `STRUCT(${outputs.map((o) => `${quoteIdentifier(o.name)} ${typeOf(o)}`).join(', ')})` : typeOf(outputs[0]!);
  return { inputs, outputs, struct, resultType };
}

/** `single`: the model's only input, so input_shape may be a plain list. */
function rowShapeOf(input: TensorInfo, given: readonly number[] | undefined, single: boolean): Pick<PlannedInput, 'rowShape' | 'batchDim'> {
  const shape = input.shape;
  if (shape !== null && shape.length === 0) {
    throw new Error(`input '${input.name}' is a single value without a batch dimension; sqlinfer feeds batches of rows`);
  }
  const batch = shape?.[0];
  const batchDim = typeof batch === 'number' && batch > 0 ? batch : null;
  const declared = shape === null ? null : shape.slice(1).map((d) => (typeof d === 'number' && d > 0 ? d : null));
  let rowShape: (number | null)[];
  if (given !== undefined) {
    if (declared !== null && (declared.length !== given.length || declared.some((d, i) => d !== null && d !== given[i]))) {
      throw new Error(`option input_shape gives [${given.join(', ')}] for input '${input.name}', which has rows of shape ${dimsText(declared)}`);
    }
    rowShape = [...given];
  } else if (declared === null) {
    const example = JSON.stringify(single ? [3, 224, 224] : { [input.name]: [3, 224, 224] }).replace(/,/g, ', ');
    throw new Error(
      `input '${input.name}' declares no shape, not even how many dimensions it has: give the shape of one row ` +
        `(without the batch dimension) with WITH (input_shape => '${example}')`,
    );
  } else {
    rowShape = declared;
  }
  if (rowShape.filter((d) => d === null).length > 1) {
    throw new Error(
      `input '${input.name}' has rows of shape ${dimsText(rowShape)} with several unknown dimensions: ` +
        `give them with WITH (input_shape => '[...]')`,
    );
  }
  return { rowShape, batchDim };
}

/** `[batch, 4]`-style text of a whole shape; unknown dimensions by their symbolic name or `?`. */
export function shapeText(shape: readonly (number | string)[] | null): string {
  if (shape === null) return 'unknown rank';
  return `[${shape.map((d) => (typeof d === 'number' ? (d > 0 ? String(d) : '?') : d === '' ? '?' : d)).join(', ')}]`;
}

function dimsText(dims: readonly (number | null)[]): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function describeTensors(tensors: readonly TensorInfo[]): string {
  return tensors.map((t) => `${t.name} ${t.type}`).join(', ');
}

function names(tensors: readonly TensorInfo[]): string {
  return tensors.map((t) => `'${t.name}'`).join(', ');
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function show(value: ConstantValue): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
