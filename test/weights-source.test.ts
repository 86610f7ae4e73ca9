import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PrepareProgress } from '../udfs/model-function.js';
import { WeightsError } from '../udfs/models/keras/keras-weights.js';
import { RESNET50_WEIGHTS_FILE } from '../udfs/models/resnet50/resnet50-layout.js';
import { resolveResnet50Weights } from '../udfs/models/resnet50/weights-source.js';

// Big enough for several progress reports (one per MiB), small enough to be instant.
const body = randomBytes(3 * 1024 * 1024 + 123);
const md5 = createHash('md5').update(body).digest('hex');
const sha256 = createHash('sha256').update(body).digest('hex');

let dir = '';
let server: Server;
let base = '';
const requests: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sqlinfer-weights-source-'));
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === `/models/${RESNET50_WEIGHTS_FILE}`) {
      res.writeHead(200, { 'content-length': String(body.length), 'content-type': 'application/octet-stream' });
      res.end(body);
    } else {
      res.writeHead(404, 'Not Found');
      res.end('no such file');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models`;
});

after(async () => {
  try {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** A fresh, empty Keras home per test, so no test sees another's cache (nor the user's). */
async function kerasHome(name: string): Promise<{ env: Record<string, string>; cache: string }> {
  const home = join(dir, name);
  await mkdir(home, { recursive: true });
  return { env: { KERAS_HOME: home, HOME: home }, cache: join(home, 'models') };
}

test('downloads into the Keras cache with progress and checksum, then hits the cache without a request', async () => {
  const { env, cache } = await kerasHome('ok');
  const progress: PrepareProgress[] = [];
  const before = requests.length;
  const source = await resolveResnet50Weights({ env, url: base, expectedHash: md5, onProgress: (p) => progress.push(p) });
  const path = join(cache, RESNET50_WEIGHTS_FILE);
  assert.deepEqual(source, { kind: 'file', path, description: `${path} (downloaded from ${base}/${RESNET50_WEIGHTS_FILE})` });
  assert.deepEqual(await readFile(path), body);
  assert.deepEqual(await readdir(cache), [RESNET50_WEIGHTS_FILE], 'no temporary file is left behind');
  assert.equal(requests.length, before + 1);
  assert.ok(progress.length >= 4, `${progress.length} progress reports`);
  assert.deepEqual(progress.at(-1), { label: `downloading ResNet-50 weights from ${base}/${RESNET50_WEIGHTS_FILE}`, done: body.length, total: body.length });
  assert.ok(progress.every((p, i) => i === 0 || p.done >= (progress[i - 1] as PrepareProgress).done));

  const again = await resolveResnet50Weights({ env, url: base, expectedHash: md5 });
  assert.deepEqual(again, { kind: 'file', path, description: `${path} (Keras cache)` });
  assert.equal(requests.length, before + 1, 'a cache hit makes no request');
});

test('a sha256 hash works as well, and the URL may come from SQLINFER_RESNET50_URL', async () => {
  const { env, cache } = await kerasHome('sha');
  const source = await resolveResnet50Weights({
    env: { ...env, SQLINFER_RESNET50_URL: `${base}/${RESNET50_WEIGHTS_FILE}` },
    expectedHash: sha256,
  });
  assert.equal(source.kind === 'file' && source.path, join(cache, RESNET50_WEIGHTS_FILE));
});

test('a checksum mismatch is an error, and nothing is left in the cache', async () => {
  const { env, cache } = await kerasHome('mismatch');
  const wrong = '0'.repeat(32);
  await assert.rejects(resolveResnet50Weights({ env, url: base, expectedHash: wrong }), (e: unknown) => {
    assert.ok(e instanceof WeightsError);
    assert.match(e.message, new RegExp(`is corrupt: its md5 is ${md5}, expected ${wrong}; nothing was saved`));
    assert.match(e.message, /SET resnet50_weights = 'random'/);
    return true;
  });
  assert.deepEqual(await readdir(cache), []);
});

test('a cached file that fails its checksum is downloaded again', async () => {
  const { env, cache } = await kerasHome('stale');
  await mkdir(cache, { recursive: true });
  await writeFile(join(cache, RESNET50_WEIGHTS_FILE), 'half a file');
  const before = requests.length;
  const source = await resolveResnet50Weights({ env, url: base, expectedHash: md5 });
  assert.match(source.description, /downloaded from/);
  assert.equal(requests.length, before + 1);
  assert.deepEqual(await readFile(join(cache, RESNET50_WEIGHTS_FILE)), body);
});

test('a 404 is an error naming the URL and the status, with how to get the file', async () => {
  const { env, cache } = await kerasHome('404');
  await assert.rejects(
    resolveResnet50Weights({ env, url: `${base}/elsewhere/`, expectedHash: md5 }),
    (e: unknown) => {
      assert.ok(e instanceof WeightsError);
      assert.match(e.message, new RegExp(`could not download ${base}/elsewhere/${RESNET50_WEIGHTS_FILE}: the server answered 404 Not Found`));
      assert.ok(e.message.includes(`copy ${RESNET50_WEIGHTS_FILE} (from https://storage.googleapis.com/`), e.message);
      assert.ok(e.message.includes(`into ${cache}/,`), e.message);
      assert.match(e.message, /SET resnet50_weights = '\/path\/to\/resnet50_weights_tf_dim_ordering_tf_kernels\.h5'/);
      return true;
    },
  );
  assert.deepEqual(await readdir(cache), []);
});

test('a refused connection (offline) is an error saying so, with how to get the file', async () => {
  const { env } = await kerasHome('offline');
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assert.rejects(
    resolveResnet50Weights({ env, url: `http://127.0.0.1:${port}/x.h5`, expectedHash: md5 }),
    /no ResNet-50 weights: could not download http:\/\/127\.0\.0\.1:\d+\/x\.h5: connect ECONNREFUSED .*SET resnet50_weights = 'random'/,
  );
});

test("an explicit path or 'random' wins over the cache; a missing path is a clear error", async () => {
  const { env } = await kerasHome('explicit');
  const file = join(dir, 'my-weights.h5');
  await writeFile(file, 'x');
  assert.deepEqual(await resolveResnet50Weights({ weights: file, env }), { kind: 'file', path: file, description: file });
  assert.deepEqual(await resolveResnet50Weights({ weights: 'RANDOM', env }), {
    kind: 'random',
    seed: 42,
    description: 'random (seed 42)',
  });
  assert.equal((await resolveResnet50Weights({ env: { ...env, SQLINFER_RESNET50_WEIGHTS: 'random' } })).kind, 'random');
  const unset = await resolveResnet50Weights({ weights: '', env: { ...env, SQLINFER_RESNET50_WEIGHTS: file } });
  assert.equal(unset.kind === 'file' && unset.path, file, 'an empty setting falls back to SQLINFER_RESNET50_WEIGHTS');
  await assert.rejects(
    resolveResnet50Weights({ weights: join(dir, 'nope.h5'), env }),
    /resnet50_weights is '.*nope\.h5', but there is no such file/,
  );
});

test('an abort stops the download and leaves nothing behind', async () => {
  const { env, cache } = await kerasHome('abort');
  const controller = new AbortController();
  const pending = resolveResnet50Weights({
    env,
    url: base,
    expectedHash: md5,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.done > 0) controller.abort();
    },
  });
  await assert.rejects(pending, { name: 'AbortError' });
  assert.deepEqual(await readdir(cache), []);
});
