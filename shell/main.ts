#!/usr/bin/env node
// The `sqlinfer` command: flags, then -c/-f scripts, piped stdin, or the interactive shell; the engine is
// always closed before the process ends.
import { readFileSync } from 'node:fs';
import { createEngine, createUdfs, type Engine } from '../engine/index.js';
import { parseCliArgs, UsageError, type CliArgs } from './cli-args.js';
import { streamOutput, type Output } from './output.js';
import { progressPrinter } from './progress.js';
import { runRepl } from './repl.js';
import { isBrokenPipe, runScript, errorText } from './run-script.js';
import { helpText, usageLine } from './usage.js';
import { versionText } from './version.js';

async function main(argv: readonly string[]): Promise<number> {
  // Write errors (EPIPE when the reader goes away) reach the pending write's callback; keep them
  // from also surfacing as an unhandled 'error' event.
  process.stdout.on('error', () => {});
  const out = streamOutput(process.stdout);
  const err = streamOutput(process.stderr);
  let args: CliArgs;
  let scripts: { name: string; sql: string }[];
  try {
    args = parseCliArgs(argv);
    scripts = args.scripts.map((s) => (s.kind === 'command' ? { name: '-c', sql: s.sql } : { name: s.path, sql: readScript(s.path) }));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    await err.write(`sqlinfer: ${error.message}\n${usageLine}\nTry 'sqlinfer --help' for more information.\n`);
    return 2;
  }
  if (args.help) {
    await out.write(helpText);
    return 0;
  }
  if (args.version) {
    await out.write(`${versionText()}\n`);
    return 0;
  }
  let engine: Engine;
  try {
    const threads = args.settings['model_threads'];
    engine = await createEngine({
      database: args.database,
      settings: args.settings,
      udfs: createUdfs(threads === undefined ? {} : { threads: Number(threads) }),
      onProgress: progressPrinter(process.stderr),
    });
  } catch (error) {
    await err.write(`${errorText(error)}\n`);
    return 1;
  }
  try {
    return await runMode(engine, args, scripts, out, err);
  } finally {
    await engine.close();
  }
}

async function runMode(engine: Engine, args: CliArgs, scripts: readonly { sql: string }[], out: Output, err: Output): Promise<number> {
  const render = { color: process.stdout.isTTY === true };
  const base = { engine, format: args.format, out, err, render };
  const interactive = args.interactive || (scripts.length === 0 && process.stdin.isTTY === true);
  if (scripts.length > 0 || !interactive) {
    const sources = scripts.length > 0 ? scripts : [{ sql: await readStdin() }];
    for (const { sql } of sources) {
      if (!(await withInterrupt((signal) => runScript({ ...base, signal }, sql)))) return 1;
    }
    if (!interactive) return 0;
  }
  await runRepl({ input: process.stdin, output: process.stdout, script: base, banner: `${versionText()}\nEnter ".help" for usage hints.` });
  return 0;
}

/** Ctrl-C while a script runs interrupts the running statement (and so fails the script). */
async function withInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function readScript(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read -f file '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isBrokenPipe(error)) return;
    process.stderr.write(`${errorText(error)}\n`);
    process.exitCode = 1;
  },
);
