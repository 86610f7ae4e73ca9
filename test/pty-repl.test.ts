// The interactive shell in a real terminal (tmux): typing statements and reading the screen, the
// continuation prompt, Ctrl-C at the prompt, Tab completion, history across two runs, .quit and Ctrl-D.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tempDir } from './helpers/cli.js';
import { Terminal } from './helpers/tmux.js';

const terminals: Terminal[] = [];
after(() => terminals.forEach((t) => t.close()));

/** Startup loads DuckDB and the model registry: slow on a busy machine. */
const startupMs = 30000;

async function start(home: string, cwd = tempDir()): Promise<Terminal> {
  const terminal = Terminal.start({ cwd, home });
  terminals.push(terminal);
  await terminal.waitForPrompt(startupMs);
  return terminal;
}

/** The screen ends with `line` being typed at the prompt. */
const typed = (line: string) => (screen: string) => screen.endsWith(`\n${line}`);

test('a statement typed at the prompt prints its table; several lines continue with ...>; Ctrl-C clears the line', async () => {
  const t = await start(tempDir('sqlinfer-home-'));
  let screen = await t.run('SELECT 41 + 1 AS answer;');
  assert.match(screen, /│ answer  │\n│ integer │\n├─────────┤\n│      42 │\n└─────────┘\n1 row\nsqlinfer>$/);
  t.enter('SELECT');
  await t.waitFor(/\n {3}\.\.\.>$/);
  screen = await t.run("  'multi' || 'line' AS m;");
  assert.match(screen, /sqlinfer> SELECT\n {3}\.\.\.> {3}'multi' \|\| 'line' AS m;\n[^]*│ multiline │/);
  t.type('SELECT no_such_column');
  await t.waitFor(typed('sqlinfer> SELECT no_such_column'));
  t.press('C-c');
  await t.waitFor(/\nsqlinfer> \^C\nsqlinfer>$/);
  screen = await t.run('SELECT 7 AS seven;');
  assert.match(screen, /│ +7 │\n[^]*1 row\nsqlinfer>$/);
  assert.doesNotMatch(screen, /no_such_column|Error/);
  t.enter('.quit');
  assert.equal(await t.waitForExit(), 0);
});

test('Tab completes keywords, tables, columns, model functions and file paths in quotes; Ctrl-D leaves', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'data.parquet'), '');
  const t = await start(tempDir('sqlinfer-home-'), cwd);
  await t.run('CREATE TABLE people (id INTEGER, nickname VARCHAR);');
  const completes = async (text: string, expected: string) => {
    t.type(text);
    t.press('Tab');
    await t.waitFor(typed(`sqlinfer> ${expected}`), 10000, `'${text}' to complete to '${expected}'`);
    t.press('C-c');
    await t.waitForPrompt();
  };
  await completes('DESCR', 'DESCRIBE');
  await completes('SELECT * FROM peo', 'SELECT * FROM people');
  await completes('SELECT nick', 'SELECT nickname');
  await completes('SELECT predict_r', 'SELECT predict_resnet50');
  await completes("SELECT * FROM 'data.p", "SELECT * FROM 'data.parquet");
  await completes('.sch', '.schema');
  t.press('C-d');
  assert.equal(await t.waitForExit(), 0);
});

test('history: Up recalls statements of an earlier run, a multi-line statement as one line, no repeats', async () => {
  const home = tempDir('sqlinfer-home-');
  const first = await start(home);
  for (const line of ['SELECT 1 AS first;', 'SELECT 2 AS second;', 'SELECT 2 AS second;']) await first.run(line);
  first.enter('SELECT');
  await first.waitFor(/\.\.\.>$/);
  await first.run('3 AS third;');
  first.enter('.quit');
  assert.equal(await first.waitForExit(), 0);
  assert.equal(readFileSync(join(home, '.sqlinfer_history'), 'utf8'), 'SELECT 1 AS first;\nSELECT 2 AS second;\nSELECT 3 AS third;\n.quit\n');

  const second = await start(home);
  for (const expected of ['.quit', 'SELECT 3 AS third;', 'SELECT 2 AS second;', 'SELECT 1 AS first;']) {
    second.press('Up');
    await second.waitFor(typed(`sqlinfer> ${expected}`), 10000, `Up to show '${expected}'`);
  }
  second.press('Down');
  await second.waitFor(typed('sqlinfer> SELECT 2 AS second;'));
  assert.match(await second.run(''), /│ second  │\n[^]*sqlinfer>$/);
  second.press('Up');
  await second.waitFor(typed('sqlinfer> SELECT 2 AS second;'));
  second.press('Up');
  await second.waitFor(typed('sqlinfer> .quit'));
  second.press('Enter');
  assert.equal(await second.waitForExit(), 0);
});
