// Drives the real `sqlinfer` command in a pseudo-terminal: a tmux session on its own server (socket),
// keys sent with send-keys, the screen read with capture-pane. Every wait polls the screen up to a
// timeout, so tests do not depend on fixed sleeps.
import { execFileSync } from 'node:child_process';
import { cliPath } from './cli.js';

export interface TerminalOptions {
  /** Arguments for sqlinfer. */
  readonly args?: readonly string[];
  readonly cwd: string;
  readonly home: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly width?: number;
  readonly height?: number;
}

let sessions = 0;

export class Terminal {
  private closed = false;

  private constructor(private readonly socket: string) {}

  /** Starts sqlinfer in a new terminal; close() must be called (in a finally or after hook). */
  static start(options: TerminalOptions): Terminal {
    const socket = `sqlinfer-test-${process.pid}-${++sessions}`;
    const terminal = new Terminal(socket);
    const env = { HOME: options.home, NO_COLOR: '1', ...options.env };
    const command = [
      'env',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      cliPath,
      ...(options.args ?? []),
    ]
      .map(shellQuote)
      .join(' ');
    // `-f /dev/null`: none of the machine's tmux configuration; remain-on-exit keeps the pane, so the
    // exit status can be read after the command ends.
    terminal.tmux(['-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', String(options.width ?? 120), '-y', String(options.height ?? 40), '-c', options.cwd, command]);
    terminal.tmux(['set-option', '-t', 'main', 'remain-on-exit', 'on']);
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

  /** The visible screen, trailing blank lines removed. */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', 'main']).replace(/\s+$/, '');
  }

  /** The screen plus the lines scrolled off the top. */
  scrollback(): string {
    return this.tmux(['capture-pane', '-p', '-S', '-', '-t', 'main']).replace(/\s+$/, '');
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

  /** Waits for the screen's last line to be the main prompt with nothing typed after it. */
  waitForPrompt(timeoutMs = 10000): Promise<string> {
    return this.waitFor((s) => /(^|\n)sqlinfer> $/.test(s + ' '), timeoutMs, 'the prompt');
  }

  /** Waits until sqlinfer has exited; resolves with its exit status. */
  async waitForExit(timeoutMs = 10000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [dead, status] = this.tmux(['display-message', '-p', '-t', 'main', '#{pane_dead} #{pane_dead_status}']).trim().split(' ');
      if (dead === '1') return Number(status);
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
  }

  private tmux(args: readonly string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
}

function shellQuote(word: string): string {
  return /^[\w./=:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
