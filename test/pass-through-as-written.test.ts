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
