// A model statement loads its models (prepare) while DuckDB reads the first input. The outcomes must stay
// what they were when the load came first: a load that fails is the statement's error, even when no row
// needs the model; an input that fails stops a load still in progress and is reported without waiting
// for it; no batch reaches a model before its load is done.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ArgBatch, ModelFunction, PrepareContext, PreparedCall, ResultColumn } from '../udfs/model-function.js';
import { duck, execute, fixture, settings, TestRegistry, type Fixture } from './helpers/model-path-fixtures.js';

let f: Fixture;
before(async () => {
  f = await fixture();
});
after(() => f.close());

/** `loaded(x FLOAT[]) -> FLOAT[]` returning x; its prepare does what `load` says, and it records the order of events. */
function loadedFunction(load: (context: PrepareContext) => Promise<void>) {
  const events: string[] = [];
  const fn: ModelFunction = {
    name: 'loaded',
    description: 'test: identity after a load',
    args: [{ name: 'x', kinds: ['float-list'], optional: false, constant: false }],
    resultType: 'FLOAT[]',
    async prepare(context): Promise<PreparedCall> {
      events.push('load started');
      await load(context);
      events.push('load done');
      return {
        description: 'loaded',
        resultType: 'FLOAT[]',
        async run(batch: ArgBatch): Promise<ResultColumn> {
          events.push('batch');
          const x = batch.columns[0]!;
          if (x.kind !== 'float-list') throw new Error('expected float-list');
          return { kind: 'float-list', values: x.values.slice(), offsets: x.offsets.slice(), valid: x.valid.slice() };
        },
      };
    },
  };
  return { fn, events };
}

async function stage(fn: ModelFunction, sql: string) {
  return execute({ connection: f.connection, registry: new TestRegistry([fn]), settings: settings(64, 2), openConnection: f.openConnection }, sql);
}

test('batches wait for the load, however long it takes, and then every row goes through', async () => {
  const { fn, events } = loadedFunction(() => new Promise((resolve) => setTimeout(resolve, 200)));
  const { rows } = await stage(fn, `SELECT count(*) FILTER (WHERE loaded(data)[2] = 10 * id) FROM '${f.dir}/image_data.parquet'`);
  assert.deepEqual(rows, [[String(1000 - 143)]]);
  assert.deepEqual(events.slice(0, 3), ['load started', 'load done', 'batch']);
});

test('a load that fails is the statement error, also when no row reaches the model', async () => {
  for (const where of ['id >= 0', 'id < 0']) {
    const { fn, events } = loadedFunction(() => Promise.reject(new Error('weights file is gone')));
    await assert.rejects(stage(fn, `SELECT loaded(data) FROM '${f.dir}/image_data.parquet' WHERE ${where}`), (error: unknown) => {
      assert.match(String(error), /loaded: weights file is gone/);
      return true;
    });
    assert.ok(!events.includes('batch'), where);
  }
});

test('an input that fails stops the load in progress and is reported at once, and the connection still works', async () => {
  let loadSignal: AbortSignal | undefined;
  // A load that only ends when it is told to stop.
  const { fn, events } = loadedFunction(
    (context) =>
      new Promise((_, reject) => {
        loadSignal = context.signal;
        context.signal?.addEventListener('abort', () => reject(new Error('load stopped')), { once: true });
      }),
  );
  await assert.rejects(
    stage(fn, `SELECT loaded([CAST(CASE WHEN id = 5 THEN 'five' ELSE id::VARCHAR END AS FLOAT)]) FROM '${f.dir}/image_data.parquet'`),
    /Could not convert string 'five' to FLOAT/,
  );
  assert.equal(loadSignal?.aborted, true, 'the load was told to stop');
  assert.deepEqual(events, ['load started']);
  assert.deepEqual(await duck(f, `SELECT count(*) FROM '${f.dir}/image_data.parquet'`), [['1000']]);
});
