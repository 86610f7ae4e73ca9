// The Spark tests (python/tests/test_spark.py, on a real local Spark) when pyspark and sqlinfer_spark are
// importable: `.ci/run` installs them (pip install pyspark pyarrow ./python). Elsewhere they are skipped,
// and the skip says so.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { cliPath, tempDir } from './helpers/cli.js';
import { linearModel } from './helpers/onnx-model-fixtures.js';

const python = process.env['PYTHON'] ?? 'python3';
const testFile = fileURLToPath(new URL('../../python/tests/test_spark.py', import.meta.url));

function missingPythonSide(): string | null {
  const probe = spawnSync(python, ['-c', 'import pyspark, pyarrow, sqlinfer_spark'], { encoding: 'utf8' });
  if (probe.error !== undefined) return `${python} cannot run (${probe.error.message})`;
  if (probe.status !== 0) return probe.stderr.trim().split('\n').at(-1) ?? 'import failed';
  return null;
}

const missing = missingPythonSide();
const skip = missing === null ? false : `the Spark tests did NOT run: ${missing}; to run them: pip install pyspark pyarrow ./python`;

test('sqlinfer_spark on a local Spark (python/tests/test_spark.py)', { skip }, async (t) => {
  const dir = tempDir();
  const onnx = join(dir, 'linear.onnx');
  await writeFile(onnx, linearModel());
  const env = { ...process.env, SQLINFER: `${process.execPath} ${cliPath}`, SQLINFER_TEST_ONNX: onnx, PYTHONWARNINGS: 'ignore' };
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(python, [testFile], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ code: status, output }));
  });
  const summary = output.split('\n').filter((line) => /^(test_\w+ .*\.\.\. |Ran \d+ tests|OK|FAILED|ERROR:|FAIL:)/.test(line));
  for (const line of summary) t.diagnostic(line);
  assert.equal(code, 0, output.slice(-20_000));
});
