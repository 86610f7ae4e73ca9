// imagenet_labels(), the ImageNet classes as a table macro, and imagenet_top5(probs), the SQL counterpart
// of Keras' decode_predictions(top=5), made on a connection before the first statement that names them.
// Temporary macros and no tables: nothing appears among the user's tables (SHOW TABLES, duckdb_tables(),
// information_schema) or in EXPORT DATABASE, and a user's database file is never written to. IF NOT
// EXISTS: made again after a rollback, they leave a macro of the user's by that name as it is.

import { IMAGENET_CLASS_INDEX } from './imagenet-class-index.js';

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const rows = IMAGENET_CLASS_INDEX.map(([wnid, label], idx) => `(${idx}, ${quote(wnid)}, ${quote(label)})`);
const labels = IMAGENET_CLASS_INDEX.map(([, label]) => quote(label));

export const IMAGENET_SETUP_NAMES: readonly string[] = ['imagenet_labels', 'imagenet_top5'];

export const IMAGENET_SETUP_SQL: readonly string[] = [
  `CREATE TEMP MACRO IF NOT EXISTS imagenet_labels() AS TABLE
  SELECT idx::INTEGER AS idx, wnid::VARCHAR AS wnid, label::VARCHAR AS label FROM (VALUES ${rows.join(', ')}) AS l(idx, wnid, label)`,
  // Best first; ties keep the lower class index first. NULL probabilities give NULL.
  `CREATE TEMP MACRO IF NOT EXISTS imagenet_top5(probs) AS (
  SELECT list({'label': ([${labels.join(', ')}]::VARCHAR[])[p.idx + 1], 'score': p.score} ORDER BY p.score DESC, p.idx)[1:5]
  FROM (SELECT unnest(probs) AS score, generate_subscripts(probs, 1) - 1 AS idx) AS p)`,
];
