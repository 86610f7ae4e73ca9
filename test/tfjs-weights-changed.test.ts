// A TF.js model reads model.json and its weight shards: a shard rewritten between two statements (same
// size, model.json untouched) is noticed like a changed ONNX file, and the next statement runs the new
// weights.
import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEngine } from '../engine/engine.js';
import { createUdfs } from '../udfs/index.js';
import { tempDir } from './helpers/cli.js';
import { plain } from './helpers/onnx-model-fixtures.js';
import { writeMatmulGraphModel, writeMatmulWeights } from './helpers/tfjs-graph-model.js';

test('a rewritten TF.js weight shard is read again by the next statement', async () => {
  const dir = tempDir('sqlinfer-tfjs-shard-');
  await writeMatmulGraphModel(dir, [2, -3]);
  const engine = await createEngine({ udfs: createUdfs({ threads: 1 }) });
  try {
    await engine.run(`CREATE MODEL matmul FROM '${join(dir, 'model.json')}'`);
    const run = async () => (await engine.run('SELECT matmul([1, 1]) FROM range(1)'))[0]!.rows.map((r) => r.map(plain));
    assert.deepEqual(await run(), [[[-1]]]);
    await writeMatmulWeights(dir, [10, 20]);
    // The same size; a later modification time, as a rewrite some time later would have.
    const later = new Date(Date.now() + 10_000);
    await utimes(join(dir, 'w.bin'), later, later);
    assert.deepEqual(await run(), [[[30]]]);
  } finally {
    await engine.close();
  }
});
