// The exit statuses a scheduler acts on (shell/exit-status.ts): 1 for a statement that will fail the same
// way again, 2 for usage, 75 for a transient I/O failure worth a retry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTransient } from '../shell/exit-status.js';
import { runCli } from './helpers/cli.js';

test('a full disk is worth a retry (75); bad SQL and a missing file are not (1)', async () => {
  const full = await runCli(['-c', "COPY (SELECT 1) TO '/dev/full' (FORMAT csv)"]);
  assert.equal(full.code, 75, full.stderr);
  assert.match(full.stderr, /No space left on device/);
  const bad = await runCli(['-c', 'SELEC 1']);
  assert.equal(bad.code, 1);
  const missing = await runCli(['-c', "SELECT * FROM 'no-such-file.parquet'"]);
  assert.equal(missing.code, 1, missing.stderr);
  const usage = await runCli(['--no-such-flag']);
  assert.equal(usage.code, 2);
});

test('transient failures are recognised by errno code or by the system message, through causes', () => {
  const eio = Object.assign(new Error('write failed'), { code: 'EIO' });
  assert.equal(isTransient(new Error('could not put the part in place', { cause: eio })), true);
  assert.equal(isTransient(new Error('IO Error: Could not write file "x": Stale file handle')), true);
  assert.equal(isTransient(Object.assign(new Error('no such file'), { code: 'ENOENT' })), false);
  assert.equal(isTransient(new Error('Binder Error: column "y" not found')), false);
});
