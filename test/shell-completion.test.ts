// Tab completion's choices (the completer itself; test/pty-repl.test.ts presses Tab in a terminal):
// keywords in the case typed, tables, columns, qualified columns, functions, dot commands and their
// arguments, and file paths inside quotes.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEngine, createUdfs } from '../engine/index.js';
import { Catalog, type Names } from '../shell/catalog.js';
import { complete, type CompletionContext } from '../shell/completion.js';
import { dotCommands } from '../shell/dot-commands.js';
import { tempDir } from './helpers/cli.js';
import { linearModel } from './helpers/onnx-model-fixtures.js';

const names: Names = {
  keywords: ['select', 'selective', 'from', 'where'],
  tables: ['people', 'pets'],
  columns: ['id', 'name', 'nick_name'],
  functions: ['predict_resnet50', 'image_to_tensor', 'sum', 'sqrt'],
};

function context(cwd = '/'): CompletionContext {
  return { names: async () => names, commands: dotCommands, cwd };
}

test('SQL words: keywords in the case typed, tables, columns and functions', async () => {
  assert.deepEqual(await complete('SEL', context()), [['SELECT', 'SELECTIVE'], 'SEL']);
  assert.deepEqual(await complete('sel', context()), [['select', 'selective'], 'sel']);
  assert.deepEqual(await complete('SELECT * FROM pe', context()), [['people', 'pets'], 'pe']);
  assert.deepEqual(await complete('SELECT pred', context()), [['predict_resnet50'], 'pred']);
  assert.deepEqual(await complete('SELECT na', context()), [['name'], 'na']);
  assert.deepEqual(await complete('SELECT p.ni', context()), [['p.nick_name'], 'p.ni']);
  assert.deepEqual(await complete('SELECT ', context()), [[], '']);
});

test('dot commands, and their arguments', async () => {
  assert.deepEqual(await complete('.ta', context()), [['.tables'], '.ta']);
  assert.deepEqual(await complete('.m', context()), [['.maxrows', '.mode', '.models'], '.m']);
  assert.deepEqual(await complete('.mode j', context()), [['json', 'jsonl'], 'j']);
  assert.deepEqual(await complete('.timer o', context()), [['off', 'on'], 'o']);
  assert.deepEqual(await complete('.schema pe', context()), [['people', 'pets'], 'pe']);
});

test('file paths inside a quoted string and after .read/.output', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'images'));
  writeFileSync(join(dir, 'images', 'a.jpg'), '');
  writeFileSync(join(dir, 'data.parquet'), '');
  writeFileSync(join(dir, '.hidden'), '');
  assert.deepEqual(await complete("SELECT * FROM 'da", context(dir)), [['data.parquet'], 'da']);
  assert.deepEqual(await complete("SELECT * FROM '", context(dir)), [['data.parquet', 'images/'], '']);
  assert.deepEqual(await complete("SELECT * FROM read_blob('images/", context(dir)), [['images/a.jpg'], 'images/']);
  assert.deepEqual(await complete(`SELECT * FROM '${dir}/im`, context()), [[`${dir}/images/`], `${dir}/im`]);
  assert.deepEqual(await complete("SELECT 'it''s' || 'da", context(dir)), [['data.parquet'], 'da']);
  assert.deepEqual(await complete("SELECT 'closed' AS pe", context(dir)), [['people', 'pets'], 'pe']);
  assert.deepEqual(await complete('.read im', context(dir)), [['images/'], 'im']);
  assert.deepEqual(await complete("SELECT '/no/such/dir/x", context()), [[], '/no/such/dir/x']);
});

test("a database's names: sqlinfer's MODEL words, and user models once created", async (t) => {
  const udfs = createUdfs({ threads: 1 });
  const engine = await createEngine({ udfs });
  t.after(() => engine.close());
  const dir = tempDir('sqlinfer-complete-models-');
  writeFileSync(join(dir, 'linear.onnx'), linearModel());
  await engine.run(`CREATE MODEL linear_scores FROM '${join(dir, 'linear.onnx')}'`);
  const catalog = new Catalog(engine, () => udfs.registry.list());
  const real: CompletionContext = { names: () => catalog.names(), commands: dotCommands, cwd: dir };
  assert.deepEqual(await complete('DROP MODEL', real), [['MODEL', 'MODELS'], 'MODEL']);
  assert.deepEqual(await complete('show models', real), [['models'], 'models']);
  assert.deepEqual(await complete('DESCRIBE MODEL linear_s', real), [['linear_scores'], 'linear_s']);
  assert.deepEqual(await complete('SELECT predict_r', real), [['predict_resnet50'], 'predict_r']);
});
