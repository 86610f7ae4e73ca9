// Runs the real `sqlinfer` command (the compiled dist/shell/main.js) in a child process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../../shell/main.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Written to stdin, which is then closed; without it stdin is empty. */
  readonly input?: string;
  readonly cwd?: string;
  /** HOME for the child (history goes there); by default a temp dir shared by the test file. */
  readonly home?: string;
  readonly timeoutMs?: number;
  /** Variables added to (or, set to '', blanking) the child's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? tmpdir(),
      env: { ...process.env, HOME: options.home ?? sharedHome(), NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sqlinfer ${args.join(' ')} did not exit within ${options.timeoutMs ?? 20000} ms`));
    }, options.timeoutMs ?? 20000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

let home: string | undefined;

/** One HOME per test process, so no run ever touches the real ~/.sqlinfer_history. */
function sharedHome(): string {
  home ??= tempDir('sqlinfer-home-');
  return home;
}

/** Folders made by tempDir(); all removed when the test process exits, whether its tests passed or failed. */
const tempDirs: string[] = [];
process.on('exit', removeTempDirs);

/** A new folder in the system temp dir, removed with everything in it when the test process exits. */
export function tempDir(prefix = 'sqlinfer-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) {
    try {
      // Retries: a child that was just killed may still be closing files in the folder.
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      // A folder left behind must not change the tests' outcome, only be reported.
      process.stderr.write(`warning: could not remove the temp dir ${dir}: ${(error as Error).message}\n`);
    }
  }
}
