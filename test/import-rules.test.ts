// The import rules the folder READMEs state, checked on the TypeScript sources (the compiled output drops
// type-only imports, and a type-only import still ties two files together for a reader):
// shell -> engine -> udfs, one way; the shell uses the engine only through engine/index.ts and the engine
// uses udfs only through udfs/index.ts; engine/sql imports nothing else of the project; engine/plan nothing
// of engine/exec; and no import cycles. test/ and scripts/ may import anything.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../', import.meta.url));
const LAYERS = ['shell', 'engine', 'udfs'] as const;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Project-relative paths with forward slashes, e.g. `engine/sql/ast.ts`. */
function rel(file: string): string {
  return relative(root, file).split(sep).join('/');
}

/** Relative import, export-from and dynamic import() specifiers of each file, resolved to project paths. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      const targets = importedFiles
        .map((f) => f.fileName)
        .filter((name) => name.startsWith('.'))
        .map((name) => rel(resolve(dirname(file), name.replace(/\.js$/, '.ts'))));
      return [rel(file), [...new Set(targets)]];
    }),
  );
}

function folderOf(path: string): string | undefined {
  return LAYERS.find((layer) => path.startsWith(`${layer}/`));
}

/** Why `from` may not import `to`, or undefined when it may. */
function broken(from: string, to: string): string | undefined {
  const source = folderOf(from);
  const target = folderOf(to);
  if (target === undefined) return 'imports outside engine/, udfs/ and shell/';
  if (source === 'udfs' && target !== 'udfs') return `upward import: udfs/ never imports ${target}/`;
  if (source === 'engine' && target === 'shell') return 'upward import: engine/ never imports shell/';
  if (source === 'engine' && target === 'udfs' && to !== 'udfs/index.ts') return 'the engine uses udfs/ only through udfs/index.ts';
  if (source === 'shell' && target === 'udfs') return 'the shell never imports udfs/ (the engine re-exports what it needs)';
  if (source === 'shell' && target === 'engine' && to !== 'engine/index.ts') return 'the shell uses the engine only through engine/index.ts';
  if (from.startsWith('engine/sql/') && !to.startsWith('engine/sql/')) return 'engine/sql imports nothing outside engine/sql';
  if (from.startsWith('engine/plan/') && to.startsWith('engine/exec/')) return 'engine/plan never imports engine/exec';
  return undefined;
}

function ruleBreaks(graph: ReadonlyMap<string, readonly string[]>): string[] {
  return [...graph].flatMap(([from, targets]) =>
    targets.flatMap((to) => {
      const why = broken(from, to);
      return why === undefined ? [] : [`${from} -> ${to}: ${why}`];
    }),
  );
}

function cycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string) => {
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.push([...path.slice(at), next].join(' -> '));
      else if (!done.has(next) && graph.has(next)) visit(next);
    }
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return found;
}

const graph = importGraph(LAYERS.flatMap((layer) => sources(join(root, layer))));

test('the import graph covers the three layers', () => {
  for (const file of ['shell/main.ts', 'engine/index.ts', 'udfs/index.ts', 'engine/sql/parser.ts']) assert.ok(graph.has(file), file);
  assert.ok(graph.get('shell/main.ts')?.includes('engine/index.ts'));
});

test('imports follow the layering rules', () => {
  assert.deepEqual(ruleBreaks(graph), []);
});

test('no import cycles in engine/, udfs/ or shell/ (type-only imports included)', () => {
  assert.deepEqual(cycles(graph), []);
});

test('the rules catch what they are meant to catch', () => {
  const probe = (from: string, to: string) => ruleBreaks(new Map([[from, [to]]]));
  assert.equal(probe('udfs/registry.ts', 'engine/index.ts').length, 1);
  assert.equal(probe('engine/router.ts', 'shell/main.ts').length, 1);
  assert.equal(probe('engine/router.ts', 'udfs/model-function.ts').length, 1);
  assert.equal(probe('shell/main.ts', 'engine/engine.ts').length, 1);
  assert.equal(probe('shell/main.ts', 'udfs/index.ts').length, 1);
  assert.equal(probe('engine/sql/parser.ts', 'engine/router.ts').length, 1);
  assert.equal(probe('engine/plan/planner.ts', 'engine/exec/result.ts').length, 1);
  assert.deepEqual(probe('engine/router.ts', 'udfs/index.ts'), []);
  assert.deepEqual(probe('shell/main.ts', 'engine/index.ts'), []);
  assert.deepEqual(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']]])), ['a.ts -> b.ts -> a.ts']);
});
