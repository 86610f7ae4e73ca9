// Structural guarantees the planner relies on: child spans nest inside their parent in source order,
// re-emitting from spans gives back the statement, and the walker reaches nodes in every clause.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from '../engine/sql/ast.js';
import { parseStatement } from '../engine/sql/parser.js';
import { rewriteSql } from './helpers/rewrite-sql.js';
import { childrenOf, collect, walk } from '../engine/sql/walk.js';

const statements = [
  "COPY (SELECT filename, image_to_tensor(content) AS data FROM read_blob('photos/*/*.jpg') LIMIT 2048) TO 'image_data.parquet' (FORMAT PARQUET)",
  "WITH x AS (SELECT a, f(b) AS fb FROM t WHERE g(c) > 0) SELECT DISTINCT ON (h(a)) * EXCLUDE (fb) FROM x JOIN (SELECT k(z) FROM u) s ON x.a = s.a QUALIFY m(a) OVER (PARTITION BY n(a) ORDER BY o(a) ROWS p(1) PRECEDING) = 1 ORDER BY q(a) LIMIT r(1)",
  'SELECT (SELECT max(v) FROM w) + 1, CASE WHEN e THEN f(1) END, CAST(g(2) AS INT)::VARCHAR, list_transform(l, x -> f(x))[1:2]',
  'INSERT INTO t SELECT * FROM range(3) UNION ALL SELECT 7',
  'CREATE TABLE t AS SELECT 1 AS one; ',
  "SELECT EXTRACT(year FROM d), TRIM(LEADING 'x' FROM s), DATE '2020-01-01' + INTERVAL 3 DAY FROM t WINDOW w AS (ORDER BY 1)",
];

function checkNesting(node: Node, source: string): void {
  let at = node.span.start;
  assert.ok(node.span.start < node.span.end, `${node.kind} has an empty span`);
  for (const child of childrenOf(node)) {
    assert.ok(child.span.start >= at, `${child.kind} starts before its previous sibling ends in ${node.kind}`);
    assert.ok(child.span.end <= node.span.end, `${child.kind} ends after its parent ${node.kind}`);
    at = child.span.end;
    checkNesting(child, source);
  }
  if (node.kind === 'Identifier' && !node.quoted) assert.equal(source.slice(node.span.start, node.span.end), node.name);
}

test('child spans nest in their parents, in source order, and re-emit the exact statement', () => {
  for (const sql of statements) {
    const ast = parseStatement(sql);
    checkNesting(ast, sql);
    assert.equal(rewriteSql(sql, ast), sql.trimEnd().replace(/;$/, ''));
  }
});

test('the statement span excludes the trailing semicolon and whitespace', () => {
  const sql = 'SELECT 1 ;  ';
  assert.deepEqual(parseStatement(sql).span, { start: 0, end: 8 });
});

test('a replacer substitutes chosen nodes and keeps the rest of the text', () => {
  const sql = "COPY (SELECT predict(data) AS p, id FROM 'in.parquet' WHERE predict(data)[1] > 0.5) TO 'out.parquet'";
  const ast = parseStatement(sql);
  const out = rewriteSql(sql, ast, (node) =>
    node.kind === 'FunctionCall' && node.name.parts[0]!.name === 'predict' ? '__model_0' : undefined,
  );
  assert.equal(out, "COPY (SELECT __model_0 AS p, id FROM 'in.parquet' WHERE __model_0[1] > 0.5) TO 'out.parquet'");
});

test('the walker finds calls in CTEs, subqueries, joins, window specs, limits and lambdas', () => {
  const sql = statements[1]!;
  const names = collect(parseStatement(sql), 'FunctionCall').map((c) => c.name.parts.map((p) => p.name).join('.'));
  assert.deepEqual(names, ['f', 'g', 'h', 'k', 'm', 'n', 'o', 'p', 'q', 'r']);
  const lambdaCalls = collect(parseStatement(statements[2]!), 'FunctionCall').map((c) => c.name.parts[0]!.name);
  assert.deepEqual(lambdaCalls, ['max', 'f', 'g', 'list_transform', 'f']);
});

test('the walker visits stars, column references and FROM items', () => {
  const ast = parseStatement('SELECT t.*, a FROM t, LATERAL (SELECT b FROM u) s, read_parquet(x) r');
  const kinds: string[] = [];
  walk(ast, (node) => {
    if (['Star', 'ColumnRef', 'TableRef', 'SubqueryRef', 'TableFunctionRef'].includes(node.kind)) kinds.push(node.kind);
  });
  assert.deepEqual(kinds, ['Star', 'ColumnRef', 'TableRef', 'SubqueryRef', 'ColumnRef', 'TableRef', 'TableFunctionRef', 'ColumnRef']);
});

test('returning false from the walker skips a subtree', () => {
  const ast = parseStatement('SELECT f(g(1)), h(2)');
  const seen: string[] = [];
  walk(ast, (node) => {
    if (node.kind !== 'FunctionCall') return true;
    seen.push(node.name.parts[0]!.name);
    return false;
  });
  assert.deepEqual(seen, ['f', 'h']);
});

test('FROM-first queries list the FROM before the items in source order', () => {
  const ast = parseStatement('FROM t SELECT a');
  const core = collect(ast, 'SelectCore')[0]!;
  assert.equal(core.fromFirst, true);
  assert.deepEqual(childrenOf(core).map((n) => n.kind), ['TableRef', 'SelectItem']);
});

test('literal values are decoded', () => {
  const values = collect(parseStatement("SELECT 'it''s', E'a\\nb', $$x'y$$, 1_000, 2.5e1, -3, TRUE, FALSE, NULL"), 'Literal').map((l) => l.value);
  assert.deepEqual(values, ["it's", 'a\nb', "x'y", 1000, 25, -3, true, false, null]);
});

test('parameters carry their index or name', () => {
  const params = collect(parseStatement('SELECT ?, $2, $name'), 'Parameter').map((p) => [p.index, p.name]);
  assert.deepEqual(params, [[null, null], [2, null], [null, 'name']]);
});

test('an expression spans exactly its text', () => {
  const statement = parseStatement('SELECT a + f(b) * 2');
  assert.equal(statement.kind, 'SelectStatement');
  const core = statement.kind === 'SelectStatement' ? statement.query.body : null;
  const e = core?.kind === 'SelectCore' ? core.items[0]!.expression : null;
  assert.equal(e?.kind, 'BinaryOp');
  assert.deepEqual(e?.span, { start: 7, end: 19 });
});
