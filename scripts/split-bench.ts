// npm run bench:split [-- --mb 3 --repeat 7]
// A big INSERT (a script of MB megabytes of VALUES rows) split and routed as the engine does, against
// DuckDB's own parse of the same text (extractStatements), in one run: medians and their ratio. The
// figures of one run are compared with each other only (the machine is shared and noisy).
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { namesAnyOf, routeStatement, streamsRows } from '../engine/router.js';
import { splitStatements } from '../engine/sql/split-statements.js';
import { IMAGENET_SETUP_NAMES } from '../udfs/models/imagenet/imagenet-setup-sql.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '3' }, repeat: { type: 'string', default: '7' } } });
const bytes = Number(values.mb) * 1e6;
const repeat = Number(values.repeat);

const rows: string[] = [];
for (let i = 0, length = 0; length < bytes; i++) {
  const row = `(${i}, 'name ${i}', ${i * 0.5}, [${i}, ${i + 1}])`;
  rows.push(row);
  length += row.length + 2;
}
const sql = `INSERT INTO t VALUES ${rows.join(', ')};`;
const registry = { has: (name: string) => name === 'predict_resnet50' };

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const ours: number[] = [];
const duckdb: number[] = [];
for (let i = 0; i < repeat; i++) {
  let started = performance.now();
  // What the engine does with each statement before DuckDB sees it (engine.ts execute).
  for (const statement of splitStatements(sql)) {
    namesAnyOf(statement.lexed, IMAGENET_SETUP_NAMES);
    routeStatement(statement.text, registry, statement.lexed);
    streamsRows(statement.lexed);
  }
  ours.push(performance.now() - started);
  started = performance.now();
  await connection.extractStatements(sql);
  duckdb.push(performance.now() - started);
}
connection.closeSync();
instance.closeSync();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${(sql.length / 1e6).toFixed(1)} MB INSERT, median of ${repeat}: split+route ${median(ours).toFixed(0)} ms, DuckDB's parse ${median(duckdb).toFixed(0)} ms, ratio ${(median(ours) / median(duckdb)).toFixed(2)}`);
