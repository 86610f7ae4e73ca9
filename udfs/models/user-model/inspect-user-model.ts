// CREATE MODEL's look at a model file: which format it is, and its inputs and outputs, read by loading it
// once in this thread (so a file that cannot run fails now, not in the first query).

import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ConstantValue } from '../../model-function.js';
import { readOnnxSignature } from '../onnx-model/onnx-signature.js';
import { loadTfjs } from '../tfjs-model/tfjs-backend.js';
import { disposeTfjsModel, loadTfjsModel, tfjsSignature } from '../tfjs-model/tfjs-model-load.js';
import { packTfjsModel } from '../tfjs-model/tfjs-package.js';
import { layoutOf, parseModelOptions, type UserModelFormat } from './model-signature.js';
import { runtimeOf, type UserModelSpec } from './user-model.js';

/** Reads and checks the model at `path` (absolute) under `options`; errors say what is wrong with it. */
export async function inspectUserModel(name: string, path: string, rawOptions: Readonly<Record<string, ConstantValue>>): Promise<UserModelSpec> {
  const options = parseModelOptions(rawOptions);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new Error(`cannot read the model file '${path}': ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const format = await formatOf(path, info.isDirectory(), options.format);
  if (format === 'onnx') {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new Error(`cannot read the model file '${path}': ${(error as Error).message}`);
    }
    let signature;
    try {
      signature = await readOnnxSignature(bytes);
    } catch (error) {
      throw new Error(`'${path}' is not an ONNX model onnxruntime can load: ${(error as Error).message}`);
    }
    const spec: UserModelSpec = { name, path, format, options, signature, runtime: await runtimeOf('onnx'), size: bytes.length };
    layoutOf(signature, options);
    return spec;
  }
  const packed = await packTfjsModel(path);
  const { tf } = await loadTfjs();
  let loaded;
  try {
    loaded = await loadTfjsModel(tf, packed.bytes);
  } catch (error) {
    throw new Error(`'${packed.modelJson}' is not a TF.js model TensorFlow.js can load: ${(error as Error).message}`);
  }
  try {
    const signature = tfjsSignature(loaded);
    layoutOf(signature, options);
    const runtime = await runtimeOf('tfjs', loaded.kind);
    return { name, path: packed.modelJson, format, options, signature, runtime, modelKind: loaded.kind, size: packed.bytes.length - 4 };
  } finally {
    disposeTfjsModel(loaded);
  }
}

async function formatOf(path: string, directory: boolean, given: string | undefined): Promise<UserModelFormat> {
  if (given !== undefined) {
    if (given === 'onnx' || given === 'tfjs') return given;
    throw new Error(`unknown format '${given}': the formats are 'onnx' and 'tfjs'`);
  }
  if (directory) {
    try {
      await stat(join(path, 'model.json'));
      return 'tfjs';
    } catch {
      throw new Error(`'${path}' is a folder without a model.json: name an .onnx file or a TF.js model.json`);
    }
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.onnx' || ext === '.ort') return 'onnx';
  if (ext === '.json') return 'tfjs';
  throw new Error(
    `unknown model format of '${path}': sqlinfer reads ONNX (.onnx) and TensorFlow.js (model.json); ` +
      `name the format with WITH (format => 'onnx') if the file has another extension`,
  );
}
