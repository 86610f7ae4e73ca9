// Model statements in a real terminal (tmux), with ResNet-50 on random weights over generated JPEGs:
// the progress line shows while the model runs and is gone after; Ctrl-C cancels a long statement (the
// prompt comes back, no output file is left, the next statements run, a model one included); in -c mode
// Ctrl-C ends the command with status 130 and no output.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { tempDir } from './helpers/cli.js';
import { Terminal } from './helpers/tmux.js';

const sampleData = fileURLToPath(new URL('../scripts/sample-data.js', import.meta.url));
/** Enough images that predict_resnet50 over all of them runs for several seconds. */
const images = 160;
/** Loading the model and its first batch on a busy 2-core machine. */
const modelMs = 60000;

let dir: string;
const terminals: Terminal[] = [];

before(() => {
  dir = tempDir();
  execFileSync(process.execPath, [sampleData, '--images', String(images), '--out', join(dir, 'img')]);
});
after(() => terminals.forEach((t) => t.close()));

async function start(options: { args?: string[]; stdout?: string; prompt?: boolean } = {}): Promise<Terminal> {
  const terminal = Terminal.start({
    cwd: dir,
    home: tempDir('sqlinfer-home-'),
    env: { SQLINFER_RESNET50_WEIGHTS: 'random' },
    // Small batches: progress moves often and a cancelled batch is short.
    args: ['--model-batch-size', '4', ...(options.args ?? [])],
    ...(options.stdout !== undefined ? { stdout: options.stdout } : {}),
  });
  terminals.push(terminal);
  if (options.prompt !== false) await terminal.waitForPrompt(30000);
  return terminal;
}

const predictAll = `SELECT filename, predict_resnet50(image_to_tensor(content)) AS p FROM read_blob('img/*/*.jpg')`;
const progressLine = /(image_to_tensor|predict_resnet50): \d+\/\d+ rows \(\d+%\)[^\n]* · elapsed \d/;
/** The model has finished at least one batch: the statement is well under way. */
const underWay = new RegExp(`predict_resnet50: [1-9]\\d*/${images} rows[^\\n]*rows/s`);

test('a model statement shows a progress line on stderr while it runs, erased when it ends', async () => {
  const t = await start();
  t.enter(`SELECT count(p) AS predictions FROM (${predictAll} LIMIT 12);`);
  const during = await t.waitFor(/predict_resnet50: \d+\/12 rows/, modelMs, 'the progress line');
  assert.match(during, progressLine);
  const done = await t.waitFor(/1 row\nsqlinfer>$/, modelMs, 'the result');
  assert.match(done, /│ +12 │/);
  assert.doesNotMatch(done, /rows\/s|elapsed/);
  t.enter('.quit');
  assert.equal(await t.waitForExit(), 0);
});

test('Ctrl-C cancels a running model statement: Cancelled, the prompt, no output file, the next statements run', async () => {
  const t = await start();
  t.enter(`COPY (${predictAll}) TO 'predictions.parquet';`);
  await t.waitFor(underWay, modelMs, 'a finished batch');
  const pressed = Date.now();
  t.press('C-c');
  const screen = await t.waitFor(/\nCancelled\nsqlinfer>$/, 5000, 'Cancelled and the prompt');
  assert.ok(Date.now() - pressed < 5000);
  assert.doesNotMatch(screen.split('Cancelled')[1]!, /rows\/s|elapsed/);
  assert.deepEqual(readdirSync(dir), ['img']);
  assert.match(await t.run('SELECT 40 + 2 AS next;'), /│ +42 │/);
  const again = await t.run(`SELECT count(p) AS n FROM (${predictAll} LIMIT 2);`, modelMs);
  assert.match(again, /│ +2 │\n└─+┘\n1 row\nsqlinfer>$/);
  t.enter('.quit');
  assert.equal(await t.waitForExit(), 0);
  assert.deepEqual(readdirSync(dir), ['img']);
});

test('-c: Ctrl-C exits with status 130, leaves no output file and prints no partial result', async () => {
  const stdout = join(tempDir(), 'stdout.csv');
  const t = await start({ args: ['--format', 'csv', '-c', `COPY (${predictAll}) TO 'copied.parquet'; ${predictAll};`], stdout, prompt: false });
  await t.waitFor(underWay, modelMs, 'a finished batch');
  t.press('C-c');
  assert.equal(await t.waitForExit(10000), 130);
  assert.match(t.scrollback(), /^Cancelled$/m);
  assert.equal(existsSync(join(dir, 'copied.parquet')), false);
  assert.deepEqual(readdirSync(dir), ['img']);
  assert.equal(readFileSync(stdout, 'utf8'), '');
});
