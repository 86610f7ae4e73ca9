// Small ONNX models with known weights for the CREATE MODEL tests, written with udfs/onnx, and an engine
// with the real runtime (one thread) to run them.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../engine/engine.js';
import { createUdfs } from '../../udfs/index.js';
import { attr } from '../../udfs/onnx/onnx-attribute.js';
import { OnnxGraphBuilder, type OnnxDim } from '../../udfs/onnx/onnx-graph-builder.js';
import { tempDir } from './cli.js';

/** y = x W + b with x [N, 3], W 3x2, b 2. */
export const LINEAR_W = [1, -1, 2, 0.5, -3, 1];
export const LINEAR_B = [0.25, -0.5];

export function linear(x: readonly number[]): number[] {
  return [0, 1].map((j) => x.reduce((sum, v, i) => sum + v * LINEAR_W[i * 2 + j]!, LINEAR_B[j]!));
}

export function linearModel(batch: OnnxDim = 'N'): Uint8Array {
  const g = new OnnxGraphBuilder('linear');
  g.input('x', 'float32', [batch, 3]);
  g.addInitializer('w', [3, 2], Float32Array.from(LINEAR_W));
  g.addInitializer('b', [2], Float32Array.from(LINEAR_B));
  g.addNode({ op: 'MatMul', inputs: ['x', 'w'], outputs: ['xw'] });
  g.addNode({ op: 'Add', inputs: ['xw', 'b'], outputs: ['y'] });
  g.output('y', 'float32', [batch, 2]);
  return g.toBytes();
}

/** y = x, x [N]: a scalar FLOAT in, the same FLOAT out. */
export function identityModel(): Uint8Array {
  const g = new OnnxGraphBuilder('identity');
  g.input('x', 'float32', ['N']);
  g.addNode({ op: 'Identity', inputs: ['x'], outputs: ['y'] });
  g.output('y', 'float32', ['N']);
  return g.toBytes();
}

/** out = a + 10 b, both [N, 2]. */
export function twoInputModel(): Uint8Array {
  const g = new OnnxGraphBuilder('two_inputs');
  g.input('a', 'float32', ['N', 2]);
  g.input('b', 'float32', ['N', 2]);
  g.addInitializer('ten', [1], Float32Array.from([10]));
  g.addNode({ op: 'Mul', inputs: ['b', 'ten'], outputs: ['b10'] });
  g.addNode({ op: 'Add', inputs: ['a', 'b10'], outputs: ['out'] });
  g.output('out', 'float32', ['N', 2]);
  return g.toBytes();
}

/** y = x W + b as above, and total = the sum of x's row as [N, 1] (one value per row). */
export function twoOutputModel(): Uint8Array {
  const g = new OnnxGraphBuilder('two_outputs');
  g.input('x', 'float32', ['N', 3]);
  g.addInitializer('w', [3, 2], Float32Array.from(LINEAR_W));
  g.addInitializer('b', [2], Float32Array.from(LINEAR_B));
  g.addInitializer('axes', [1], BigInt64Array.from([1n]));
  g.addNode({ op: 'MatMul', inputs: ['x', 'w'], outputs: ['xw'] });
  g.addNode({ op: 'Add', inputs: ['xw', 'b'], outputs: ['y'] });
  g.addNode({ op: 'ReduceSum', inputs: ['x', 'axes'], outputs: ['total'], attributes: { keepdims: attr.int(1) } });
  g.output('y', 'float32', ['N', 2]);
  g.output('total', 'float32', ['N', 1]);
  return g.toBytes();
}

/** sum = the sum of an int64 row of 4, as int64 [N] (exact beyond float precision). */
export function int64Model(): Uint8Array {
  const g = new OnnxGraphBuilder('int64_sum');
  g.input('ids', 'int64', ['N', 4]);
  g.addInitializer('axes', [1], BigInt64Array.from([1n]));
  g.addNode({ op: 'ReduceSum', inputs: ['ids', 'axes'], outputs: ['sum'], attributes: { keepdims: attr.int(0) } });
  g.output('sum', 'int64', ['N']);
  return g.toBytes();
}

/** half = x / 2 as float32 for int32 rows of 2: x [N, 2]. */
export function int32Model(): Uint8Array {
  const g = new OnnxGraphBuilder('int32_half');
  g.input('x', 'int32', ['N', 2]);
  g.addInitializer('half', [1], Float32Array.from([0.5]));
  g.addNode({ op: 'Cast', inputs: ['x'], outputs: ['xf'], attributes: { to: attr.int(1) } });
  g.addNode({ op: 'Mul', inputs: ['xf', 'half'], outputs: ['half_x'] });
  g.output('half_x', 'float32', ['N', 2]);
  return g.toBytes();
}

/** doubled = 2 x for rows of any length: x [N, M]. */
export function dynamicModel(): Uint8Array {
  const g = new OnnxGraphBuilder('dynamic');
  g.input('x', 'float32', ['N', 'M']);
  g.addInitializer('two', [1], Float32Array.from([2]));
  g.addNode({ op: 'Mul', inputs: ['x', 'two'], outputs: ['doubled'] });
  g.output('doubled', 'float32', ['N', 'M']);
  return g.toBytes();
}

export interface ModelsFixture {
  readonly dir: string;
  readonly engine: Engine;
  /** Runs SQL and returns the last statement's rows. */
  rows(sql: string): Promise<unknown[][]>;
  close(): Promise<void>;
}

/** Writes every model into a temp dir (linear.onnx, two_inputs.onnx ...) and opens an engine. */
export async function modelsFixture(database = ':memory:'): Promise<ModelsFixture> {
  // tempDir(): removed at exit as well, in case setup fails and there is no fixture to close().
  const dir = tempDir('sqlinfer-models-');
  await writeFile(join(dir, 'linear.onnx'), linearModel());
  await writeFile(join(dir, 'linear_batch1.onnx'), linearModel(1));
  await writeFile(join(dir, 'two_inputs.onnx'), twoInputModel());
  await writeFile(join(dir, 'two_outputs.onnx'), twoOutputModel());
  await writeFile(join(dir, 'int64.onnx'), int64Model());
  await writeFile(join(dir, 'int32.onnx'), int32Model());
  await writeFile(join(dir, 'dynamic.onnx'), dynamicModel());
  await writeFile(join(dir, 'identity.onnx'), identityModel());
  const engine = await createEngine({ database: database === ':memory:' ? database : join(dir, database), udfs: createUdfs({ threads: 1 }) });
  return {
    dir,
    engine,
    async rows(sql) {
      const results = await engine.run(sql);
      return (results.at(-1)?.rows ?? []).map((row) => row.map(plain));
    },
    async close() {
      try {
        await engine.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** DuckDB values as plain JS: lists as arrays, structs as objects, floats rounded to 5 decimals. */
export function plain(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (typeof value === 'number') return Math.round(value * 1e5) / 1e5;
  if (typeof value === 'object' && value !== null && 'items' in value) return (value as { items: unknown[] }).items.map(plain);
  if (typeof value === 'object' && value !== null && 'entries' in value) {
    return Object.fromEntries(Object.entries((value as { entries: Record<string, unknown> }).entries).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

export function rounded(values: readonly number[]): number[] {
  return values.map((v) => Math.round(v * 1e5) / 1e5);
}
