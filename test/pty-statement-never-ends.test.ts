// The interactive shell in a real terminal (tmux) never leaves the user stuck: a model's name used as an
// alias or a CTE name runs on DuckDB and the prompt comes back (it used to hang), and a statement that
// does not stop after Ctrl-C says how to leave, which a second Ctrl-C does.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tempDir } from './helpers/cli.js';
import { Terminal } from './helpers/tmux.js';

const terminals: Terminal[] = [];
after(() => terminals.forEach((t) => t.close()));

/** Startup loads DuckDB and the model registry: slow on a busy machine. */
const startupMs = 30000;

async function start(env?: Record<string, string>): Promise<Terminal> {
  const terminal = Terminal.start({ cwd: tempDir(), home: tempDir('sqlinfer-home-'), ...(env === undefined ? {} : { env }) });
  terminals.push(terminal);
  await terminal.waitForPrompt(startupMs);
  return terminal;
}

test('a model name as a table alias or CTE name runs at the prompt, and the prompt comes back', async () => {
  const t = await start();
  let screen = await t.run('SELECT n FROM range(3) AS predict_resnet50(n);', 30000);
  assert.match(screen, /│ +2 │\n└─+┘\n3 rows\nsqlinfer>$/);
  screen = await t.run('WITH predict_resnet50(a) AS (SELECT 41 + 1) SELECT a FROM predict_resnet50;', 30000);
  assert.match(screen, /│ +42 │\n└─+┘\n1 row\nsqlinfer>$/);
  t.enter('.quit');
  assert.equal(await t.waitForExit(), 0);
});

test('a statement that never ends: Ctrl-C, then a hint after a few seconds, then Ctrl-C leaves with 130', async () => {
  // Stands for any engine bug that leaves a statement pending and deaf to its AbortSignal.
  const dir = tempDir();
  const preload = join(dir, 'never-settles.mjs');
  const engineUrl = new URL('../engine/engine.js', import.meta.url).href;
  writeFileSync(preload, `import { Engine } from '${engineUrl}';\nEngine.prototype.stream = async function* () { await new Promise(() => {}); };\n`);
  const t = await start({ NODE_OPTIONS: `--import=${preload}` });
  t.enter('SELECT 1;');
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.press('C-c');
  await t.waitFor(/The statement has not stopped: press Ctrl-C again to quit sqlinfer\.$/, 15000);
  t.press('C-c');
  assert.equal(await t.waitForExit(), 130);
});
