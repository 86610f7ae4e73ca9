// An error about one argument of a model call points at that argument, with a code of its own, before
// any model loads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine } from '../engine/index.js';
import { SqlError } from '../engine/sql/sql-error.js';
import { createUdfs } from '../udfs/index.js';

const cases: [string, string, string, RegExp][] = [
  [`SELECT predict_resnet50([1.0]::FLOAT[], 'Bogus') FROM range(1)`, `'Bogus'`, 'model-call-argument-value', /preprocess\) of predict_resnet50 must be 'caffe', 'tf' or 'none', found 'Bogus'/],
  [`SELECT predict_resnet50(42) FROM range(1)`, '42', 'model-call-argument-type', /must be FLOAT\[\] or BLOB, found INTEGER/],
  [`SELECT predict_resnet50([1.0]::FLOAT[], 7) FROM range(1)`, '7', 'model-call-argument-type', /must be VARCHAR, found 7/],
];

for (const [sql, argument, code, message] of cases) {
  test(`${code}: ${sql}`, async () => {
    const udfs = createUdfs();
    const engine = await createEngine({ udfs, settings: { resnet50_weights: 'random' } });
    try {
      const error = await engine.run(sql).then(() => assert.fail('expected a plan error'), (e: unknown) => e);
      assert.ok(error instanceof SqlError);
      assert.equal(error.code, code);
      assert.equal(error.phase, 'plan');
      assert.match(error.detail, message);
      assert.equal(sql.slice(error.span!.start, error.span!.end), argument);
    } finally {
      await engine.close();
    }
  });
}
