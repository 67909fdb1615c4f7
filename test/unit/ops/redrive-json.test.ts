// `npm run redrive -- --dry-run --json`: the DLQ listing as data, every key present, and --json alone refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { deadLettersJson } from '../../../src/cli/ops/redrive.js';
import { REPO_ROOT } from '../../support/cli.js';

describe('redrive --dry-run --json', () => {
  it('answers one object per message with all keys, null where unknown', () => {
    // Every key known: it goes out as it is.
    const complete = {
      messageId: 'm-1',
      postId: 'p-1',
      reason: 'invalid-post',
      detail: 'text: text must not be empty',
      receiveCount: 1,
      failedAt: '2026-12-07T10:00:00.000Z',
      sentAt: '2026-12-07T09:59:58.000Z',
    };
    const json = deadLettersJson([complete, { messageId: 'm-2', reason: 'not-json', receiveCount: 2 }]);
    assert.deepEqual(JSON.parse(json), [
      complete,
      {
        messageId: 'm-2',
        postId: null,
        reason: 'not-json',
        detail: null,
        receiveCount: 2,
        failedAt: null,
        sentAt: null,
      },
    ]);
    assert.equal(deadLettersJson([]), '[]');
  });

  it('refuses --json without --dry-run (exit 2) before touching any queue', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/ops.ts', 'redrive', '--json'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      // An endpoint nothing listens on: reaching for a queue would fail differently (exit 1).
      env: { ...process.env, AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9', STAGE: 'unit' },
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /--json goes with --dry-run/);
  });
});
