// The command line: flags and their checks. Everything wrong here is a usage error (exit status 2).
import { parseArgs } from 'node:util';
import { EngineSettings, type SettingValue } from '../engine/index.js';
import { formats, isFormat, type Format } from './render/renderer.js';
import { parseShardFlag, ShardFlagError, type ShardChoice } from './shard-flag.js';

/** A -c or -f argument, in command-line order. */
export type ScriptSource = { readonly kind: 'command'; readonly sql: string } | { readonly kind: 'file'; readonly path: string };

export interface CliArgs {
  readonly database: string;
  /** `--readonly`: DATABASE is opened read-only. */
  readonly readOnly: boolean;
  readonly scripts: readonly ScriptSource[];
  readonly format: Format;
  readonly interactive: boolean;
  readonly help: boolean;
  readonly version: boolean;
  /** Run the last -c over each record batch of an Arrow IPC stream on stdin (shell/arrow-stream.ts). */
  readonly arrowStream: boolean;
  /** Engine settings from flags (model_threads ...), already validated. */
  readonly settings: Readonly<Record<string, SettingValue>>;
  /** `--shard I/N` or `--shard auto` (resolved from the environment); null without the flag. */
  readonly shard: ShardChoice | null;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const settingFlags: Readonly<Record<string, string>> = {
  'model-threads': 'model_threads',
  'model-batch-size': 'model_batch_size',
  'resnet50-weights': 'resnet50_weights',
};

export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        command: { type: 'string', short: 'c', multiple: true },
        file: { type: 'string', short: 'f', multiple: true },
        interactive: { type: 'boolean', short: 'i' },
        format: { type: 'string' },
        'model-threads': { type: 'string' },
        'model-batch-size': { type: 'string' },
        'resnet50-weights': { type: 'string' },
        shard: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        'arrow-stream': { type: 'boolean' },
        readonly: { type: 'boolean' },
      },
    });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    throw new UsageError(unknown === null ? message : `unknown option '${unknown[1]}'`);
  }
  const { values, positionals, tokens } = parsed;
  if (positionals.length > 1) throw new UsageError(`expected at most one DATABASE, got ${positionals.map((p) => `'${p}'`).join(', ')}`);
  const format = values.format ?? 'table';
  if (!isFormat(format)) throw new UsageError(`unknown --format '${format}' (expected one of ${formats.join(', ')})`);
  const scripts: ScriptSource[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    if (token.name === 'command') scripts.push({ kind: 'command', sql: token.value });
    if (token.name === 'file') scripts.push({ kind: 'file', path: token.value });
  }
  const settings: Record<string, SettingValue> = {};
  for (const [flag, name] of Object.entries(settingFlags)) {
    const value = (values as Record<string, unknown>)[flag];
    if (typeof value === 'string') settings[name] = value;
  }
  try {
    new EngineSettings(settings);
  } catch (error) {
    throw new UsageError((error as Error & { detail?: string }).detail ?? (error as Error).message);
  }
  let shard: ShardChoice | null = null;
  try {
    if (values.shard !== undefined) shard = parseShardFlag(values.shard, env);
  } catch (error) {
    if (!(error instanceof ShardFlagError)) throw error;
    throw new UsageError(error.message);
  }
  const readOnly = values.readonly ?? false;
  if (readOnly && positionals[0] === undefined) throw new UsageError('--readonly needs a DATABASE file (an in-memory database cannot be read-only)');
  return {
    database: positionals[0] ?? ':memory:',
    readOnly,
    scripts,
    format,
    interactive: values.interactive ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
    arrowStream: values['arrow-stream'] ?? false,
    settings,
    shard,
  };
}
