// Loads TensorFlow.js for this thread, once: on @tensorflow/tfjs-node when the user installed it (native
// TensorFlow), else on the WASM backend, whose .wasm files ship inside @tensorflow/tfjs-backend-wasm and
// are read from disk (no network).

import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export type Tfjs = typeof import('@tensorflow/tfjs');

export interface LoadedTfjs {
  readonly tf: Tfjs;
  /** `tensorflow (tfjs-node)` or `wasm`. */
  readonly backend: string;
}

let loading: Promise<LoadedTfjs> | null = null;

export function loadTfjs(): Promise<LoadedTfjs> {
  loading ??= load();
  return loading;
}

async function load(): Promise<LoadedTfjs> {
  const node = await importOptional('@tensorflow/tfjs-node');
  if (node !== null) {
    const tf = node as Tfjs;
    await tf.setBackend('tensorflow');
    return { tf, backend: 'tensorflow (tfjs-node)' };
  }
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const wasmFile = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  wasm.setWasmPaths(`${dirname(wasmFile)}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('the TensorFlow.js WASM backend did not start');
  return { tf, backend: 'wasm' };
}

/** The module, or null when it is not installed (it is an optional, user-installed package). */
async function importOptional(name: string): Promise<unknown> {
  try {
    return await import(name);
  } catch {
    return null;
  }
}
