// Golden files under test/golden/<folder>/. A missing golden file fails the test (a golden file must be
// reviewed before it counts); SQLINFER_UPDATE_GOLDEN=1 writes every golden file from the current output,
// for an intended change (then review the diff).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../test/golden/', import.meta.url));

/** Compares `actual` with test/golden/`name` (e.g. `plan/explain.txt`). */
export function assertGolden(name: string, actual: string): void {
  const path = root + name;
  if (process.env['SQLINFER_UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `golden file test/golden/${name} is missing: run with SQLINFER_UPDATE_GOLDEN=1 to write it, then review it`);
  assert.equal(actual, readFileSync(path, 'utf8'), `output differs from golden file test/golden/${name}`);
}
