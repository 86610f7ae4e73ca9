// Golden tests of the parser: each statement's AST dump is compared with test/golden/parse/<name>.txt.
// Regenerate after an intended change with SQLINFER_UPDATE_GOLDEN=1.
import { test } from 'node:test';
import { dumpAst } from './helpers/dump-ast.js';
import { parseStatement } from '../engine/sql/parser.js';
import { assertGolden } from './helpers/golden.js';


const cases: Record<string, string> = {
  'select-basic': 'SELECT a, b AS c, d e, "q""x" FROM t WHERE a > 1',
  'select-prefix-alias-trailing-comma': 'SELECT total: a + b, n: count(*), FROM t',
  'select-distinct-on': 'SELECT DISTINCT ON (a) a, b FROM t ORDER BY a, b DESC NULLS LAST',
  'select-star-modifiers': 'SELECT * EXCLUDE (a, t.b) REPLACE (c + 1 AS c), t.* RENAME (x AS y) FROM t',
  'select-columns': "SELECT COLUMNS('a.*'), COLUMNS(c -> c LIKE 'x%'), min(COLUMNS(*)) FROM t",
  'from-first': 'FROM tbl SELECT a WHERE a > 1',
  'from-bare-file': "FROM 'data/*.parquet'",
  'from-table-function': "SELECT * FROM read_parquet(['a.parquet', 'b.parquet'], hive_partitioning = true) AS p(x, y)",
  'joins': 'SELECT 1 FROM a NATURAL JOIN b ASOF LEFT JOIN c ON a.ts >= c.ts POSITIONAL JOIN d CROSS JOIN e SEMI JOIN f USING (id) ANTI JOIN g ON true FULL OUTER JOIN h ON x',
  'lateral-and-subqueries': 'SELECT * FROM t, LATERAL (SELECT t.a + 1) s(b), LATERAL unnest(t.l) u(x), (a JOIN b ON a.k = b.k) j',
  'with-recursive': 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3), m AS MATERIALIZED (SELECT 2) SELECT * FROM r, m',
  'set-operations': 'SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4 UNION ALL BY NAME (SELECT 5) ORDER BY ALL DESC LIMIT 10% OFFSET 2',
  'values': "VALUES (1, 'a'), (2, 'b')",
  'group-by': 'SELECT a, sum(b) FROM t GROUP BY GROUPING SETS ((a), (), (a, b)), ROLLUP (c) HAVING count(*) > 1 QUALIFY x',
  'group-by-all': 'SELECT a, count(*) FROM t GROUP BY ALL ORDER BY ALL',
  'samples': "SELECT * FROM t TABLESAMPLE 10%, 'x.parquet' AS x TABLESAMPLE reservoir(50 ROWS) REPEATABLE (1) WHERE a USING SAMPLE 10 PERCENT (bernoulli, 5)",
  'window': 'SELECT sum(x) OVER w, row_number() OVER (PARTITION BY a ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING EXCLUDE TIES) FROM t WINDOW w AS (ORDER BY ts RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW)',
  'aggregate-modifiers': "SELECT string_agg(DISTINCT a, ',' ORDER BY a DESC), percentile_cont(0.5) WITHIN GROUP (ORDER BY b), count(*) FILTER (WHERE c), first(x IGNORE NULLS) OVER () FROM t",
  'precedence': 'SELECT 1 + 2 * 3 ^ 2, -a::int, NOT a = b AND c OR d, a || b LIKE c, x BETWEEN 1 + 1 AND 3 AND y',
  'predicates': "SELECT a IN (1, 2), b NOT IN (SELECT x FROM y), EXISTS (SELECT 1), c NOT ILIKE 'x' ESCAPE '!', d SIMILAR TO 'a', e IS NOT DISTINCT FROM f, g IS NOT TRUE, h ISNULL, i IS NOT NULL",
  'casts': 'SELECT CAST(a AS DECIMAL(15,2)), TRY_CAST(b AS INTEGER[]), c::FLOAT[3], d::STRUCT(a INT, b MAP(VARCHAR, INT)), e::DOUBLE PRECISION',
  'case': "SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END, CASE x WHEN 1 THEN 'a' END",
  'literals': "SELECT 'it''s', E'a\\tb', $$d$$, 1_000, .5, -1, TRUE, NULL, DATE '1998-12-01', INTERVAL '90' DAY, INTERVAL 3 HOURS, $1, ?, $name",
  'nested-values': "SELECT [1, 2][1], l[1:2], l[:-1], {'a': 1, b: [2]}, MAP {'k': 1}, ROW(1, 2), (1, 2), s.f.g, (s).f, x.list_sum(), f(x).y",
  'list-comprehension': 'SELECT [x * i FOR x, i IN l IF x > 1], #1 FROM t',
  'lambdas': 'SELECT list_transform(l, x -> x + 1), list_reduce(l, (a, b) -> a + b), list_filter(l, lambda x: x > 1), j -> \'$.a\'',
  'named-arguments': "SELECT f(a := 1, b => 2), read_csv('x.csv', header = true)",
  'special-calls': "SELECT EXTRACT(year FROM d), SUBSTRING(s FROM 1 FOR 2), POSITION('a' IN s), TRIM(BOTH 'x' FROM s), OVERLAY(s PLACING 'x' FROM 2)",
  'copy-query': "COPY (SELECT predict(data) AS p FROM 'in.parquet') TO 'out.parquet' (FORMAT PARQUET, COMPRESSION zstd, PARTITION_BY (a, b))",
  'copy-table': "COPY tbl(a, b) TO 'x.csv' WITH (HEADER, DELIMITER '|')",
  'create-table-as': 'CREATE OR REPLACE TEMP TABLE IF NOT EXISTS s.t (a, b) AS SELECT 1, 2',
  'insert': 'INSERT OR IGNORE INTO t (a, b) SELECT 1, 2',
  'insert-by-name': 'INSERT INTO t BY NAME (SELECT 1 AS a)',
  'explain-analyze': "EXPLAIN ANALYZE COPY (SELECT 1) TO 'x.parquet'",
  'keywords-as-names': 'SELECT name, type, value, data, year, date, filter, key, left(s, 1), a AS "from", b AS select FROM data',
};

for (const [name, sql] of Object.entries(cases)) {
  test(`parse ${name}`, () => {
    const actual = `${sql}\n---\n${dumpAst(parseStatement(sql))}\n`;
    assertGolden(`parse/${name}.txt`, actual);
  });
}
