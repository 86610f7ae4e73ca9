// Golden files for the model-path tests, in test/golden/plan/. Set SQLINFER_UPDATE_GOLDEN=1 to rewrite
// them from the current output (then review the diff).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../test/golden/plan/', import.meta.url));

export function assertGolden(name: string, actual: string): void {
  const path = dir + name;
  if (process.env['SQLINFER_UPDATE_GOLDEN'] === '1' || !existsSync(path)) {
    writeFileSync(path, actual);
    return;
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `output differs from golden file ${name}`);
}
