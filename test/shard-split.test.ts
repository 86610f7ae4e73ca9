// The split of a model stage's input among N shards (engine/plan/shard-split.ts): every row in exactly
// one shard, contiguous runs in input order (so parts read in name order give the one-machine order),
// balanced, and the same on every call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shardCuts, shardName, shardRange, type ShardFile } from '../engine/plan/shard-split.js';

function parquet(path: string, groups: readonly number[]): ShardFile {
  return { path, rows: groups.reduce((a, b) => a + b, 0), rowGroups: groups, bytes: 100, modifiedMs: 0 };
}

function blob(path: string, bytes: number): ShardFile {
  return { path, rows: 1, rowGroups: [1], bytes, modifiedMs: 0 };
}

/** A layout from a seed: a few files of a few row groups, some empty. */
function layout(seed: number): ShardFile[] {
  let s = seed;
  const next = (n: number) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  return Array.from({ length: 1 + next(6) }, (_, f) => parquet(`f${f}.parquet`, Array.from({ length: next(4) }, () => 1 + next(3000))));
}

test('every row lands in exactly one shard, in input order, for any layout and shard count', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const files = layout(seed);
    const total = files.reduce((a, f) => a + f.rows, 0);
    for (const count of [1, 2, 3, 7, 16, total + 3]) {
      const seen: string[] = [];
      let next = 0;
      for (let index = 0; index < count; index++) {
        const range = shardRange(files, { index, count }, 'rows');
        assert.equal(range.start, next, `seed ${seed}, ${index}/${count}: starts where the last ended`);
        next = range.end;
        for (const part of range.files) for (let row = part.from; row < part.to; row++) seen.push(`${part.path}:${row}`);
        assert.equal(range.files.reduce((a, f) => a + f.to - f.from, 0), range.end - range.start);
      }
      const expected = files.flatMap((f) => Array.from({ length: f.rows }, (_, row) => `${f.path}:${row}`));
      assert.deepEqual(seen, expected, `seed ${seed}, N=${count}`);
    }
  }
});

test('shards are balanced by rows: whole files when they split evenly, else row groups, else exact row counts', () => {
  // Four equal files over four shards: one file each, no cut inside a file.
  const even = ['a', 'b', 'c', 'd'].map((p) => parquet(p, [500, 500]));
  assert.deepEqual(shardCuts(even, 4, 'rows'), [0, 1000, 2000, 3000, 4000]);
  // One file of four row groups over two shards: cut between groups.
  assert.deepEqual(shardCuts([parquet('a', [100, 100, 100, 100])], 2, 'rows'), [0, 200, 400]);
  // One row group over three shards: exact row counts.
  assert.deepEqual(shardCuts([parquet('a', [10])], 3, 'rows'), [0, 3, 6, 10]);
  // Fewer rows than shards: some shards are empty, none has more than one row.
  const cuts = shardCuts([parquet('a', [2]), parquet('b', [])], 5, 'rows');
  assert.deepEqual(cuts, [0, 0, 0, 1, 1, 2]);
  for (let seed = 1; seed <= 60; seed++) {
    const files = layout(seed);
    const total = files.reduce((a, f) => a + f.rows, 0);
    for (const count of [2, 3, 7]) {
      const c = shardCuts(files, count, 'rows');
      const largest = Math.max(...c.slice(1).map((x, i) => x - c[i]!));
      assert.ok(largest <= 1.25 * Math.ceil(total / count), `seed ${seed}, N=${count}: largest part ${largest} of ${total}`);
    }
  }
});

test('blobs are cut between files, by bytes', () => {
  const files = [blob('a', 1000), blob('b', 10), blob('c', 10), blob('d', 980)];
  assert.deepEqual(shardCuts(files, 2, 'bytes'), [0, 1, 4]);
  assert.deepEqual(shardCuts(files, 3, 'bytes'), [0, 1, 3, 4]);
  const many = shardCuts(files, 9, 'bytes');
  assert.equal(many.length, 10);
  assert.deepEqual([many[0], many.at(-1)], [0, 4]);
  assert.ok(many.every((c, i) => i === 0 || c >= many[i - 1]!));
});

test('the split is the same on every call', () => {
  const files = layout(7);
  for (const count of [3, 7]) {
    for (let index = 0; index < count; index++) assert.deepEqual(shardRange(files, { index, count }, 'rows'), shardRange([...files], { index, count }, 'rows'));
  }
});

test('shard names sort in shard order', () => {
  assert.equal(shardName({ index: 3, count: 16 }), '00003-of-00016');
  const names = Array.from({ length: 120000 }, (_, index) => shardName({ index, count: 120000 })).filter((_, i) => i % 9999 === 0 || i > 119990);
  assert.deepEqual([...names].sort(), names);
  assert.equal(shardName({ index: 99999, count: 100000 }), '99999-of-100000');
});
