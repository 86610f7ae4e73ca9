// The 22 TPC-H queries: each parses, re-emits exactly from its spans, and still runs to the same result
// when every expression is re-emitted in parentheses, which only holds if every node's span covers
// exactly its construct.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Node } from '../engine/sql/ast.js';
import { parseStatement } from '../engine/sql/parser.js';
import { rewriteSql } from './helpers/rewrite-sql.js';
import { childrenOf } from '../engine/sql/walk.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/tpch/', import.meta.url));
const queryNames = Array.from({ length: 22 }, (_, i) => `q${String(i + 1).padStart(2, '0')}`);

const expressionKinds = new Set<string>([
  'ColumnRef', 'Literal', 'TypedLiteral', 'IntervalLiteral', 'Parameter', 'FunctionCall', 'UnaryOp', 'BinaryOp',
  'Cast', 'CaseExpression', 'InList', 'InSubquery', 'Exists', 'Between', 'Like', 'IsNull', 'IsDistinctFrom',
  'IsBoolean', 'ListLiteral', 'StructLiteral', 'MapLiteral', 'RowExpression', 'Subscript', 'Slice', 'FieldAccess',
  'ScalarSubquery', 'Parenthesized', 'Collate', 'AtTimeZone',
]);

/** Re-emits `node` with every expression wrapped in parentheses where SQL allows it. */
function parenthesizeAll(source: string, node: Node, parent: Node | null): string {
  let out = '';
  let at = node.span.start;
  for (const child of childrenOf(node)) {
    out += source.slice(at, child.span.start) + parenthesizeAll(source, child, node);
    at = child.span.end;
  }
  out += source.slice(at, node.span.end);
  const insideLiteral = parent?.kind === 'TypedLiteral' || parent?.kind === 'IntervalLiteral';
  // EXTRACT's field is a word (`year`), kept as a string literal node.
  const keywordField = node.kind === 'Literal' && node.literalType === 'string' && !/^[eE]?['$]/.test(out);
  return expressionKinds.has(node.kind) && !insideLiteral && !keywordField ? `(${out})` : out;
}

let instance: DuckDBInstance;
let connection: DuckDBConnection;

before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await connection.run(readFileSync(`${fixtures}schema.sql`, 'utf8'));
});

after(() => {
  connection.closeSync();
  instance.closeSync();
});

async function rows(sql: string): Promise<string> {
  const result = await connection.runAndReadAll(sql);
  return JSON.stringify(result.getRowsJson());
}

for (const name of queryNames) {
  test(`TPC-H ${name} parses and re-emits from its spans`, async () => {
    const source = readFileSync(`${fixtures}${name}.sql`, 'utf8');
    const statement = parseStatement(source);
    assert.equal(statement.kind, 'SelectStatement');
    const text = source.slice(statement.span.start, statement.span.end);
    assert.equal(text, source.trimEnd().replace(/;$/, ''));
    assert.equal(rewriteSql(source, statement), text);

    const wrapped = parenthesizeAll(source, statement, null);
    assert.notEqual(wrapped, text);
    const expected = await rows(text);
    assert.notEqual(expected, '[]', `${name} returns no rows on the fixture data`);
    assert.equal(await rows(wrapped), expected);
  });
}
