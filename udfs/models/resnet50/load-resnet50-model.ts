// The one entry point for ResNet-50's model bytes: find the weights, read them, build the ONNX graph.
// The built bytes are kept for the last weights used (by file, mtime and size), so the next statement
// with the same weights reuses them instead of spending seconds rebuilding.

import { stat } from 'node:fs/promises';
import type { KerasWeights } from '../keras/keras-weights.js';
import { readResnet50Weights } from './keras-weights.js';
import { randomResnet50Weights } from './random-weights.js';
import { buildResnet50Onnx } from './resnet50-graph.js';
import { type Resnet50WeightsOptions, type Resnet50WeightsSource, resolveResnet50Weights } from './weights-source.js';

export interface LoadedResnet50Model {
  /**
   * An ONNX model: input 'input_1' float32 [N,224,224,3] preprocessed, output 'predictions' float32 [N,1000].
   * Shared by every caller with the same weights: copy it, never transfer or modify it. It lies in a
   * SharedArrayBuffer, which the runtime broadcasts as it is; onnxruntime-node takes only a copy
   * (`onnx.slice()`).
   */
  readonly onnx: Uint8Array;
  /** Where the weights came from, for EXPLAIN: a path, or 'random (seed 42)'. */
  readonly source: string;
}

let cached: { readonly key: string; readonly model: Promise<LoadedResnet50Model> } | null = null;

export async function loadResnet50Model(options: Resnet50WeightsOptions): Promise<LoadedResnet50Model> {
  const source = await resolveResnet50Weights(options);
  const key = await resnet50WeightsKey(source);
  let entry = cached;
  if (entry?.key !== key) {
    const model = build(source);
    entry = cached = { key, model };
    // A failed build is not kept: the next statement tries again (e.g. after the user fixed the file).
    model.catch(() => {
      if (cached?.model === model) cached = null;
    });
  }
  options.signal?.throwIfAborted();
  return entry.model;
}

/** Drops the kept model bytes (about 100 MB). */
export function clearResnet50ModelCache(): void {
  cached = null;
}

async function build(source: Resnet50WeightsSource): Promise<LoadedResnet50Model> {
  return { onnx: buildResnet50Onnx(await readWeightsOf(source), {}, true), source: source.description };
}

/** The weights of a resolved source. */
export async function readWeightsOf(source: Resnet50WeightsSource): Promise<KerasWeights> {
  return source.kind === 'random' ? randomResnet50Weights(source.seed) : readResnet50Weights(source.path);
}

/** Names the weights' content as far as a stat can tell: the same key, the same weights. */
export async function resnet50WeightsKey(source: Resnet50WeightsSource): Promise<string> {
  if (source.kind === 'random') return `random:${source.seed}`;
  const info = await stat(source.path);
  return `file:${source.path}:${info.mtimeMs}:${info.size}`;
}
