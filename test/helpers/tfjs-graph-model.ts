// A TF.js graph model as the converter writes it: y = x W with x [N, 2] and W [2, 1] in its shard w.bin.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes model.json and w.bin into `dir`. */
export async function writeMatmulGraphModel(dir: string, w: readonly number[]): Promise<void> {
  const node = (name: string, op: string, attr: object, input?: string[]) => ({ name, op, attr, ...(input ? { input } : {}) });
  const modelTopology = {
    node: [
      node('x', 'Placeholder', { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '2' }] } } }),
      node('w', 'Const', { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }, { size: '1' }] } } }, dtype: { type: 'DT_FLOAT' } }),
      node('y', 'MatMul', { transpose_a: { b: false }, transpose_b: { b: false }, T: { type: 'DT_FLOAT' } }, ['x', 'w']),
    ],
    versions: { producer: 1 },
  };
  const weightsManifest = [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [2, 1], dtype: 'float32' }] }];
  await writeFile(join(dir, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology, weightsManifest }));
  await writeMatmulWeights(dir, w);
}

/** Rewrites the shard w.bin alone. */
export async function writeMatmulWeights(dir: string, w: readonly number[]): Promise<void> {
  await writeFile(join(dir, 'w.bin'), new Uint8Array(Float32Array.from(w).buffer));
}
