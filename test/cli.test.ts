// The `sqlinfer` command run as a process: -c, -f, stdin, database files, exit codes, --help/--version.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliPath, runCli, tempDir } from './helpers/cli.js';
import { linearModel } from './helpers/onnx-model-fixtures.js';

const csv = ['--format', 'csv'];

test('-c runs one statement and exits 0', async () => {
  const r = await runCli([...csv, '-c', 'SELECT 42 AS answer']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'answer\n42\n');
  assert.equal(r.code, 0);
});

test('-c runs several statements in order, statements without rows print nothing', async () => {
  const r = await runCli([...csv, '-c', 'CREATE TABLE t AS SELECT range AS i FROM range(3); SELECT sum(i) AS s FROM t; SELECT count(*) AS n FROM t;']);
  assert.equal(r.stdout, 's\n3\nn\n3\n');
  assert.equal(r.code, 0);
});

test('repeated -c and -f run in command-line order, in one database', async () => {
  const dir = tempDir();
  const file = join(dir, 'script.sql');
  writeFileSync(file, "INSERT INTO t VALUES (2);\n-- a comment\nSELECT string_agg(a::VARCHAR, '+' ORDER BY a) AS a FROM t;\n");
  const r = await runCli([...csv, '-c', 'CREATE TABLE t (a INTEGER)', '-c', 'INSERT INTO t VALUES (1)', '-f', file, '-c', 'SELECT count(*) AS n FROM t']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'a\n1+2\nn\n2\n');
  assert.equal(r.code, 0);
});

test('SQL piped on stdin runs when there is no -c or -f', async () => {
  const r = await runCli(csv, { input: 'SELECT 1 AS a;\nSELECT\n  2 AS b;\n' });
  assert.equal(r.stdout, 'a\n1\nb\n2\n');
  assert.equal(r.code, 0);
});

test('a DuckDB database file is created and keeps its tables across runs', async () => {
  const db = join(tempDir(), 'data.duckdb');
  const first = await runCli([db, '-c', "CREATE TABLE kept AS SELECT 'hello' AS greeting"]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, '');
  const second = await runCli([db, ...csv, '-c', 'SELECT greeting FROM kept']);
  assert.equal(second.stdout, 'greeting\nhello\n');
  assert.equal(second.code, 0);
});

test('a failing statement prints DuckDB error with the position in the user text, exits 1 and stops', async () => {
  const r = await runCli([...csv, '-c', 'SELECT 1 AS a;\nSELECT * FROM no_such_table;\nSELECT 3 AS c;']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'a\n1\n');
  const lines = r.stderr.split('\n');
  assert.match(lines[0]!, /^Execution error at 2:15: Catalog Error: Table with name no_such_table does not exist!/);
  assert.ok(r.stderr.includes('SELECT * FROM no_such_table;\n              ^^^^^^^^^^^^^\n'), r.stderr);
});

test('a DuckDB syntax error names the position', async () => {
  const r = await runCli(['-c', 'SELECT 1 FORM t']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Execution error at 1:15: Parser Error: syntax error at or near "t"\nSELECT 1 FORM t\n {14}\^\n$/);
});

test('statements after a failing -c do not run', async () => {
  const r = await runCli([...csv, '-c', 'SELECT x', '-c', 'SELECT 2 AS b']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /Binder Error: Referenced column "x"/);
});

test('bad usage exits 2 with a usage line', async () => {
  for (const args of [['--no-such-flag'], ['--format', 'xml', '-c', 'SELECT 1'], ['-f', '/no/such/file.sql'], ['--model-threads', 'many', '-c', 'SELECT 1'], ['a.db', 'b.db']]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^sqlinfer: .+\nUsage: sqlinfer \[OPTIONS\] \[DATABASE\]\n/, args.join(' '));
  }
});

test('--help prints the usage and exits 0', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: sqlinfer \[OPTIONS\] \[DATABASE\]\n/);
  for (const flag of ['--command', '--file', '--format', '--interactive', '--model-threads', '--resnet50-weights', '--version']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

test('--version prints the package version', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`^sqlinfer ${version.replace(/\./g, '\\.')} \\(DuckDB v[\\d.]+\\)\\n$`));
});

test('model flags become engine settings', async () => {
  const r = await runCli([...csv, '--model-threads', '3', '--resnet50-weights', 'random', '-c', 'SHOW sqlinfer_settings']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^model_threads,3,/m);
  assert.match(r.stdout, /^resnet50_weights,random,/m);
});

test('--readonly opens a database read-only: queries and model statements run, changes fail, nothing is written', async () => {
  const dir = tempDir();
  const database = join(dir, 'kept.duckdb');
  writeFileSync(join(dir, 'linear.onnx'), linearModel());
  const made = await runCli([database, '-c', `CREATE TABLE t AS SELECT [1, 2, 3]::FLOAT[] AS x; CREATE MODEL lin FROM '${join(dir, 'linear.onnx')}'`]);
  assert.equal(made.code, 0, made.stderr);
  const before = readFileSync(database);
  const read = await runCli(['--readonly', database, '--format', 'csv', '-c', 'SELECT len(lin(x)) AS n FROM t; SELECT count(*) AS c FROM t']);
  assert.equal(read.stderr, '');
  assert.equal(read.stdout, 'n\n2\nc\n1\n');
  const changed = await runCli(['--readonly', database, '-c', 'INSERT INTO t VALUES ([4, 5, 6])']);
  assert.equal(changed.code, 1);
  assert.match(changed.stderr, /read-only mode/);
  assert.deepEqual(readFileSync(database), before);
  const missing = await runCli(['--readonly', join(dir, 'missing.duckdb'), '-c', 'SELECT 1']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot open database .*missing\.duckdb.*does not exist/);
  const inMemory = await runCli(['--readonly', '-c', 'SELECT 1']);
  assert.equal(inMemory.code, 2);
  assert.match(inMemory.stderr, /--readonly needs a DATABASE file/);
});

test('the executable sets glibc\'s trim threshold for node, so freed memory goes back to the system', async () => {
  // Run as the `sqlinfer` command is (npm links it): the file itself, through its #! line.
  const child = spawn(cliPath, ['-i', '--format', 'csv'], { cwd: tmpdir(), env: { ...process.env, NO_COLOR: '1', MALLOC_TRIM_THRESHOLD_: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    let stdout = '';
    const answered = new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.includes('n\n7\n')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`sqlinfer exited (${code}) before answering: ${stdout}`)));
    });
    child.stdin.write('SELECT 7 AS n;\n');
    await answered;
    // It is node now (env has replaced itself), still reading stdin: its environment is the one it started with.
    const environment = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
    assert.ok(environment.includes('MALLOC_TRIM_THRESHOLD_=131072'), environment.filter((v) => v.startsWith('MALLOC')).join(' '));
    child.stdin.end();
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
  } finally {
    child.kill();
  }
});
