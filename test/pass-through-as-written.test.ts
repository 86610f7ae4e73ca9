// A statement without model calls reaches DuckDB as the user wrote it, comments and `;` included, the way
// DuckDB splits a script itself: current_query() shows it, and DuckDB's error positions still point into
// the user's text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine } from '../engine/engine.js';
import { SqlError } from '../engine/sql/sql-error.js';

test('current_query() is the statement as written', async () => {
  const engine = await createEngine();
  try {
    const results = await engine.run('SELECT current_query() AS q; /* why */\nSELECT current_query() AS q; -- tail');
    assert.deepEqual(results.map((r) => r.rows), [[['SELECT current_query() AS q;']], [[' /* why */\nSELECT current_query() AS q; -- tail']]]);
    const error = await engine.run('SELECT 1;\n  SELECT * FROM nope; -- x').catch((e: unknown) => e);
    assert.ok(error instanceof SqlError);
    assert.match(error.message, /at 2:17:/);
  } finally {
    await engine.close();
  }
});

test("statements that give no rows run as DuckDB's plain queries: a failure rolls back, current_query_id() has its id", async () => {
  const engine = await createEngine();
  try {
    await engine.run('CREATE TABLE t AS SELECT range::INTEGER AS i FROM range(3);');
    // DuckDB runs this as two statements in one transaction; prepared, the failure left it aborted.
    const error = await engine.run('ALTER TABLE t ADD COLUMN d INTEGER DEFAULT no_such_function();').catch((e: unknown) => e);
    assert.ok(error instanceof SqlError);
    assert.match(error.message, /no_such_function/);
    assert.deepEqual((await engine.run('SELECT count(*) FROM t;'))[0]!.rows, [[3n]]);
    const [, id] = await engine.run('SET VARIABLE q = current_query_id() + 1; SELECT current_query_id() - getvariable(\'q\') AS d;');
    assert.deepEqual(id!.rows, [[0n]]);
  } finally {
    await engine.close();
  }
});
