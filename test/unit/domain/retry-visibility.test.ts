// The retry backoff between receives: doubling by receive count up to the cap, equal jitter, whole seconds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { longestRetryWaitSeconds, retryVisibilitySeconds } from '../../../src/domain/retry-visibility.js';
import { FUNCTIONS, QUEUES } from '../../../src/resources.js';

const schedule = { baseSeconds: 60, maxSeconds: 900 };

describe('retryVisibilitySeconds', () => {
  it('doubles with each receive between half the cap and the cap, and stops at the maximum', () => {
    const low = [1, 2, 3, 4, 5, 6].map((n) => retryVisibilitySeconds(n, schedule, () => 0));
    const high = [1, 2, 3, 4, 5, 6].map((n) => retryVisibilitySeconds(n, schedule, () => 0.999999));
    assert.deepEqual(low, [30, 60, 120, 240, 450, 450]);
    assert.deepEqual(high, [60, 120, 240, 480, 900, 900]);
  });

  it('answers at least 1 s for any receive count, even a missing one', () => {
    for (const n of [Number.NaN, 0, -3, 1])
      assert.ok(retryVisibilitySeconds(n, { baseSeconds: 1, maxSeconds: 1 }, () => 0) >= 1);
  });

  it('fits the deployed schedule well inside the queue retention', () => {
    const longest = longestRetryWaitSeconds(QUEUES.classify.lastReceive, FUNCTIONS.classify.retryVisibility);
    assert.equal(longest, 60 + 120 + 240 + 480);
    assert.ok(longest < QUEUES.classify.messageRetentionSeconds / 100);
  });
});
