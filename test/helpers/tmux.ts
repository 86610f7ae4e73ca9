// Drives the real `sqlinfer` command in a pseudo-terminal: a tmux session on its own server (socket),
// keys sent with send-keys, the screen read with capture-pane. Every wait polls the screen up to a
// timeout, so tests do not depend on fixed sleeps.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cliPath, tempDir } from './cli.js';

/**
 * Runs sqlinfer as a child and writes its exit status to a file: tmux does not report the status of a
 * node process reliably. The wrapper ignores Ctrl-C's SIGINT, which the terminal sends to both.
 */
const exitStatusWrapper = `
const [statusFile, command, ...args] = process.argv.slice(1);
process.on('SIGINT', () => {});
const child = require('node:child_process').spawn(command, args, { stdio: 'inherit' });
child.on('exit', (code, signal) => {
  require('node:fs').writeFileSync(statusFile, code === null ? String(signal) : String(code));
  process.exit(0);
});`;

export interface TerminalOptions {
  /** Arguments for sqlinfer. */
  readonly args?: readonly string[];
  readonly cwd: string;
  readonly home: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly width?: number;
  readonly height?: number;
  /** A file for sqlinfer's stdout (stderr stays on the terminal). */
  readonly stdout?: string;
}

let sessions = 0;

export class Terminal {
  private closed = false;
  /** The server's socket file, which kill-server leaves behind. */
  private socketPath = '';

  private constructor(
    private readonly socket: string,
    private readonly statusFile: string,
  ) {}

  /** Starts sqlinfer in a new terminal; close() must be called (in a finally or after hook). */
  static start(options: TerminalOptions): Terminal {
    const socket = `sqlinfer-test-${process.pid}-${++sessions}`;
    const statusFile = join(tempDir('sqlinfer-tmux-'), 'status');
    const terminal = new Terminal(socket, statusFile);
    const env = { HOME: options.home, NO_COLOR: '1', ...options.env };
    const command = [
      'env',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      '-e',
      exitStatusWrapper,
      statusFile,
      process.execPath,
      cliPath,
      ...(options.args ?? []),
    ]
      .map(shellQuote)
      .join(' ') + (options.stdout === undefined ? '' : ` > ${shellQuote(options.stdout)}`);
    try {
      // `-f /dev/null`: none of the machine's tmux configuration.
      terminal.tmux(['-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', String(options.width ?? 120), '-y', String(options.height ?? 40), '-c', options.cwd, command]);
      terminal.tmux(['set-option', '-t', 'main', 'remain-on-exit', 'on']);
      terminal.socketPath = terminal.tmux(['display-message', '-p', '-t', 'main', '#{socket_path}']).trim();
    } catch (error) {
      // The caller gets no terminal to close, so a half-started one must not outlive this call.
      terminal.close();
      throw error;
    }
    return terminal;
  }

  /** Types text literally (sent as bytes, so tmux gives `;` and quotes no meaning). */
  type(text: string): void {
    const hex = [...Buffer.from(text, 'utf8')].map((b) => b.toString(16).padStart(2, '0'));
    if (hex.length > 0) this.tmux(['send-keys', '-t', 'main', '-H', ...hex]);
  }

  /** Presses named keys: Enter, Tab, Up, Down, C-c, C-d, BSpace ... */
  press(...keys: string[]): void {
    this.tmux(['send-keys', '-t', 'main', ...keys]);
  }

  /** Types a line and presses Enter. */
  enter(text: string): void {
    this.type(text);
    this.press('Enter');
  }

  /** The visible screen; spaces at line ends and blank lines at the end removed. */
  screen(): string {
    return trimScreen(this.tmux(['capture-pane', '-p', '-t', 'main']));
  }

  /** The screen plus the lines scrolled off the top. */
  scrollback(): string {
    return trimScreen(this.tmux(['capture-pane', '-p', '-S', '-', '-t', 'main']));
  }

  /** Waits until the screen satisfies `test` (a regexp, or a predicate); returns that screen. */
  async waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs = 10000, what = String(test)): Promise<string> {
    const check = typeof test === 'function' ? test : (s: string) => test.test(s);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (check(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`terminal: timed out after ${timeoutMs} ms waiting for ${what}; screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Enters a statement or dot command and waits for the next prompt; returns the screen then. */
  async run(line: string, timeoutMs = 10000): Promise<string> {
    const before = this.prompts();
    this.enter(line);
    return this.waitFor((screen) => /(^|\n)sqlinfer>$/.test(screen) && this.prompts() > before, timeoutMs, `the prompt after '${line}'`);
  }

  /** Prompts printed so far, scrolled-off ones included. */
  private prompts(): number {
    return this.scrollback().match(/^sqlinfer>/gm)?.length ?? 0;
  }

  /** Waits for the screen's last line to be the main prompt with nothing typed after it. */
  waitForPrompt(timeoutMs = 10000): Promise<string> {
    return this.waitFor(/(^|\n)sqlinfer>$/, timeoutMs, 'the prompt');
  }

  /** Waits until sqlinfer has exited; resolves with its exit status, or the signal's name that ended it. */
  async waitForExit(timeoutMs = 10000): Promise<number | string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (existsSync(this.statusFile)) {
        const status = readFileSync(this.statusFile, 'utf8');
        return /^\d+$/.test(status) ? Number(status) : status;
      }
      if (Date.now() > deadline) throw new Error(`terminal: sqlinfer did not exit within ${timeoutMs} ms; screen:\n${this.screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Ends the tmux server, and with it sqlinfer if it still runs. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.tmux(['kill-server']);
    } catch {
      // The server is already gone.
    }
    if (this.socketPath !== '') rmSync(this.socketPath, { force: true });
    rmSync(dirname(this.statusFile), { recursive: true, force: true });
  }

  private tmux(args: readonly string[]): string {
    try {
      return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('the terminal tests need tmux (apt-get install tmux)');
      throw error;
    }
  }
}

function trimScreen(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');
}

function shellQuote(word: string): string {
  return /^[\w./=:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
