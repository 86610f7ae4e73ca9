// Where ResNet-50's weights come from, in order: the `resnet50_weights` setting (a path, or 'random'),
// Keras's own cache, or a download from Keras's published URL into that cache.

import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PrepareProgress } from '../../model-function.js';
import {
  downloadFile,
  type Env,
  ensureWritableDir,
  fileHash,
  hashAlgorithmFor,
  kerasFallbackModelDir,
  kerasModelDir,
} from '../keras/keras-get-file.js';
import { WeightsError } from '../keras/keras-weights.js';
import { RESNET50_WEIGHTS_FILE } from './resnet50-layout.js';
import { RESNET50_RANDOM_SEED } from './random-weights.js';

export const RESNET50_WEIGHTS_URL =
  `https://storage.googleapis.com/tensorflow/keras-applications/resnet/${RESNET50_WEIGHTS_FILE}`;
/** keras/src/applications/resnet.py, WEIGHTS_HASHES['resnet50'][0]: md5 of the include_top file. */
export const RESNET50_WEIGHTS_MD5 = '2cb95161c43110f7111970584f804107';

/** Environment variables read here. */
export const RESNET50_WEIGHTS_ENV = 'SQLINFER_RESNET50_WEIGHTS';
export const RESNET50_URL_ENV = 'SQLINFER_RESNET50_URL';

export type Resnet50WeightsSource =
  | { readonly kind: 'random'; readonly seed: number; readonly description: string }
  | { readonly kind: 'file'; readonly path: string; readonly description: string };

export interface Resnet50WeightsOptions {
  /** The `resnet50_weights` setting: a path to a Keras .h5 file, 'random', or empty/undefined for the cache. */
  readonly weights?: string | undefined;
  readonly env: Env;
  /** Download URL: the file's URL, or a base URL the file name is appended to. Default: env, then Keras's. */
  readonly url?: string;
  /** Expected md5 or sha256 of a downloaded or cached file; default Keras's published md5. */
  readonly expectedHash?: string;
  onProgress?(progress: PrepareProgress): void;
  readonly signal?: AbortSignal;
}

function howToGetTheFile(cacheDir: string): string {
  return (
    `To use ResNet-50 offline, copy ${RESNET50_WEIGHTS_FILE} (from ${RESNET50_WEIGHTS_URL}) into ${cacheDir}/,` +
    ` or SET resnet50_weights = '/path/to/${RESNET50_WEIGHTS_FILE}', or SET resnet50_weights = 'random' to try things` +
    ' out with random weights.'
  );
}

/** Cached files whose hash was checked, by path, mtime and size, so a file is hashed once per process. */
const verified = new Set<string>();

export async function resolveResnet50Weights(options: Resnet50WeightsOptions): Promise<Resnet50WeightsSource> {
  // An empty setting means not set (its default), as does a blank environment variable.
  const setting = options.weights?.trim() || options.env[RESNET50_WEIGHTS_ENV]?.trim();
  if (setting) {
    if (setting.toLowerCase() === 'random') {
      return { kind: 'random', seed: RESNET50_RANDOM_SEED, description: `random (seed ${RESNET50_RANDOM_SEED})` };
    }
    const path = resolve(expandHome(setting, options.env));
    const info = await stat(path).catch(() => null);
    if (info === null || !info.isFile()) {
      const why = info === null ? 'there is no such file' : 'that is not a file';
      throw new WeightsError(`resnet50_weights is '${setting}', but ${why}`);
    }
    return { kind: 'file', path, description: path };
  }

  const expectedHash = options.expectedHash ?? RESNET50_WEIGHTS_MD5;
  // Like Keras: the cache is ~/.keras/models, or /tmp/.keras/models when that cannot be written.
  const primary = kerasModelDir(options.env);
  const primaryWritable = await ensureWritableDir(primary);
  const dirs = primaryWritable ? [primary] : [primary, kerasFallbackModelDir()];
  let corrupt: string | null = null;
  for (const dir of dirs) {
    const path = join(dir, RESNET50_WEIGHTS_FILE);
    const info = await stat(path).catch(() => null);
    if (info === null || !info.isFile()) continue;
    const key = `${path}:${info.mtimeMs}:${info.size}:${expectedHash}`;
    if (verified.has(key) || (await fileHash(path, hashAlgorithmFor(expectedHash))) === expectedHash.toLowerCase()) {
      verified.add(key);
      return { kind: 'file', path, description: `${path} (Keras cache)` };
    }
    // Keras re-downloads a cached file that fails its checksum; so do we.
    corrupt = path;
  }

  const url = downloadUrl(options);
  const fallbackWritable = !primaryWritable && (await ensureWritableDir(kerasFallbackModelDir()));
  const dir = primaryWritable ? primary : fallbackWritable ? kerasFallbackModelDir() : null;
  if (dir === null) {
    throw new WeightsError(
      `no ResNet-50 weights, and no writable cache directory (${dirs.join(', ')}) to download them to.` +
        ` ${howToGetTheFile(primary)}`,
    );
  }
  const destination = join(dir, RESNET50_WEIGHTS_FILE);
  const label = `downloading ResNet-50 weights from ${url}`;
  try {
    await downloadFile({
      url,
      destination,
      expectedHash,
      onProgress: (done, total) => options.onProgress?.({ label, done, total }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (options.signal?.aborted || !(error instanceof WeightsError)) throw error;
    const before = corrupt ? `the cached ${corrupt} failed its checksum, and ` : '';
    throw new WeightsError(`no ResNet-50 weights: ${before}${error.message}. ${howToGetTheFile(dir)}`, { cause: error });
  }
  return { kind: 'file', path: destination, description: `${destination} (downloaded from ${url})` };
}

function downloadUrl(options: Resnet50WeightsOptions): string {
  const configured = options.url ?? options.env[RESNET50_URL_ENV];
  if (!configured) return RESNET50_WEIGHTS_URL;
  if (configured.endsWith('.h5')) return configured;
  return `${configured.replace(/\/+$/, '')}/${RESNET50_WEIGHTS_FILE}`;
}

function expandHome(path: string, env: Env): string {
  if (path !== '~' && !path.startsWith('~/')) return path;
  return join(env['HOME'] || homedir(), path.slice(1));
}
