import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConnectionRefused } from '../../../src/aws/reachability.js';

test('a refused connection is recognised on the error, its cause, or an AggregateError', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.equal(isConnectionRefused(refused), true);
  assert.equal(isConnectionRefused(new Error('wrapped', { cause: refused })), true);
  assert.equal(isConnectionRefused(new AggregateError([new Error('x'), refused])), true);
  assert.equal(isConnectionRefused(Object.assign(new Error('throttled'), { name: 'ThrottlingException' })), false);
  assert.equal(isConnectionRefused(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), false);
  assert.equal(isConnectionRefused(undefined), false);
});
