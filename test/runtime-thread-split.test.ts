// Splitting the model threads into workers x intra-op threads.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitThreads } from '../udfs/runtime/thread-split.js';

test('an explicit worker count shares the threads equally', () => {
  assert.deepEqual(splitThreads(2, 2), { workers: 2, intraOpThreads: 1 });
  assert.deepEqual(splitThreads(2, 1), { workers: 1, intraOpThreads: 2 });
  assert.deepEqual(splitThreads(8, 3), { workers: 3, intraOpThreads: 2 });
});

test('the automatic split uses two sessions at least where the threads share out evenly, and one per up to 4 threads', () => {
  assert.deepEqual(splitThreads(1), { workers: 1, intraOpThreads: 1 });
  assert.deepEqual(splitThreads(2, 0), { workers: 2, intraOpThreads: 1 });
  assert.deepEqual(splitThreads(3), { workers: 1, intraOpThreads: 3 });
  assert.deepEqual(splitThreads(4), { workers: 2, intraOpThreads: 2 });
  assert.deepEqual(splitThreads(8), { workers: 2, intraOpThreads: 4 });
  assert.deepEqual(splitThreads(16), { workers: 4, intraOpThreads: 4 });
  assert.deepEqual(splitThreads(6), { workers: 2, intraOpThreads: 3 });
});

test('impossible splits are refused', () => {
  assert.throws(() => splitThreads(2, 3), /workers \(3\) cannot exceed threads \(2\)/);
  assert.throws(() => splitThreads(0), /threads must be a positive integer, found 0/);
  assert.throws(() => splitThreads(2, 1.5), /workers must be a positive integer/);
});
