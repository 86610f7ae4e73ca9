// SQL run once on each new connection: the ImageNet class names as a table, and imagenet_top5(probs), the
// SQL counterpart of Keras' decode_predictions(top=5). Temporary objects, so a user's database file is
// never written to.

import { IMAGENET_CLASS_INDEX } from './imagenet-class-index.js';

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const rows = IMAGENET_CLASS_INDEX.map(([wnid, label], idx) => `(${idx}, ${quote(wnid)}, ${quote(label)})`);

export const IMAGENET_SETUP_SQL: readonly string[] = [
  'CREATE OR REPLACE TEMP TABLE imagenet_labels (idx INTEGER NOT NULL PRIMARY KEY, wnid VARCHAR NOT NULL, label VARCHAR NOT NULL)',
  `INSERT INTO imagenet_labels VALUES ${rows.join(', ')}`,
  // Best first; ties keep the lower class index first. NULL probabilities give NULL.
  `CREATE OR REPLACE TEMP MACRO imagenet_top5(probs) AS (
  SELECT list({'label': l.label, 'score': p.score} ORDER BY p.score DESC, p.idx)[1:5]
  FROM (SELECT unnest(probs) AS score, generate_subscripts(probs, 1) - 1 AS idx) AS p
  JOIN imagenet_labels AS l ON l.idx = p.idx)`,
];
