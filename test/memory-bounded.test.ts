// Bounded memory: a model statement streams its input through DuckDB and the workers, so the process's
// peak memory does not grow with the input. The same statement runs over 20,000 and 60,000 rows of 2048
// floats (160 MB and 490 MB as floats, the larger about 4x DuckDB's memory_limit here); the peak may grow
// by a fraction of the extra input only, and every row arrives, in order.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { before, test } from 'node:test';
import { createEngine } from '../engine/engine.js';
import { OnnxGraphBuilder } from '../udfs/onnx/onnx-graph-builder.js';
import { tempDir } from './helpers/cli.js';

const dir = tempDir('sqlinfer-memory-');
const WIDTH = 2048;
const HEAD = 16;
const runner = fileURLToPath(new URL('./helpers/memory-run.js', import.meta.url));

/** [N, 2048] -> its first 16 values: a model that costs nothing, so the test measures the data path. */
function headModel(): Uint8Array {
  const g = new OnnxGraphBuilder('head');
  g.input('x', 'float32', ['N', WIDTH]);
  g.addInitializer('starts', [1], new BigInt64Array([0n]));
  g.addInitializer('ends', [1], new BigInt64Array([BigInt(HEAD)]));
  g.addInitializer('axes', [1], new BigInt64Array([1n]));
  g.addNode({ op: 'Slice', inputs: ['x', 'starts', 'ends', 'axes'], outputs: ['y'] });
  g.output('y', 'float32', ['N', HEAD]);
  return g.toBytes();
}

before(async () => {
  writeFileSync(join(dir, 'head.onnx'), headModel());
  const engine = await createEngine();
  try {
    for (const rows of [20_000, 60_000]) {
      // Row i starts with i, so the output shows which row each result came from.
      await engine.run(
        `COPY (SELECT i, [i::FLOAT] || list_resize([0.5::FLOAT], ${WIDTH - 1}, 0.5::FLOAT) AS data FROM range(${rows}) r(i)) ` +
          `TO '${join(dir, `in-${rows}.parquet`)}' (ROW_GROUP_SIZE 2048)`,
      );
    }
  } finally {
    await engine.close();
  }
});

async function peakFor(rows: number): Promise<{ beforeMb: number; peakMb: number }> {
  const setup = `SET memory_limit = '128MB'; SET threads = 1; CREATE MODEL head FROM '${join(dir, 'head.onnx')}'`;
  const sql = `COPY (SELECT i, head(data) AS y FROM '${join(dir, `in-${rows}.parquet`)}') TO '${join(dir, `out-${rows}.parquet`)}'`;
  const { stdout } = await promisify(execFile)(process.execPath, [runner, setup, sql], { timeout: 120_000 });
  return JSON.parse(stdout) as { beforeMb: number; peakMb: number };
}

test('peak memory does not grow with the input, and every row arrives in order', { timeout: 180_000 }, async () => {
  const small = await peakFor(20_000);
  const large = await peakFor(60_000);
  const extraInputMb = ((60_000 - 20_000) * WIDTH * 4) / 1e6;
  const growth = large.peakMb - small.peakMb;
  // Holding the input would add all of it; the same statement's peak varies by about 40 MB from run to
  // run (when V8 collects), so half of the extra input is the line.
  assert.ok(growth < extraInputMb / 2, `peak grew by ${growth.toFixed(0)} MB (${small.peakMb.toFixed(0)} -> ${large.peakMb.toFixed(0)}) for ${extraInputMb.toFixed(0)} MB more input`);
  // Generous: node, DuckDB, two workers with their onnxruntime sessions, and the data in flight.
  assert.ok(large.peakMb < 1200, `peak RSS ${large.peakMb.toFixed(0)} MB`);

  const engine = await createEngine();
  try {
    const [check] = await engine.run(
      `SELECT count(*), bool_and(i = n - 1), bool_and(y[1] = i AND len(y) = ${HEAD}) ` +
        `FROM (SELECT i, y, row_number() OVER () AS n FROM '${join(dir, 'out-60000.parquet')}')`,
    );
    assert.deepEqual(check!.rows, [[60_000n, true, true]]);
  } finally {
    await engine.close();
  }
});
