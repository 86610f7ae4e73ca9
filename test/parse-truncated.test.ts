// Robustness: every prefix of real statements either parses or fails with a SqlError that points
// inside the text; the parser never crashes or loops on incomplete input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lex } from '../engine/sql/lexer.js';
import { parseStatement } from '../engine/sql/parser.js';
import { SqlError } from '../engine/sql/sql-error.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/tpch/', import.meta.url));
const statements = [
  ...Array.from({ length: 22 }, (_, i) => readFileSync(`${fixtures}q${String(i + 1).padStart(2, '0')}.sql`, 'utf8')),
  "COPY (SELECT predict(data) AS p, [x FOR x IN l IF x > 0] FROM 'in.parquet' TABLESAMPLE 5%) TO 'out.parquet' (FORMAT PARQUET)",
  "SELECT {'a': [1, 2][1:2]}, MAP {1: 2}, CAST(x AS STRUCT(a INT[])), f(a := 1, x -> x + 1) OVER (ROWS 1 PRECEDING) FROM t",
  'WITH w AS (FROM t SELECT a) INSERT INTO u BY NAME SELECT * EXCLUDE (a) FROM w',
];

test('every token prefix of a statement parses or fails with a positioned SqlError', () => {
  let failures = 0;
  for (const sql of statements) {
    for (const token of lex(sql).tokens) {
      const prefix = sql.slice(0, token.start);
      try {
        parseStatement(prefix);
      } catch (e) {
        assert.ok(e instanceof SqlError, `${JSON.stringify(prefix)} threw ${String(e)}`);
        assert.ok(e.span !== undefined && e.span.start <= prefix.length, `no position for ${JSON.stringify(prefix)}`);
        failures++;
      }
    }
  }
  assert.ok(failures > 0);
});
