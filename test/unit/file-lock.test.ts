import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { withFileLock } from '../support/file-lock.js';

const scratch = mkdtempSync(join(tmpdir(), 'file-lock-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("the test processes' file lock", () => {
  it('takes over a lock left by a process that was killed (no wait)', async () => {
    const lock = join(mkdtempSync(join(scratch, 'case-')), 'models.lock');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), gone.stdout);
    const started = Date.now();
    assert.equal(await withFileLock(lock, () => 'ran', 2_000), 'ran');
    assert.ok(Date.now() - started < 1_000, "a dead owner's lock is stale at once");
    assert.equal(existsSync(lock), false, 'released after the work');
  });

  it('waits for a live owner, and times out naming the lock', async () => {
    const lock = join(mkdtempSync(join(scratch, 'case-')), 'models.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), String(process.pid));
    await assert.rejects(
      withFileLock(lock, () => 'ran', 600),
      /timed out waiting for .*models\.lock/,
    );
  });

  it('releases the lock when the work throws', async () => {
    const lock = join(mkdtempSync(join(scratch, 'case-')), 'models.lock');
    await assert.rejects(
      withFileLock(lock, () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(existsSync(lock), false);
  });
});
