// COPY with model calls writes its file only complete: next to the target under a temporary name, renamed
// into place when the statement succeeds, removed when it fails; an existing target survives a failure.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { SqlError } from '../engine/sql/sql-error.js';
import { duck, fixture, run, stagedTables, type Fixture } from './helpers/model-path-fixtures.js';

let f: Fixture;
let file: string;
before(async () => {
  f = await fixture();
  file = `'${f.dir}/image_data.parquet'`;
});
after(() => f.close());
beforeEach(() => {
  f.scale2.failOn = null;
});

const leftovers = () => readdirSync(f.dir).filter((name) => name.startsWith('.') || name.includes('sqlinfer'));

test('COPY writes the target with the model output and leaves no temporary file', async () => {
  const target = join(f.dir, 'predictions.parquet');
  const { rows } = await run(f, `COPY (SELECT id, scale2(data) AS prediction FROM ${file} WHERE id < 10) TO '${target}'`);
  assert.deepEqual(rows, [['10']]);
  assert.deepEqual(await duck(f, `SELECT id, prediction FROM '${target}' WHERE id = 2`), [['2', [4, 40]]]);
  assert.deepEqual(await duck(f, `SELECT typeof(prediction) FROM '${target}' LIMIT 1`), [['FLOAT[]']]);
  assert.deepEqual(leftovers(), []);
});

test('a row error fails the statement naming the row; the existing target is untouched', async () => {
  const target = join(f.dir, 'kept.csv');
  writeFileSync(target, 'previous contents\n');
  f.scale2.failOn = 42;
  await assert.rejects(
    run(f, `COPY (SELECT scale2(data) AS p FROM ${file}) TO '${target}'`),
    (error: unknown) => {
      assert.ok(error instanceof SqlError);
      assert.equal(error.phase, 'execute');
      assert.equal(error.code, 'model-row-error');
      assert.match(error.message, /^Execution error at 1:14: scale2 failed on row 43 \(filename 'f42'\): value 42 is not allowed$/);
      return true;
    },
  );
  assert.equal(readFileSync(target, 'utf8'), 'previous contents\n');
  assert.deepEqual(leftovers(), []);
  assert.equal(await stagedTables(f), 0);
});

test('a failure in the output stage removes the temporary file', async () => {
  const target = join(f.dir, 'never.parquet');
  await assert.rejects(
    run(f, `COPY (SELECT CASE WHEN id = 500 THEN error('bad row') ELSE scale2(data) END FROM ${file}) TO '${target}'`),
    /bad row/,
  );
  assert.deepEqual(readdirSync(f.dir).filter((n) => n.startsWith('never') || n.startsWith('.never')), []);
});

test('a successful COPY replaces an existing target', async () => {
  const target = join(f.dir, 'replaced.csv');
  writeFileSync(target, 'old\n');
  await run(f, `COPY (SELECT id, scale2(data)[1] AS x FROM ${file} WHERE id IN (1, 2)) TO '${target}' (HEADER)`);
  assert.equal(readFileSync(target, 'utf8'), 'id,x\n1,2.0\n2,4.0\n');
  assert.deepEqual(leftovers(), []);
});

test('aborting stops the model stage with code interrupted and cleans up', async () => {
  const controller = new AbortController();
  let runs = 0;
  f.scale2.onRun = () => {
    if (++runs === 3) controller.abort();
  };
  const target = join(f.dir, 'aborted.parquet');
  try {
    await assert.rejects(run(f, `COPY (SELECT scale2(data) FROM ${file}) TO '${target}'`, 7, controller.signal), (error: unknown) => {
      assert.ok(error instanceof SqlError);
      assert.equal(error.code, 'interrupted');
      return true;
    });
  } finally {
    f.scale2.onRun = null;
  }
  assert.ok(runs < 20, `the model kept running after the abort (${runs} batches)`);
  assert.deepEqual(leftovers(), []);
  assert.equal(await stagedTables(f), 0);
});
