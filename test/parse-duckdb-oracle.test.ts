// DuckDB as the oracle for extents and precedence: wrapping every expression node, set-operation
// operand and nested join in parentheses must give the same DuckDB parse tree (json_serialize_sql) as
// the original text. A span that is too short or too long, or an operator, set operation or join
// grouped differently from DuckDB, changes the tree.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Node } from '../engine/sql/ast.js';
import { parseStatement } from '../engine/sql/parser.js';
import { childrenOf } from '../engine/sql/walk.js';

const corpus = [
  'SELECT 1 + 2 * 3 - 4 / 5 % 6 // 7',
  'SELECT 2 ^ 3 ^ 2, 2 ** 3, -2 ^ 2, - a ^ 2, -a::INT',
  'SELECT NOT a = b AND c OR d AND NOT e',
  'SELECT a || b || c LIKE d, a + b < c * d, a = b AND b = c',
  'SELECT x BETWEEN 1 + 1 AND 3 AND y, x NOT BETWEEN a AND b OR c',
  "SELECT a IN (1, 2) AND b NOT IN (SELECT 1), c LIKE 'x' ESCAPE '!', d NOT ILIKE 'y', e GLOB 'z', f SIMILAR TO 'w'",
  'SELECT a IS NULL, b IS NOT NULL, c ISNULL, d NOTNULL, e IS DISTINCT FROM f, g IS NOT DISTINCT FROM h',
  'SELECT a IS TRUE, b IS NOT FALSE, NOT a IS NULL, a = b IS NULL',
  'SELECT a << 2 & b | c, ~a, @a, a & b = c, a ~~ b, a !~~ b, a ^@ b, a <-> b',
  'SELECT ~1 + 1, @ a * 2, ~a || b, ~ - 1',
  "SELECT j -> 'a', j ->> '$.b', j -> 'a' ->> 'b'",
  'SELECT CAST(a AS DECIMAL(15,2)), TRY_CAST(b AS INTEGER[]), c::FLOAT[], d::INTEGER[3], e::STRUCT(a INT, b VARCHAR[]), f::MAP(VARCHAR, INT), i::VARCHAR::INT',
  "SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END, CASE x WHEN 1 THEN 'a' END, CASE WHEN a > 1 THEN b + 1 END * 2",
  "SELECT DATE '1998-12-01' - INTERVAL '90' DAY, TIMESTAMP '2020-01-01' + INTERVAL 3 HOURS, INTERVAL '1 day', INTERVAL (n) MONTH",
  "SELECT EXTRACT(year FROM d), SUBSTRING(s FROM 1 FOR 2), substring(s, 1, 2), POSITION('a' IN s), TRIM(BOTH 'x' FROM s), trim(LEADING FROM s), trim(s)",
  'SELECT [1, 2, 3][1], l[1:2], l[:2], l[2:], {\'a\': 1, b: [1, 2]}, MAP {\'k\': 1}, map([1], [2]), ROW(1, 2), s.f, (s).f, s[\'f\'].g',
  'SELECT list_transform([1, 2, 3], x -> x + 1), list_reduce(l, (a, b) -> a + b), list_filter(l, lambda x: x > 1)',
  "SELECT f(a := 1, b => 2), string_agg(DISTINCT a, ',' ORDER BY a DESC), count(*) FILTER (WHERE c > 1), first(x IGNORE NULLS) OVER ()",
  'SELECT row_number() OVER (PARTITION BY a ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING), sum(x) OVER w FROM t WINDOW w AS (ORDER BY y RANGE BETWEEN 1 PRECEDING AND CURRENT ROW)',
  'SELECT a, sum(b) FROM t WHERE c > 1 GROUP BY GROUPING SETS ((a), (), (a, b)) HAVING count(*) > 1 QUALIFY row_number() OVER () = 1 ORDER BY a DESC NULLS FIRST LIMIT 10 OFFSET 2',
  'SELECT DISTINCT ON (a + 1) a, b FROM t ORDER BY a + 1, b',
  'SELECT * EXCLUDE (a) REPLACE (c + 1 AS c) FROM t',
  "SELECT COLUMNS('a.*') + 1, min(COLUMNS(*)) FROM t",
  'SELECT a FROM t1 NATURAL JOIN t2 ASOF LEFT JOIN t3 ON t1.ts >= t3.ts + 1 POSITIONAL JOIN t4 CROSS JOIN t5 SEMI JOIN t6 USING (id) ANTI JOIN t7 ON t1.a = t7.a AND t7.b',
  'SELECT * FROM t, LATERAL (SELECT t.a + 1) s(b), LATERAL unnest(t.l) u(x), (a JOIN b ON a.k = b.k) j',
  "SELECT * FROM read_parquet(['a.parquet', 'b.parquet'], hive_partitioning = true) AS p, 'x.csv' c, range(1 + 1) r(i)",
  'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n * 2 FROM r',
  'SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4 UNION ALL BY NAME SELECT 5 ORDER BY ALL LIMIT 10% OFFSET 2',
  'SELECT 1 EXCEPT SELECT 2 UNION SELECT 3 INTERSECT ALL SELECT 4',
  'VALUES (1) UNION (SELECT 2 UNION SELECT 3) INTERSECT DISTINCT VALUES (4)',
  'SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (y) RIGHT OUTER JOIN d ON true, e NATURAL JOIN f CROSS JOIN g',
  'FROM tbl SELECT a + 1 WHERE a > 1',
  'SELECT (SELECT max(x) FROM t) + 1, EXISTS (SELECT 1) AND NOT EXISTS (SELECT 2), ARRAY[1, 2], ((SELECT 1) + 1)',
  "SELECT a COLLATE nocase = b, ts AT TIME ZONE 'UTC' + INTERVAL 1 HOUR",
  'SELECT $1 + ?, 1_000 + .5 + 1e-3 + 1.e2, -1 - -2, 0x1F, 0b101',
  'SELECT total: a + b, c AS d, e f FROM t',
  "SELECT x.list_sum(), [1, 2].list_sum(), ('abc').upper(), (x + 1).abs()",
  'SELECT l[1:3:2], l[-1], l[a + 1:b * 2]',
  'SELECT a -> b + 1, a * - b',
  "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY b), lag(x, 1 RESPECT NULLS) OVER (ORDER BY y) FROM t",
  "SELECT left(s, 2) || right(s, 1), coalesce(a, b, c) + nullif(a, b), \"my func\"(x), main.f(x)",
  'VALUES (1 + 1, 2), (3, 4 * 2)',
  "SELECT * FROM t TABLESAMPLE 10%, 'x.parquet' AS x TABLESAMPLE reservoir(50 ROWS) REPEATABLE (1) WHERE a + 1 > 2 USING SAMPLE 10 PERCENT (bernoulli, 5)",
  'SELECT [x * i + 1 FOR x, i IN l IF x > 1 AND i < 3], [y FOR y IN [1, 2]], [], [1, 2,], #1, #2 + 1 FROM t',
  'SELECT a = ANY (SELECT 1), b > ALL (SELECT 2 UNION SELECT 3), c <> SOME (SELECT 4) FROM t',
  "SELECT 'a' SIMILAR TO 'b', E'x\\ny' || $$z$$ || $t$w$t$",
  'SELECT 2 * 3!, (2 + 1)!, 3 ! 2',
  'SELECT a NOT NULL, a + 1 NOT NULL = b, NOT a NOT NULL',
  'SELECT [1, 2, 3][:-:-1], l[: :2]',
  'SELECT x IN ((SELECT 1), (SELECT 2))',
  'SELECT cume_dist(ORDER BY i) OVER () FROM t',
  'SELECT a, count(*) FROM t GROUP BY GROUPING SETS (a, GROUPING SETS (b, (a, b), ()))',
  "SELECT * FROM VALUES (1), (2) v(b), (SELECT 1) nulls, t AS 'x', x : u, unnest([1, 2]) WITH ORDINALITY AS o(e, n)",
];

const expressionKinds = new Set<string>([
  'ColumnRef', 'Literal', 'TypedLiteral', 'IntervalLiteral', 'Parameter', 'FunctionCall', 'UnaryOp', 'BinaryOp',
  'Cast', 'CaseExpression', 'InList', 'InSubquery', 'Exists', 'Between', 'Like', 'IsNull', 'IsDistinctFrom',
  'IsBoolean', 'ListLiteral', 'ListComprehension', 'PositionalReference', 'StructLiteral', 'MapLiteral', 'Subscript', 'Slice', 'FieldAccess',
  'ScalarSubquery', 'Parenthesized', 'Collate', 'AtTimeZone',
]);

/** Every expression wrapped in parentheses, except where parentheses change the SQL's meaning. */
function parenthesizeAll(source: string, node: Node, parent: Node | null, grandparent: Node | null = null): string {
  let out = '';
  let at = node.span.start;
  for (const child of childrenOf(node)) {
    out += source.slice(at, child.span.start) + parenthesizeAll(source, child, node, parent);
    at = child.span.end;
  }
  out += source.slice(at, node.span.end);
  const wrap =
    expressionKinds.has(node.kind) &&
    parent?.kind !== 'TypedLiteral' &&
    parent?.kind !== 'IntervalLiteral' &&
    // EXCLUDE lists hold names, table functions and files in FROM are not values.
    parent?.kind !== 'Star' &&
    parent?.kind !== 'TableFunctionRef' &&
    parent?.kind !== 'FileRef' &&
    // EXTRACT's field word, kept as a string literal node.
    !(node.kind === 'Literal' && node.literalType === 'string' && !/^[eE]?['$]/.test(out)) &&
    // `x.f()` parses as the dotted name x.f; (x).f() would be a method call.
    !(node.kind === 'ColumnRef' && /^\s*\.\s*\w+\s*\(/.test(source.slice(node.span.end))) &&
    // A parenthesised COLUMNS(...) is no longer a star expression.
    !(node.kind === 'FunctionCall' && node.name.parts[0]!.name.toUpperCase() === 'COLUMNS') &&
    // `= ANY (query)` is one comparison form: neither the quantifier nor its operand stands alone.
    !isQuantifier(node) &&
    !(grandparent !== null && isQuantifier(grandparent));
  // Set-operation operands and nested joins in parentheses pin the tree shape of queries and FROM.
  const operand = parent?.kind === 'SetOperation' && node.kind !== 'ParenthesizedQuery';
  const nestedJoin = node.kind === 'JoinedFrom' && parent?.kind === 'JoinedFrom';
  return wrap || operand || nestedJoin ? `(${out})` : out;
}

function isQuantifier(node: Node): boolean {
  return node.kind === 'FunctionCall' && node.syntax === 'special' && /^(any|all|some)$/i.test(node.name.parts[0]!.name);
}

let instance: DuckDBInstance;
let connection: DuckDBConnection;

before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

after(() => {
  connection.closeSync();
  instance.closeSync();
});

/** DuckDB's parse tree of `sql`, without source positions. */
async function duckdbTree(sql: string): Promise<unknown> {
  const quoted = `'${sql.replace(/'/g, "''")}'`;
  const result = await connection.runAndReadAll(`SELECT json_serialize_sql(${quoted}, skip_null := true, skip_empty := true)`);
  const tree = JSON.parse(String(result.getRowsJson()[0]![0])) as Record<string, unknown>;
  assert.equal(tree['error'], false, `DuckDB rejects ${sql}: ${String(tree['error_message'])}`);
  return JSON.parse(JSON.stringify(tree), (key, value: unknown) => (key === 'query_location' ? undefined : value));
}

for (const sql of corpus) {
  test(`same DuckDB tree with every expression parenthesised: ${sql}`, async () => {
    const statement = parseStatement(sql);
    const wrapped = parenthesizeAll(sql, statement, null);
    assert.deepEqual(await duckdbTree(wrapped), await duckdbTree(sql), wrapped);
  });
}
