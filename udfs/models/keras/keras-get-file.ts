// What keras.utils.get_file does for keras.applications, so that sqlinfer and Keras share one cache:
// files live in $KERAS_HOME/models (default ~/.keras/models; /tmp/.keras/models when that is not
// writable), are checked against a published md5 or sha256, and are downloaded to a temporary file that
// is renamed into place only once complete and verified.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, mkdir, open, rename, unlink } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { WeightsError } from './keras-weights.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where Keras caches model files: $KERAS_HOME/models, default ~/.keras/models. */
export function kerasModelDir(env: Env): string {
  return join(env['KERAS_HOME'] || join(env['HOME'] || homedir(), '.keras'), 'models');
}

/** Where Keras caches model files when kerasModelDir() is not writable. */
export function kerasFallbackModelDir(): string {
  return join(tmpdir(), '.keras', 'models');
}

/** Keras picks the algorithm by the hash's length: 64 hex digits is sha256, anything else md5. */
export function hashAlgorithmFor(hash: string): 'md5' | 'sha256' {
  return hash.length === 64 ? 'sha256' : 'md5';
}

export async function fileHash(path: string, algorithm: 'md5' | 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface DownloadOptions {
  readonly url: string;
  /** The final path; nothing is written there unless the download completes and matches the hash. */
  readonly destination: string;
  /** md5 or sha256, hex. */
  readonly expectedHash?: string;
  onProgress?(done: number, total: number | null): void;
  readonly signal?: AbortSignal;
}

const PROGRESS_STEP = 1 << 20;

export async function downloadFile(options: DownloadOptions): Promise<void> {
  const { url, destination, expectedHash, signal } = options;
  await mkdir(dirname(destination), { recursive: true });
  const temp = join(dirname(destination), `.${basename(destination)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  const hash = expectedHash ? createHash(hashAlgorithmFor(expectedHash)) : null;
  const handle = await open(temp, 'wx');
  let complete = false;
  try {
    let response: Response;
    try {
      response = await fetch(url, signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new WeightsError(`could not download ${url}: ${networkReason(error)}`, { cause: error });
    }
    if (!response.ok || response.body === null) {
      const status = `${response.status} ${response.statusText}`.trimEnd();
      throw new WeightsError(`could not download ${url}: the server answered ${status}`);
    }
    const header = response.headers.get('content-length');
    const total = header !== null && /^\d+$/.test(header) ? Number(header) : null;
    let done = 0;
    let reported = 0;
    options.onProgress?.(0, total);
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        await handle.write(chunk);
        hash?.update(chunk);
        done += chunk.byteLength;
        if (done - reported >= PROGRESS_STEP) {
          reported = done;
          options.onProgress?.(done, total);
        }
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new WeightsError(`download of ${url} broke off after ${done} bytes: ${networkReason(error)}`, { cause: error });
    }
    if (done !== reported) options.onProgress?.(done, total);
    if (total !== null && done !== total) {
      throw new WeightsError(`download of ${url} ended after ${done} of ${total} bytes`);
    }
    if (hash && expectedHash) {
      const actual = hash.digest('hex');
      if (actual !== expectedHash.toLowerCase()) {
        throw new WeightsError(
          `download of ${url} is corrupt: its ${hashAlgorithmFor(expectedHash)} is ${actual},` +
            ` expected ${expectedHash}; nothing was saved`,
        );
      }
    }
    await handle.close();
    await rename(temp, destination);
    complete = true;
  } finally {
    if (!complete) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    }
  }
}

/** Creates `dir` if needed; true when it is then writable. */
export async function ensureWritableDir(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** fetch() hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, ...). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
