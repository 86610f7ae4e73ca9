// The one cache of built models behind the ONNX sessions and the TF.js models of a worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BuiltModelCache } from '../udfs/runtime/built-model-cache.js';

interface Model {
  readonly key: string;
}

function cacheOf(max: number) {
  const freed: string[] = [];
  const builds: string[] = [];
  const cache = new BuiltModelCache<Model>((m) => freed.push(m.key), max);
  const get = (key: string) =>
    cache.get(key, async () => {
      builds.push(key);
      return { key };
    });
  return { cache, get, freed, builds };
}

test('keeps the most recently used models and frees the one it evicts', async () => {
  const { get, freed, builds } = cacheOf(2);
  await get('a');
  await get('b');
  await get('a');
  await get('c');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(freed, ['b']);
  await get('a');
  await get('b');
  assert.deepEqual(builds, ['a', 'b', 'c', 'b']);
});

test('concurrent first gets share one build', async () => {
  const { get, builds } = cacheOf(4);
  const [x, y] = await Promise.all([get('a'), get('a')]);
  assert.equal(x, y);
  assert.deepEqual(builds, ['a']);
});

test('a failed build is forgotten: the next get builds again', async () => {
  const cache = new BuiltModelCache<Model>(() => undefined, 4);
  let attempts = 0;
  const build = async () => {
    attempts++;
    if (attempts === 1) throw new Error('corrupt');
    return { key: 'a' };
  };
  await assert.rejects(cache.get('a', build), /corrupt/);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(await cache.get('a', build), { key: 'a' });
  assert.equal(attempts, 2);
});
