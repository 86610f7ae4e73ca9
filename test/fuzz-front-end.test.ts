// Fuzzing the SQL front end (splitter, router, parser, AST walk): random token sequences and mutations of
// valid statements (TPC-H, sql-examples, the parser's golden statements), from a fixed seed, a bounded
// count and time. Every input parses or fails with a SqlError pointing inside it; nothing else is thrown
// and nothing hangs.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { splitStatements } from '../engine/sql/split-statements.js';
import type { FuzzMessage, FuzzWorkerData } from './helpers/fuzz-worker.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SEED = 20261127;
const COUNT = 30_000;
/** The whole run; a single input taking more than a second means a loop or a blow-up. */
const TIME_LIMIT_MS = 90_000;
const SLOW_INPUT_MS = 1000;

function seedStatements(): string[] {
  const texts: string[] = [];
  const tpch = `${root}test/fixtures/tpch/`;
  for (const name of readdirSync(tpch).sort()) texts.push(readFileSync(tpch + name, 'utf8'));
  for (const name of readdirSync(`${root}sql-examples`).sort()) {
    if (name.endsWith('.sql')) texts.push(readFileSync(`${root}sql-examples/${name}`, 'utf8'));
  }
  // The parser's golden statements are the single-quoted values of its cases table.
  const golden = readFileSync(`${root}test/parse-golden.test.ts`, 'utf8');
  for (const match of golden.matchAll(/^ {2}'[a-z-]+': (['"])(.*)\1,$/gm)) texts.push(unescape(match[2]!, match[1]!));
  return texts.flatMap((text) => splitStatements(text).map((s) => s.text));
}

function unescape(body: string, quote: string): string {
  return body.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === quote ? quote : c === '\\' ? '\\' : `\\${c}`));
}

test('front-end fuzz: every input parses or gives a positioned SqlError, none hangs', { timeout: TIME_LIMIT_MS + 10_000 }, async () => {
  const seeds = seedStatements();
  assert.ok(seeds.length >= 40, `only ${seeds.length} seed statements found`);
  const data: FuzzWorkerData = { seeds, count: COUNT, seed: SEED };
  const worker = new Worker(new URL('./helpers/fuzz-worker.js', import.meta.url), { workerData: data });
  const failures: { sql: string; problem: string }[] = [];
  let last = '';
  const summary = await new Promise<Extract<FuzzMessage, { kind: 'done' }>>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`the fuzz did not finish within ${TIME_LIMIT_MS} ms; last input: ${JSON.stringify(last)}`));
    }, TIME_LIMIT_MS);
    worker.on('message', (message: FuzzMessage) => {
      if (message.kind === 'input') last = message.sql;
      else if (message.kind === 'failure') failures.push(message);
      else {
        clearTimeout(timer);
        resolve(message);
      }
    });
    worker.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`the fuzz worker crashed on ${JSON.stringify(last)}: ${error.message}`));
    });
  });
  await worker.terminate();
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} inputs misbehaved`);
  assert.equal(summary.checked, COUNT);
  assert.ok(summary.slowestMs < SLOW_INPUT_MS, `${JSON.stringify(summary.slowest)} took ${summary.slowestMs.toFixed(0)} ms`);
});
