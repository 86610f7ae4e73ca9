// COPY, CREATE TABLE AS, INSERT and EXPLAIN: parsed into the expected shape, then re-emitted with every
// expression parenthesised and run on DuckDB, which checks the extents the planner slices by.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Node, Statement } from '../engine/sql/ast.js';
import { parseStatement } from '../engine/sql/parser.js';
import { childrenOf } from '../engine/sql/walk.js';

const valueKinds = new Set<string>(['ColumnRef', 'Literal', 'FunctionCall', 'BinaryOp', 'Cast', 'Between', 'InList']);

function parenthesizeValues(source: string, node: Node, parent: Node | null): string {
  let out = '';
  let at = node.span.start;
  for (const child of childrenOf(node)) {
    out += source.slice(at, child.span.start) + parenthesizeValues(source, child, node);
    at = child.span.end;
  }
  out += source.slice(at, node.span.end);
  // Option values and the COPY target are syntax, not values.
  const wrap = valueKinds.has(node.kind) && parent?.kind !== 'CopyOption' && parent?.kind !== 'CopyStatement';
  return wrap ? `(${out})` : out;
}

let dir: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sqlinfer-parse-'));
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await connection.run('CREATE TABLE src AS SELECT range AS id, range * 2 AS v FROM range(5)');
});

after(() => {
  try {
    connection?.closeSync();
    instance?.closeSync();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function runWrapped(sql: string): Promise<Statement> {
  const statement = parseStatement(sql);
  const wrapped = parenthesizeValues(sql, statement, null);
  assert.notEqual(wrapped, sql);
  await connection.run(wrapped);
  return statement;
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await connection.runAndReadAll(sql)).getRowsJson();
}

test('CREATE OR REPLACE TABLE ... AS', async () => {
  const statement = await runWrapped('CREATE OR REPLACE TABLE t1 AS SELECT id, v + 1 AS w FROM src WHERE id BETWEEN 2 AND 4');
  assert.equal(statement.kind, 'CreateTableAsStatement');
  assert.equal(statement.kind === 'CreateTableAsStatement' && statement.orReplace, true);
  assert.deepEqual(await rows('SELECT count(*)::INT, sum(w)::INT FROM t1'), [[3, 21]]);
});

test('INSERT INTO ... (cols) SELECT', async () => {
  await connection.run('CREATE OR REPLACE TABLE t2 (id BIGINT, w BIGINT)');
  const statement = await runWrapped('INSERT INTO t2 (w, id) SELECT v * 10, id FROM src WHERE id IN (0, 1)');
  assert.equal(statement.kind, 'InsertStatement');
  assert.deepEqual(statement.kind === 'InsertStatement' && statement.columns?.map((c) => c.name), ['w', 'id']);
  assert.deepEqual(await rows('SELECT id::INT, w::INT FROM t2 ORDER BY id'), [[0, 0], [1, 20]]);
});

test('COPY (query) TO a Parquet file with options', async () => {
  const file = join(dir, 'out.parquet');
  const statement = await runWrapped(`COPY (SELECT id, CAST(v AS DOUBLE) / 2 AS half FROM src ORDER BY id) TO '${file}' (FORMAT PARQUET, COMPRESSION zstd)`);
  assert.equal(statement.kind, 'CopyStatement');
  if (statement.kind !== 'CopyStatement') return;
  assert.equal(statement.source.kind, 'Query');
  assert.equal(statement.target.value, file);
  assert.deepEqual(statement.options?.options.map((o) => o.name.name), ['FORMAT', 'COMPRESSION']);
  assert.deepEqual(await rows(`SELECT sum(half) FROM '${file}'`), [[10]]);
});

test('COPY table (cols) TO a CSV file', async () => {
  const file = join(dir, 'src.csv');
  const sql = `COPY src (id) TO '${file}' (HEADER, DELIMITER '|')`;
  const statement = parseStatement(sql);
  assert.equal(statement.kind === 'CopyStatement' && statement.source.kind, 'CopyTable');
  await connection.run(sql);
  assert.deepEqual(await rows(`SELECT count(*)::INT FROM read_csv('${file}', delim = '|', header = true)`), [[5]]);
});

test('EXPLAIN wraps a statement', async () => {
  const statement = await runWrapped('EXPLAIN SELECT id + 1 FROM src WHERE v > 2');
  assert.equal(statement.kind, 'ExplainStatement');
  assert.equal(statement.kind === 'ExplainStatement' && statement.statement.kind, 'SelectStatement');
});
