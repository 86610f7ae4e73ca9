// An error in a -f file names the file, the line and the column, compiler-style, with the line and a
// caret under the culprit; the statements after it do not run and the status is 1.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from './helpers/cli.js';

function scriptFile(name: string, text: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, name), text);
  return dir;
}

test("a parse error in a -f file reads 'file:line:column: Parse error: ...' with the caret", async () => {
  const cwd = scriptFile('queries.sql', "SELECT 1 AS one;\n.mode csv\n\nSELECT predict_resnet50(data) FORM t;\nSELECT 'never';\n");
  const run = await runCli(['-f', 'queries.sql'], { cwd });
  assert.equal(run.code, 1);
  assert.doesNotMatch(run.stdout, /never/);
  assert.equal(run.stderr, "queries.sql:4:31: Parse error: expected FROM, found 'FORM'\nSELECT predict_resnet50(data) FORM t;\n                              ^^^^\n");
});

test("DuckDB's errors in a -f file name the file and place the caret in the file's line", async () => {
  const cwd = scriptFile('q.sql', 'SELECT 1;\n.timer off\nSELECT 2;\n\nSELECT no_such_col\n  FROM range(1);\n');
  const run = await runCli(['-f', 'q.sql', '--format', 'csv'], { cwd });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^q\.sql:5:8: Execution error: Binder Error: Referenced column "no_such_col" not found[^]*\nSELECT no_such_col\n {7}\^{11}\n$/);
});

test('an error without a position names the file and the line where the statement starts', async () => {
  const cwd = scriptFile('w.sql', "SELECT 1;\n\nSELECT *\n  FROM 'missing.parquet';\n");
  const run = await runCli(['-f', 'w.sql'], { cwd });
  assert.equal(run.code, 1);
  assert.equal(run.stderr, 'w.sql:3: Execution error: IO Error: No files found that match the pattern "missing.parquet"\n');
});

test('piped stdin keeps positions counted from the start of the input, across dot commands', async () => {
  const run = await runCli([], { input: '.mode csv\nSELECT 1;\nSELECT no_such_col;\n' });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^Execution error at 3:8: Binder Error/);
});

test('in the interactive shell, an error in a .read file names the file and its line, CRLF lines too', async () => {
  const cwd = scriptFile('inner.sql', 'SELECT 1 AS one;\r\n.mode csv\r\nSELECT\r\n  no_such_col FROM range(1);\r\nSELECT 2 AS two;\r\n');
  const run = await runCli(['-i'], { cwd, input: '.read inner.sql\n' });
  assert.match(run.stderr, /^inner\.sql:4:3: Execution error: Binder Error: Referenced column "no_such_col" not found/);
  assert.match(run.stderr, /\n {2}no_such_col FROM range\(1\);\r?\n {2}\^{11}\n$/);
  // The shell goes on after a failed statement, as it does for typed ones.
  assert.match(run.stdout, /two\n2\n$/);
});
