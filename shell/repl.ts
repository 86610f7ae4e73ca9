// The interactive shell: `sqlinfer> ` prompts, statements over several lines (`   ...> `) until a
// top-level `;`, dot commands, history, Ctrl-C to clear the line or interrupt a running statement, and
// Ctrl-D to leave. A failed statement prints its error and the shell goes on.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { isCompleteInput } from '../engine/index.js';
import { History } from './history.js';
import { formats, isFormat, type Format } from './render/renderer.js';
import { runScript, type ScriptContext } from './run-script.js';

export const prompt = 'sqlinfer> ';
export const continuationPrompt = '   ...> ';

const helpText = `.help                show this help
.format [FORMAT]     show or set the output format: ${formats.join(', ')}
.quit, .exit         leave the shell (Ctrl-D does too)

Statements end with ';' and may span several lines. Ctrl-C clears the line, or interrupts a running
statement. sqlinfer's own settings: SET model_threads = N, SET model_batch_size = N,
SET resnet50_weights = 'path' | 'random', RESET name, SHOW sqlinfer_settings.
`;

export interface ReplOptions {
  readonly input: Readable & { isTTY?: boolean };
  readonly output: Writable & { isTTY?: boolean };
  /** The shell's context; its format can be changed with .format. */
  readonly script: Omit<ScriptContext, 'signal'>;
  /** Printed once when the shell starts on a terminal. */
  readonly banner?: string;
}

export async function runRepl(options: ReplOptions): Promise<void> {
  const terminal = options.input.isTTY === true && options.output.isTTY === true;
  const history = History.open();
  const rl = createInterface({
    input: options.input,
    output: options.output,
    terminal,
    history: [...history.entries],
    historySize: 1000,
    removeHistoryDuplicates: true,
  });
  let format: Format = options.script.format;
  let buffer = '';
  let running: AbortController | undefined;
  const err = options.script.err;
  const showPrompt = () => {
    if (!terminal) return;
    rl.setPrompt(buffer === '' ? prompt : continuationPrompt);
    rl.prompt();
  };
  rl.on('SIGINT', () => {
    if (running !== undefined) {
      // A second Ctrl-C, for a statement that does not stop, ends the process.
      if (running.signal.aborted) process.exit(130);
      running.abort();
      return;
    }
    // Ctrl-C at the prompt drops the statement being typed.
    buffer = '';
    rl.write(null, { ctrl: true, name: 'u' });
    options.output.write('^C\n');
    showPrompt();
  });
  if (terminal && options.banner !== undefined) options.output.write(`${options.banner}\n`);
  showPrompt();
  for await (const line of rl) {
    if (buffer === '' && line.trim().startsWith('.')) {
      const command = line.trim();
      history.add(command);
      const [name, ...args] = command.split(/\s+/);
      if (name === '.quit' || name === '.exit') break;
      if (name === '.help') await options.script.out.write(helpText);
      else if (name === '.format') {
        const wanted = args[0];
        if (wanted === undefined) await options.script.out.write(`${format}\n`);
        else if (isFormat(wanted)) format = wanted;
        else await err.write(`Error: unknown format '${wanted}' (expected one of ${formats.join(', ')})\n`);
      } else await err.write(`Error: unknown command '${name}' (.help lists the commands)\n`);
      showPrompt();
      continue;
    }
    buffer = buffer === '' ? line : `${buffer}\n${line}`;
    if (buffer.trim() === '') buffer = '';
    else if (isCompleteInput(buffer)) {
      const sql = buffer;
      buffer = '';
      history.add(sql);
      running = new AbortController();
      try {
        await runScript({ ...options.script, format, signal: running.signal }, sql);
      } finally {
        running = undefined;
      }
    }
    showPrompt();
  }
  rl.close();
  if (buffer.trim() !== '') {
    // Input ended inside a statement (no final `;`): run what was typed, as DuckDB's shell does.
    await runScript({ ...options.script, format }, buffer);
  }
}
