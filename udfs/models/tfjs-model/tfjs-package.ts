// A TF.js model (model.json plus its weight shards) as one byte string for the broadcast, and back:
// [4 bytes: length of model.json, little-endian][model.json][the shards' bytes, in manifest order].
// Workers load the model from these bytes in memory; no worker reads a file.

import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export interface TfjsModelJson {
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
  readonly modelTopology: unknown;
  readonly weightsManifest?: readonly { readonly paths: readonly string[]; readonly weights: readonly unknown[] }[];
  readonly signature?: unknown;
  readonly userDefinedMetadata?: unknown;
  readonly modelInitializer?: unknown;
}

export interface TfjsArtifacts {
  readonly json: TfjsModelJson;
  readonly weightData: ArrayBuffer;
}

/** Reads model.json (a file, or a folder holding one) and its shards into one packed byte string. */
export async function packTfjsModel(path: string): Promise<{ bytes: Uint8Array; modelJson: string; files: number }> {
  const modelJson = (await stat(path)).isDirectory() ? resolve(path, 'model.json') : path;
  const text = await readFile(modelJson, 'utf8');
  const shards: Uint8Array[] = [];
  for (const shard of shardPaths(parseModelJson(text, modelJson), modelJson)) shards.push(await readFile(shard));
  const head = new TextEncoder().encode(text);
  const total = 4 + head.length + shards.reduce((n, s) => n + s.length, 0);
  const bytes = new Uint8Array(total);
  new DataView(bytes.buffer).setUint32(0, head.length, true);
  bytes.set(head, 4);
  let at = 4 + head.length;
  for (const shard of shards) {
    bytes.set(shard, at);
    at += shard.length;
  }
  return { bytes, modelJson, files: 1 + shards.length };
}

/** Every file a TF.js model reads: its model.json (absolute path), then its weight shards in manifest order. */
export async function tfjsModelFiles(modelJson: string): Promise<string[]> {
  const json = parseModelJson(await readFile(modelJson, 'utf8'), modelJson);
  return [modelJson, ...shardPaths(json, modelJson)];
}

function shardPaths(json: TfjsModelJson, modelJson: string): string[] {
  return (json.weightsManifest ?? []).flatMap((group) => group.paths.map((shard) => resolve(dirname(modelJson), shard)));
}

export function unpackTfjsModel(bytes: Uint8Array): TfjsArtifacts {
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const json = parseModelJson(new TextDecoder().decode(bytes.subarray(4, 4 + length)), 'the broadcast model');
  // A copy on an ArrayBuffer of its own: TF.js keeps slices of it as the weights.
  const weightData = bytes.slice(4 + length).buffer;
  return { json, weightData };
}

function parseModelJson(text: string, where: string): TfjsModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not a TF.js model.json: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || !('modelTopology' in json)) {
    throw new Error(`${where} is not a TF.js model.json (it has no modelTopology)`);
  }
  return json as TfjsModelJson;
}
