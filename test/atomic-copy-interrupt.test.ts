// The real sqlinfer interrupted while a COPY writes its output. Ctrl-C (SIGINT): the command exits with
// status 130, the existing target is untouched and the temporary file removed. SIGKILL cannot clean up:
// the hidden temporary folder stays (the target is still untouched), and the next COPY to that target
// removes it once its writer is gone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { writeSampleImages } from '../udfs/images/sample-images.js';
import { cliPath, runCli, tempDir } from './helpers/cli.js';

const dir = tempDir('sqlinfer-interrupt-');
const target = join(dir, 'result.parquet');
const OLD = 'the previous result\n';
const photos = `${join(dir, 'photos')}/*/*.jpg`;
// Each staged row is repeated 20 million times by the output stage: it is still writing when interrupted.
const longCopy = `COPY (SELECT i.filename, image_to_tensor(i.content, 4) AS t, r.range AS k FROM read_blob('${photos}') AS i, range(20000000) AS r) TO '${target}'`;

before(async () => {
  await writeSampleImages({ images: 4, out: join(dir, 'photos'), seed: 2 });
});

const temporaries = () => readdirSync(dir).filter((name) => name.includes('.sqlinfer-'));

/** Starts the long COPY; once its temporary file exists (in its hidden folder), sends `signal`; resolves with the exit code and signal. */
function interruptCopy(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, '-c', longCopy], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const poll = setInterval(() => {
      if (temporaries().some((folder) => existsSync(join(dir, folder, 'result.parquet')))) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 10);
    const timer = setTimeout(() => {
      clearInterval(poll);
      child.kill('SIGKILL');
      reject(new Error('the COPY never started writing, or did not stop'));
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, signal: sig, stderr });
    });
  });
}

test('Ctrl-C during the write: exit 130, old target untouched, no temporary file', async () => {
  writeFileSync(target, OLD);
  const run = await interruptCopy('SIGINT');
  assert.equal(run.code, 130, run.stderr);
  assert.equal(readFileSync(target, 'utf8'), OLD);
  assert.deepEqual(temporaries(), []);
});

test('a killed writer leaves only its hidden temporary file, which the next COPY to the target removes', async () => {
  writeFileSync(target, OLD);
  const run = await interruptCopy('SIGKILL');
  assert.equal(run.signal, 'SIGKILL');
  assert.equal(readFileSync(target, 'utf8'), OLD);
  assert.equal(temporaries().length, 1);
  const next = await runCli(['-c', `COPY (SELECT filename, image_to_tensor(content, 4) AS t FROM read_blob('${photos}')) TO '${target}'`], { cwd: dir });
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(temporaries(), []);
  assert.notEqual(readFileSync(target, 'utf8'), OLD);
});
