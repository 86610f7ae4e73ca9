// A TF.js model reads model.json and its weight shards: a shard rewritten between two statements (same
// size, model.json untouched) is noticed like a changed ONNX file, and the next statement runs the new
// weights.
import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEngine } from '../engine/engine.js';
import { createUdfs } from '../udfs/index.js';
import { tempDir } from './helpers/cli.js';
import { plain } from './helpers/onnx-model-fixtures.js';

/** A graph model y = x W, W [2, 1], as the TF.js converter writes it, with W in w.bin. */
async function writeMatmul(dir: string, w: readonly number[]): Promise<void> {
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
  await writeWeights(dir, w);
}

async function writeWeights(dir: string, w: readonly number[]): Promise<void> {
  await writeFile(join(dir, 'w.bin'), new Uint8Array(Float32Array.from(w).buffer));
}

test('a rewritten TF.js weight shard is read again by the next statement', async () => {
  const dir = tempDir('sqlinfer-tfjs-shard-');
  await writeMatmul(dir, [2, -3]);
  const engine = await createEngine({ udfs: createUdfs({ threads: 1 }) });
  try {
    await engine.run(`CREATE MODEL matmul FROM '${join(dir, 'model.json')}'`);
    const run = async () => (await engine.run('SELECT matmul([1, 1]) FROM range(1)'))[0]!.rows.map((r) => r.map(plain));
    assert.deepEqual(await run(), [[[-1]]]);
    await writeWeights(dir, [10, 20]);
    // The same size; a later modification time, as a rewrite some time later would have.
    const later = new Date(Date.now() + 10_000);
    await utimes(join(dir, 'w.bin'), later, later);
    assert.deepEqual(await run(), [[[30]]]);
  } finally {
    await engine.close();
  }
});
