// `--shard I/N` and `--shard auto` over the platforms' environments (shell/shard-flag.ts), and the exit
// status 2 the command gives when the shard is unclear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseShardFlag, ShardFlagError } from '../shell/shard-flag.js';
import { runCli } from './helpers/cli.js';

const auto: [string, Record<string, string>, [number, number] | RegExp][] = [
  ['nothing set', {}, /found no shard index/],
  ['sqlinfer', { SQLINFER_SHARD_INDEX: '2', SQLINFER_SHARD_COUNT: '5' }, [2, 5]],
  ['sqlinfer first of all', { SQLINFER_SHARD_INDEX: '1', SQLINFER_SHARD_COUNT: '2', SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_COUNT: '9', AWS_BATCH_JOB_ARRAY_INDEX: '3', AWS_BATCH_JOB_ARRAY_SIZE: '4' }, [1, 2]],
  ['sqlinfer index without count', { SQLINFER_SHARD_INDEX: '1' }, /SQLINFER_SHARD_COUNT is not/],
  ['Kubernetes', { JOB_COMPLETION_INDEX: '3', SQLINFER_SHARD_COUNT: '16' }, [3, 16]],
  ['Kubernetes without a count', { JOB_COMPLETION_INDEX: '3' }, /Kubernetes does not set the count/],
  ['Slurm 0-15', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '16', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '1', SLURM_ARRAY_TASK_MAX: '15' }, [4, 16]],
  ['Slurm 1-8 (MIN)', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '8', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_STEP: '1', SLURM_ARRAY_TASK_MAX: '8' }, [0, 8]],
  ['Slurm 2-30:4 (STEP)', { SLURM_ARRAY_TASK_ID: '14', SLURM_ARRAY_TASK_COUNT: '8', SLURM_ARRAY_TASK_MIN: '2', SLURM_ARRAY_TASK_STEP: '4', SLURM_ARRAY_TASK_MAX: '30' }, [3, 8]],
  ['Slurm 1,3,8 (not evenly spaced)', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_STEP: '1', SLURM_ARRAY_TASK_MAX: '8' }, /evenly spaced/],
  ['Slurm without a count', { SLURM_ARRAY_TASK_ID: '3' }, /SLURM_ARRAY_TASK_COUNT is not/],
  ['AWS Batch', { AWS_BATCH_JOB_ARRAY_INDEX: '0', AWS_BATCH_JOB_ARRAY_SIZE: '10' }, [0, 10]],
  ['AWS Batch without a size', { AWS_BATCH_JOB_ARRAY_INDEX: '0' }, /AWS_BATCH_JOB_ARRAY_SIZE is not/],
  ['Cloud Run', { CLOUD_RUN_TASK_INDEX: '9', CLOUD_RUN_TASK_COUNT: '10' }, [9, 10]],
  ['Cloud Run index out of range', { CLOUD_RUN_TASK_INDEX: '10', CLOUD_RUN_TASK_COUNT: '10' }, /must be less than the number of shards/],
  ['Google Batch', { BATCH_TASK_INDEX: '5', BATCH_TASK_COUNT: '6' }, [5, 6]],
  ['Google Batch without a count', { BATCH_TASK_INDEX: '5' }, /BATCH_TASK_COUNT is not/],
  ['junk index', { BATCH_TASK_INDEX: 'five', BATCH_TASK_COUNT: '6' }, /whole number/],
];

for (const [name, env, expected] of auto) {
  test(`--shard auto: ${name}`, () => {
    if (expected instanceof RegExp) {
      assert.throws(() => parseShardFlag('auto', env), (error: unknown) => error instanceof ShardFlagError && expected.test(error.message));
    } else {
      const shard = parseShardFlag('auto', env);
      assert.deepEqual([shard.index, shard.count], expected);
    }
  });
}

test('--shard I/N: 0-based, I < N, N >= 1', () => {
  assert.deepEqual(parseShardFlag('3/16', {}), { index: 3, count: 16, from: '--shard 3/16' });
  assert.deepEqual(parseShardFlag('0/1', {}), { index: 0, count: 1, from: '--shard 0/1' });
  for (const bad of ['16/16', '0/0', '-1/4', '1', 'a/b', '1/2/3', ' 1/2', '1.5/4']) {
    assert.throws(() => parseShardFlag(bad, {}), ShardFlagError, bad);
  }
});

test('the command exits 2 on an unclear shard and says which shard it is otherwise', async () => {
  const bad = await runCli(['--shard', '4/4', '-c', 'SELECT 1']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /must be less than the number of shards, 4/);
  const none = await runCli(['--shard', 'auto', '-c', 'SELECT 1'], { env: { JOB_COMPLETION_INDEX: '', SQLINFER_SHARD_INDEX: '', SLURM_ARRAY_TASK_ID: '', AWS_BATCH_JOB_ARRAY_INDEX: '', CLOUD_RUN_TASK_INDEX: '', BATCH_TASK_INDEX: '' } });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /found no shard index/);
  const k8s = await runCli(['--shard', 'auto', '-c', 'SELECT 1'], { env: { SQLINFER_SHARD_INDEX: '', JOB_COMPLETION_INDEX: '2' } });
  assert.equal(k8s.code, 2);
  assert.match(k8s.stderr, /set SQLINFER_SHARD_COUNT/);
  const ok = await runCli(['--shard', 'auto', '-c', 'SELECT 1'], { env: { SQLINFER_SHARD_INDEX: '', JOB_COMPLETION_INDEX: '2', SQLINFER_SHARD_COUNT: '3' } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /^sqlinfer: shard 2\/3 \(JOB_COMPLETION_INDEX=2, SQLINFER_SHARD_COUNT=3\)\n/);
});
