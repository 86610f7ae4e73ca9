// `--shard I/N` and `--shard auto`: which shard of a job array this process is. `auto` reads the index and
// the count from the platform's environment; sqlinfer's own variables come first. Anything unclear is a
// usage error (exit status 2): a wrong guess would write another shard's part.

/** The shard in force and where it came from, for the line printed at the start. */
export interface ShardChoice {
  readonly index: number;
  readonly count: number;
  readonly from: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export class ShardFlagError extends Error {
  override readonly name = 'ShardFlagError';
}

export function parseShardFlag(value: string, env: Env): ShardChoice {
  if (value === 'auto') return shardFromEnv(env);
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (match === null) throw new ShardFlagError(`--shard expects I/N (0-based index I of N shards, e.g. 3/16) or auto, not '${value}'`);
  return checked(Number(match[1]), Number(match[2]), `--shard ${value}`);
}

/** Platforms and the variables they set, in the order they are looked for. */
const platforms: readonly { readonly name: string; readonly index: string; readonly count: string; readonly note?: string }[] = [
  { name: 'sqlinfer', index: 'SQLINFER_SHARD_INDEX', count: 'SQLINFER_SHARD_COUNT' },
  { name: 'a Kubernetes Indexed Job', index: 'JOB_COMPLETION_INDEX', count: 'SQLINFER_SHARD_COUNT', note: 'Kubernetes does not set the count: set SQLINFER_SHARD_COUNT to the Job\'s completions' },
  { name: 'AWS Batch', index: 'AWS_BATCH_JOB_ARRAY_INDEX', count: 'AWS_BATCH_JOB_ARRAY_SIZE' },
  { name: 'Cloud Run', index: 'CLOUD_RUN_TASK_INDEX', count: 'CLOUD_RUN_TASK_COUNT' },
  { name: 'Google Batch', index: 'BATCH_TASK_INDEX', count: 'BATCH_TASK_COUNT' },
];

function shardFromEnv(env: Env): ShardChoice {
  const set = (name: string) => env[name] !== undefined && env[name] !== '';
  for (const platform of platforms.slice(0, 2)) if (set(platform.index)) return fromPlatform(platform, env);
  if (set('SLURM_ARRAY_TASK_ID')) return fromSlurm(env);
  for (const platform of platforms.slice(2)) if (set(platform.index)) return fromPlatform(platform, env);
  throw new ShardFlagError(
    `--shard auto found no shard index in the environment (looked for ${[...platforms.slice(0, 2).map((p) => p.index), 'SLURM_ARRAY_TASK_ID', ...platforms.slice(2).map((p) => p.index)].join(', ')}): give --shard I/N`,
  );
}

function fromPlatform(platform: (typeof platforms)[number], env: Env): ShardChoice {
  const index = number(env, platform.index);
  if (env[platform.count] === undefined || env[platform.count] === '') {
    throw new ShardFlagError(`--shard auto: ${platform.index} is set but ${platform.count} is not${platform.note === undefined ? '' : ` (${platform.note})`}`);
  }
  const count = number(env, platform.count);
  return checked(index, count, `${platform.index}=${index}, ${platform.count}=${count}`);
}

/** A Slurm array `--array=MIN-MAX[:STEP]`: task ids MIN, MIN+STEP, ... are shards 0, 1, ... */
function fromSlurm(env: Env): ShardChoice {
  const id = number(env, 'SLURM_ARRAY_TASK_ID');
  if (env['SLURM_ARRAY_TASK_COUNT'] === undefined || env['SLURM_ARRAY_TASK_COUNT'] === '') {
    throw new ShardFlagError('--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not');
  }
  const count = number(env, 'SLURM_ARRAY_TASK_COUNT');
  const min = env['SLURM_ARRAY_TASK_MIN'] === undefined ? 0 : number(env, 'SLURM_ARRAY_TASK_MIN');
  const step = env['SLURM_ARRAY_TASK_STEP'] === undefined ? 1 : number(env, 'SLURM_ARRAY_TASK_STEP');
  const max = env['SLURM_ARRAY_TASK_MAX'] === undefined ? null : number(env, 'SLURM_ARRAY_TASK_MAX');
  const from = `SLURM_ARRAY_TASK_ID=${id}, SLURM_ARRAY_TASK_MIN=${min}, SLURM_ARRAY_TASK_STEP=${step}, SLURM_ARRAY_TASK_COUNT=${count}`;
  const contiguous = step > 0 && id >= min && (id - min) % step === 0 && (max === null || (max - min) / step + 1 === count);
  if (!contiguous) {
    throw new ShardFlagError(`--shard auto takes Slurm arrays of evenly spaced task ids (--array=0-15 or 0-30:2), and this one is not (${from}${max === null ? '' : `, SLURM_ARRAY_TASK_MAX=${max}`}): give --shard I/N`);
  }
  return checked((id - min) / step, count, from);
}

function number(env: Env, name: string): number {
  const text = env[name] ?? '';
  if (!/^\d+$/.test(text)) throw new ShardFlagError(`--shard auto: ${name} should be a whole number, not '${text}'`);
  return Number(text);
}

function checked(index: number, count: number, from: string): ShardChoice {
  if (!Number.isSafeInteger(count) || count < 1) throw new ShardFlagError(`${from}: the number of shards must be at least 1`);
  if (!Number.isSafeInteger(index) || index >= count) throw new ShardFlagError(`${from}: the shard index (0-based) must be less than the number of shards, ${count}`);
  return { index, count, from };
}
