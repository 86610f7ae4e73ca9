// `sqlinfer commit DIR [--merge FILE]`: after all shards of a run wrote their parts into DIR, checks the
// set and marks it complete (engine/exec/shard-commit.ts). Exit 0 when committed, 1 when a shard is
// missing or does not match, 2 on bad usage, 75 on a transient I/O failure.
import { parseArgs } from 'node:util';
import { commitShards } from '../engine/index.js';
import { EXIT_FAILED, EXIT_TRANSIENT, EXIT_USAGE, isTransient } from './exit-status.js';
import type { Output } from './output.js';
import { errorText } from './run-script.js';

export const commitUsage = 'Usage: sqlinfer commit DIR [--merge FILE]';

export const commitHelp = `${commitUsage}

Checks the parts that \`sqlinfer --shard I/N\` wrote into DIR: every shard of the newest run has its part
and its marker (DIR/_shards/IIIII-of-NNNNN.json), all with one fingerprint (the same SQL, inputs and
sqlinfer version), the inputs have not changed since, and each Parquet part holds the rows its marker
counted. Then removes the parts of runs with another shard count and what killed attempts left, writes
DIR/_SUCCESS, and prints the totals.

Options:
      --merge FILE   also write the parts, in shard order, as one file (no model runs)
  -h, --help         show this help, then exit

Exit status: 0 when committed, 1 when a shard is missing or does not match (nothing is removed then),
2 on bad usage, 75 on a transient I/O failure worth a retry.
`;

export async function runCommitCommand(argv: readonly string[], out: Output, err: Output): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { merge: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (!parsed.values.help && parsed.positionals.length !== 1) throw new Error(`expected one DIR, got ${parsed.positionals.length}`);
  } catch (error) {
    await err.write(`sqlinfer commit: ${(error as Error).message}\n${commitUsage}\n`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    await out.write(commitHelp);
    return 0;
  }
  const dir = parsed.positionals[0]!;
  try {
    const commit = await commitShards(dir, parsed.values.merge);
    const removed = commit.removed.length === 0 ? '' : `; removed ${commit.removed.length} file${commit.removed.length === 1 ? '' : 's'} of other runs or killed attempts`;
    await out.write(`committed ${dir}: ${commit.count} part${commit.count === 1 ? '' : 's'}, ${commit.rowsIn} rows in, ${commit.rowsOut} rows out, ${commit.rowErrors} row errors${removed}\n`);
    if (parsed.values.merge !== undefined) await out.write(`merged into ${parsed.values.merge}\n`);
    return 0;
  } catch (error) {
    await err.write(`${errorText(error)}\n`);
    return isTransient(error) ? EXIT_TRANSIENT : EXIT_FAILED;
  }
}
