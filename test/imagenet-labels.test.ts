// The ImageNet classes in Keras order, the imagenet_labels() and imagenet_top5 macros in DuckDB.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { IMAGENET_CLASS_INDEX } from '../udfs/models/imagenet/imagenet-class-index.js';
import { IMAGENET_SETUP_SQL } from '../udfs/models/imagenet/imagenet-setup-sql.js';

test('1000 classes in Keras order, with WordNet ids', () => {
  assert.equal(IMAGENET_CLASS_INDEX.length, 1000);
  assert.deepEqual(IMAGENET_CLASS_INDEX[0], ['n01440764', 'tench']);
  assert.deepEqual(IMAGENET_CLASS_INDEX[1], ['n01443537', 'goldfish']);
  assert.deepEqual(IMAGENET_CLASS_INDEX[2], ['n01484850', 'great_white_shark']);
  assert.deepEqual(IMAGENET_CLASS_INDEX[985], ['n11939491', 'daisy']);
  assert.deepEqual(IMAGENET_CLASS_INDEX[999], ['n15075141', 'toilet_tissue']);
  // Keras' class order is the sorted order of the WordNet ids.
  const wnids = IMAGENET_CLASS_INDEX.map(([wnid]) => wnid);
  assert.deepEqual(wnids, [...wnids].sort());
  assert.equal(new Set(wnids).size, 1000);
});

test('setup SQL creates imagenet_labels() and imagenet_top5, best first, NULL for NULL', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const sql of IMAGENET_SETUP_SQL) await connection.run(sql);
    const labels = await connection.runAndReadAll('SELECT count(*)::INTEGER AS n, max(idx) AS top FROM imagenet_labels()');
    assert.deepEqual(labels.getRowObjectsJson(), [{ n: 1000, top: 999 }]);
    const result = await connection.runAndReadAll(`
      WITH probs AS (
        SELECT 1 AS id, list_transform(range(1000), i -> CASE i WHEN 985 THEN 0.5 WHEN 0 THEN 0.2 WHEN 999 THEN 0.1
                                                            WHEN 1 THEN 0.05 WHEN 2 THEN 0.05 ELSE 0.1 / 995 END)::FLOAT[] AS p
        UNION ALL SELECT 2, NULL::FLOAT[])
      SELECT id, imagenet_top5(p) AS top, typeof(imagenet_top5(p)) AS type FROM probs ORDER BY id`);
    const rows = result.getRowObjectsJson() as { id: number; top: { label: string; score: number }[] | null; type: string }[];
    assert.equal(rows[0]?.type, 'STRUCT("label" VARCHAR, score FLOAT)[]');
    assert.deepEqual(
      rows[0]?.top?.map((t) => t.label),
      ['daisy', 'tench', 'toilet_tissue', 'goldfish', 'great_white_shark'],
    );
    assert.ok(Math.abs((rows[0]?.top?.[0]?.score ?? 0) - 0.5) < 1e-6);
    assert.equal(rows[1]?.top, null);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});
