// DuckDB's dialect where a model call may stand: each construct parses into the node that says what it
// is; constructs kept as text (PIVOT, DESCRIBE in FROM) parse, and a model call inside one is refused by
// its name. The model path then runs them (test/model-path-dialect.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, NodeKind } from '../engine/sql/ast.js';
import { parseStatement } from '../engine/sql/parser.js';
import { walk } from '../engine/sql/walk.js';

/** The kinds of every node of the statement, with the operator of operators. */
function kinds(sql: string): string[] {
  const out: string[] = [];
  walk(parseStatement(sql), (node: Node) => {
    out.push('operator' in node ? `${node.kind}:${node.operator}` : node.kind);
  });
  return out;
}

function has(sql: string, ...wanted: (NodeKind | string)[]): void {
  const found = kinds(sql);
  for (const w of wanted) assert.ok(found.includes(w), `${sql}: no ${w} in ${found.join(' ')}`);
}

test('multi-row FROM VALUES with an alias is a relation', () => {
  const statement = parseStatement('SELECT m(b) FROM VALUES (1), (2) v(b)');
  assert.equal(statement.kind, 'SelectStatement');
  const core = statement.kind === 'SelectStatement' && statement.query.body.kind === 'SelectCore' ? statement.query.body : null;
  const from = core?.from[0];
  assert.equal(from?.kind, 'SubqueryRef');
  assert.equal(from?.kind === 'SubqueryRef' ? from.alias?.name.name : null, 'v');
  assert.equal(from?.kind === 'SubqueryRef' ? from.query.body.kind : null, 'ValuesList');
});

test('x IN ((SELECT 1), (SELECT 2)) is a list of subqueries; (SELECT ...) alone stays a subquery', () => {
  has('SELECT m(x) FROM t WHERE x IN ((SELECT 1), (SELECT 2))', 'InList', 'ScalarSubquery');
  has('SELECT m(x) FROM t WHERE x IN (SELECT 1)', 'InSubquery');
  has('SELECT m(x) FROM t WHERE x IN ((SELECT 1))', 'InSubquery');
});

test('i IN [1, 2] tests membership of a list', () => {
  has('SELECT m(x) FROM t WHERE i IN [1, 2]', 'BinaryOp:IN', 'ListLiteral');
  has('SELECT m(x) FROM t WHERE i NOT IN [1, 2]', 'UnaryOp:NOT', 'BinaryOp:IN');
  has('SELECT m(x) FROM t WHERE i IN lst AND j IN (1, 2)', 'BinaryOp:IN', 'InList');
});

test('INSERT: ON CONFLICT, RETURNING, DEFAULT and a trailing comma in VALUES, WITH before INSERT', () => {
  has('INSERT INTO t SELECT m(x) FROM s ON CONFLICT DO NOTHING', 'OnConflict');
  has('INSERT INTO t SELECT m(x) FROM s ON CONFLICT (i) WHERE i > 0 DO UPDATE SET j = excluded.j, k = 1 WHERE j > 0', 'OnConflict', 'Assignment');
  has('INSERT INTO t SELECT m(x) FROM s RETURNING i, j AS k', 'InsertStatement', 'SelectItem');
  has('INSERT INTO t VALUES (1, DEFAULT), (2, 3,)', 'DefaultValue', 'ValuesRow');
  has('SELECT m(a) FROM (VALUES (1, 2), (3, 4), ) AS t(a, b)', 'ValuesRow');
  const statement = parseStatement('WITH s AS (SELECT 1 AS x) INSERT INTO t SELECT m(x) FROM s');
  assert.equal(statement.kind, 'InsertStatement');
  assert.equal(statement.span.start, 0);
  assert.equal(statement.kind === 'InsertStatement' ? statement.query.with?.ctes[0]?.name.name : null, 's');
  assert.throws(() => parseStatement('WITH s AS (SELECT 1) INSERT INTO t WITH u AS (SELECT 2) SELECT 1'), /one WITH clause/);
});

test('FROM (DESCRIBE t), (SUMMARIZE t), PIVOT and UNPIVOT are relations kept as text', () => {
  const constructs = (sql: string) => {
    const found: string[] = [];
    walk(parseStatement(sql), (node) => {
      if (node.kind === 'OpaqueFrom') found.push(`${node.construct} ${sql.slice(node.body.start, node.body.end)} ${node.alias?.name.name ?? ''}`.trim());
    });
    return found;
  };
  assert.deepEqual(constructs('SELECT m(x) FROM (DESCRIBE t)'), ['DESCRIBE (DESCRIBE t)']);
  assert.deepEqual(constructs('SELECT m(x) FROM (SUMMARIZE t) s'), ['SUMMARIZE (SUMMARIZE t) s']);
  assert.deepEqual(constructs('SELECT m(x) FROM (DESC ALL) d'), ['DESCRIBE (DESC ALL) d']);
  assert.deepEqual(constructs("SELECT m(x) FROM t PIVOT (sum(v) FOR k IN ('a', 'b')) AS p"), ["PIVOT t PIVOT (sum(v) FOR k IN ('a', 'b')) p"]);
  assert.deepEqual(constructs('SELECT m(x) FROM (PIVOT t ON k USING sum(v))'), ['PIVOT (PIVOT t ON k USING sum(v))']);
  assert.deepEqual(constructs('SELECT m(x) FROM t UNPIVOT INCLUDE NULLS (v FOR k IN (a, b))'), ['UNPIVOT t UNPIVOT INCLUDE NULLS (v FOR k IN (a, b))']);
  assert.deepEqual(constructs('SELECT m(x) FROM (UNPIVOT t ON a, b INTO NAME k VALUE v) u JOIN w USING (k)'), ['UNPIVOT (UNPIVOT t ON a, b INTO NAME k VALUE v) u']);
  // A WITH clause before PIVOT belongs to the PIVOT; before SELECT, the query is parsed as usual.
  assert.deepEqual(constructs('SELECT m(x) FROM (WITH s AS (SELECT 1 AS k) PIVOT s ON k) q'), ['PIVOT (WITH s AS (SELECT 1 AS k) PIVOT s ON k) q']);
  assert.deepEqual(constructs('SELECT m(x) FROM (WITH s AS (SELECT 1 AS k) SELECT * FROM s) q'), []);
});

test('COPY options without parentheses', () => {
  const options = (sql: string) => {
    const statement = parseStatement(sql);
    return statement.kind === 'CopyStatement' ? statement.options?.options.map((o) => [o.name.name, o.value?.kind ?? null]) : null;
  };
  assert.deepEqual(options("COPY (SELECT m(x) FROM t) TO 'f.csv' CSV HEADER DELIMITER AS ','"), [['CSV', null], ['HEADER', null], ['DELIMITER', 'Literal']]);
  assert.deepEqual(options("COPY (SELECT m(x) FROM t) TO 'f.csv' WITH HEADER"), [['HEADER', null]]);
  assert.deepEqual(options("COPY (SELECT m(x) FROM t) TO 'f.csv' WITH (HEADER)"), [['HEADER', null]]);
});

test('CREATE TABLE ... AS ... WITH [NO] DATA', () => {
  const data = parseStatement('CREATE TABLE t2 AS SELECT m(x) FROM t WITH DATA');
  const noData = parseStatement('CREATE TABLE t2 AS SELECT m(x) FROM t WITH NO DATA');
  assert.equal(data.kind === 'CreateTableAsStatement' && !data.noData, true);
  assert.equal(noData.kind === 'CreateTableAsStatement' && noData.noData, true);
});

test('cume_dist(ORDER BY i) OVER (), struct_pack(*COLUMNS(*)), WITH ORDINALITY', () => {
  const statement = parseStatement('SELECT m(x), cume_dist(ORDER BY i) OVER () FROM t');
  const calls: { name: string; args: number; orderBy: number }[] = [];
  walk(statement, (node) => {
    if (node.kind === 'FunctionCall') calls.push({ name: node.name.parts[0]!.name, args: node.args.length, orderBy: node.orderBy?.length ?? 0 });
  });
  assert.deepEqual(calls[1], { name: 'cume_dist', args: 0, orderBy: 1 });
  has('SELECT m(x), struct_pack(*COLUMNS(*)) FROM t', 'UnaryOp:*', 'Star');
  walk(parseStatement('SELECT m(x) FROM unnest([1, 2]) WITH ORDINALITY AS u(x, n)'), (node) => {
    if (node.kind === 'TableFunctionRef') assert.equal(node.ordinality, true);
  });
});

test('aliases: (...) nulls, t AS \'x\', x : t', () => {
  const aliases = (sql: string) => {
    const names: string[] = [];
    walk(parseStatement(sql), (node) => {
      if (node.kind === 'TableAlias') names.push(node.name.name);
    });
    return names;
  };
  assert.deepEqual(aliases('SELECT m(x) FROM (SELECT 1 AS x) nulls'), ['nulls']);
  assert.deepEqual(aliases("SELECT m(x) FROM t AS 'my t'"), ['my t']);
  assert.deepEqual(aliases('SELECT m(x) FROM x : t, y: read_parquet(\'a.parquet\')'), ['x', 'y']);
  assert.deepEqual(aliases("SELECT m(x) FROM 'my values' : (VALUES (42))"), ['my values']);
  assert.deepEqual(aliases('SELECT m(generated.i) FROM range(3) generated(i)'), ['generated']);
  // NULLS FIRST after ORDER BY is still no alias.
  assert.deepEqual(aliases('SELECT m(x) FROM t ORDER BY x NULLS FIRST'), []);
  // Words that may follow an expression are aliases after a relation.
  assert.deepEqual(aliases('SELECT m(current.x) FROM cc changed, edges current, t rows, u filter'), ['changed', 'current', 'rows', 'filter']);
});

test('struct, map, try_cast and generated are column and table names where no type, call or literal follows', () => {
  const names: string[] = [];
  walk(parseStatement("SELECT m(x), struct, map, try_cast, generated, struct_pack(a := 1), MAP {'k': 1}, TRY_CAST(1 AS INT) FROM try_cast, struct"), (node) => {
    if (node.kind === 'ColumnRef') names.push(node.parts.map((p) => p.name).join('.'));
    if (node.kind === 'TableRef') names.push(`table ${node.name.parts.map((p) => p.name).join('.')}`);
  });
  assert.deepEqual(names, ['x', 'struct', 'map', 'try_cast', 'generated', 'table try_cast', 'table struct']);
});

test("a table alias's column names may be strings: AS 't'('k')", () => {
  const aliases: string[] = [];
  walk(parseStatement("SELECT m(t.k) FROM integers AS 't'('k', j)"), (node) => {
    if (node.kind === 'TableAlias') aliases.push(`${node.name.name}(${node.columns?.map((c) => c.name).join(', ')})`);
  });
  assert.deepEqual(aliases, ['t(k, j)']);
});

test('WITH RECURSIVE ... USING KEY', () => {
  has('WITH RECURSIVE t(k, v) USING KEY (k) AS (SELECT 1, 2 UNION SELECT k, v + 1 FROM t WHERE v < 3) SELECT m(k) FROM t', 'CommonTableExpression');
});

test('slices with steps, nested GROUPING SETS, postfix !', () => {
  walk(parseStatement('SELECT m(x), [1, 2, 3][:-:-1] FROM t'), (node) => {
    if (node.kind === 'Slice') {
      assert.equal(node.start, null);
      assert.equal(node.end, null);
      assert.equal(node.step?.kind, 'Literal');
    }
  });
  let nested = 0;
  walk(parseStatement('SELECT m(x) FROM t GROUP BY GROUPING SETS (a, GROUPING SETS (b, ()), ROLLUP (a, b))'), (node) => {
    if (node.kind === 'GroupingSets') nested++;
  });
  assert.equal(nested, 2);
  has('SELECT m(x), 3! FROM t', 'UnaryOp:!');
  has('SELECT m(x), finalize(sum(i) EXPORT_STATE) FROM t', 'FunctionCall');
  has('SELECT m(x), 3 ! 2 FROM t', 'BinaryOp:!');
});

test('TABLE t is a query: in FROM, after WITH, as a set operand', () => {
  has('SELECT m(x) FROM (TABLE t) q', 'SubqueryRef', 'TableQuery');
  has('SELECT m(x) FROM (WITH s AS (SELECT 1) TABLE s) q', 'WithClause', 'TableQuery');
  has('SELECT m(x) FROM ((VALUES (5)) EXCEPT TABLE t) q', 'SetOperation:except', 'TableQuery');
});

test('the SQL standard\'s list and array types: INTEGER ARRAY, INTEGER ARRAY[3]', () => {
  const types: string[] = [];
  walk(parseStatement('SELECT m(x), l::INTEGER ARRAY[3], CAST(l AS INT ARRAY), NULL::INTEGER ARRAY ARRAY[3], NULL::INT[2][] FROM t'), (node) => {
    if (node.kind === 'TypeName') types.push(node.text);
  });
  assert.deepEqual(types, ['INTEGER ARRAY[3]', 'INT ARRAY', 'INTEGER ARRAY ARRAY[3]', 'INT[2][]']);
});

test('a trailing comma in a star\'s EXCLUDE, REPLACE and RENAME lists', () => {
  const lengths: (number | undefined)[][] = [];
  walk(parseStatement('SELECT m(x), * EXCLUDE (a, b,) REPLACE (c + 1 AS c,) RENAME (t.d AS e,) FROM t'), (node) => {
    if (node.kind === 'Star') lengths.push([node.exclude?.length, node.replace?.length, node.rename?.length]);
  });
  assert.deepEqual(lengths, [[2, 1, 1]]);
});

test("LIMIT ALL; EXCLUDE ('i') with names as strings; a join in parentheses whose first relation is a subquery", () => {
  walk(parseStatement('SELECT m(x) FROM t LIMIT ALL OFFSET 1'), (node) => {
    if (node.kind === 'LimitClause') assert.deepEqual([node.limit, node.offset?.kind], [null, 'Literal']);
  });
  const excluded: string[] = [];
  walk(parseStatement("SELECT m(x), t.* EXCLUDE ('i', j) FROM t"), (node) => {
    if (node.kind === 'Star') excluded.push(...(node.exclude ?? []).map((c) => c.parts.map((p) => p.name).join('.')));
  });
  assert.deepEqual(excluded, ['i', 'j']);
  has('SELECT t.*, m(x) FROM ((VALUES (1), (2)) AS t1 (a) CROSS JOIN (VALUES (3)) AS t2 (b)) AS t', 'ParenthesizedFrom', 'JoinedFrom', 'SubqueryRef');
  // A subquery in parentheses is still a subquery.
  has('SELECT m(x) FROM ((SELECT 1 AS x)) AS s', 'SubqueryRef');
});

test('typed literals whose type has several words or modifiers', () => {
  const types: string[] = [];
  walk(
    parseStatement(
      "SELECT m(x), TIMESTAMP WITH TIME ZONE '2023-01-01 00:00:00+00', CHARACTER VARYING 'a', NATIONAL CHARACTER 'b', NUMERIC(10, 2) '5.5', TIMESTAMP(3) '2024-01-01', DATE '2024-01-01' FROM t",
    ),
    (node) => {
      if (node.kind === 'TypedLiteral') types.push(node.type.text);
    },
  );
  assert.deepEqual(types, ['TIMESTAMP WITH TIME ZONE', 'CHARACTER VARYING', 'NATIONAL CHARACTER', 'NUMERIC(10, 2)', 'TIMESTAMP(3)', 'DATE']);
  // A call followed by something else stays a call.
  has('SELECT m(x), round(1, 2) FROM t', 'FunctionCall');
});

test("a CTE named by a string: WITH 'df.parquet' AS (...)", () => {
  const names: string[] = [];
  walk(parseStatement("WITH 'df.parquet' AS (SELECT 1 AS x) SELECT m(x) FROM 'df.parquet'"), (node) => {
    if (node.kind === 'CommonTableExpression') names.push(node.name.name);
  });
  assert.deepEqual(names, ['df.parquet']);
});

test('FETCH FIRST/NEXT n ROWS ONLY, * REPLACE without parentheses, a PIVOT as a CTE, trailing commas in FROM and GROUP BY, * AS name, INTERVAL fields, escapes without digits', () => {
  const limits: string[] = [];
  walk(parseStatement('SELECT m(a) FROM t ORDER BY a OFFSET 1 ROWS FETCH NEXT (1 + 1) ROWS ONLY'), (node) => {
    if (node.kind === 'LimitClause') limits.push(`${node.limit?.kind}/${node.offset?.kind}`);
  });
  assert.deepEqual(limits, ['Parenthesized/Literal']);
  walk(parseStatement('SELECT * REPLACE i + 100 AS i, m(j) FROM t'), (node) => {
    if (node.kind === 'Star') assert.deepEqual(node.replace?.map((r) => r.name.name), ['i']);
  });
  has('WITH p AS (PIVOT s ON month USING sum(amount) GROUP BY id) SELECT m(id) FROM p', 'CommonTableExpression', 'OpaqueFrom');
  for (const sql of ['SELECT m(x) FROM t,', 'SELECT i, m(i) FROM t GROUP BY i,', 'SELECT m(x) FROM t, WHERE x > 1', 'SELECT * AS idx, m(idx) FROM t']) parseStatement(sql);
  has("SELECT m(x), '5 days'::INTERVAL DAY TO SECOND, CAST('1' AS INTERVAL YEAR) FROM t", 'Cast');
  walk(parseStatement("SELECT m(x), e'\\x' FROM t"), (node) => {
    if (node.kind === 'Literal' && node.literalType === 'string') assert.equal(node.value, 'x');
  });
});
