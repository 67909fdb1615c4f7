// The emulators never outlive their owner: stopped on SIGTERM, and killed by the watchdog even
// when the owner dies without a chance to clean up (SIGKILL). A missing java is a clear error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { processIsRunning as alive, startEmulators } from '../../../src/local/emulators.js';

const owner = fileURLToPath(new URL('../../support/emulator-owner.ts', import.meta.url));

async function startOwner(): Promise<{ child: ChildProcess; javaPid: number; exited: Promise<NodeJS.Signals | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', owner], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_, signal) => resolve(signal)));
  let output = '';
  const javaPid = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"javaPid":(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`owner exited before starting the emulators: ${output}`)));
  });
  return { child, javaPid, exited };
}

/** Polls until the process is gone; gives up (false) after `limitMs`. */
async function gone(pid: number, limitMs: number): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (alive(pid) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
  return !alive(pid);
}

/** Pid of the owner's java child, once it has spawned one. */
function javaChildOf(ownerPid: number): number | undefined {
  try {
    return (
      Number(
        execFileSync('pgrep', ['-P', String(ownerPid), '-x', 'java'], { encoding: 'utf8' })
          .trim()
          .split('\n')[0],
      ) || undefined
    );
  } catch {
    return undefined; // pgrep exits 1 when nothing matches
  }
}

describe('emulators', () => {
  it('reports a missing java clearly', async () => {
    await assert.rejects(
      startEmulators({ javaCommand: 'no-such-java-here' }),
      /"no-such-java-here" was not found on PATH.*Java runtime/,
    );
  });

  it('stops DynamoDB Local when its owner gets SIGTERM, and the owner still ends by that signal', {
    timeout: 120_000,
  }, async () => {
    const { child, javaPid, exited } = await startOwner();
    try {
      assert.ok(alive(javaPid));
      child.kill('SIGTERM');
      assert.equal(await exited, 'SIGTERM');
      assert.equal(await gone(javaPid, 10_000), true, 'java stopped');
    } finally {
      if (alive(javaPid)) process.kill(-javaPid, 'SIGKILL');
    }
  });

  it('stops DynamoDB Local when its owner gets SIGTERM while it is still starting up', {
    timeout: 120_000,
  }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', owner], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_, signal) => resolve(signal)));
    let javaPid: number | undefined;
    try {
      while (!(javaPid = javaChildOf(child.pid!))) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(output, '', 'still starting: DynamoDB Local has not answered yet');
      child.kill('SIGTERM');
      assert.equal(await exited, 'SIGTERM');
      assert.equal(await gone(javaPid, 10_000), true, 'java stopped');
    } finally {
      if (javaPid && alive(javaPid)) process.kill(-javaPid, 'SIGKILL');
      child.kill('SIGKILL');
    }
  });

  it('kills DynamoDB Local through the watchdog when its owner is SIGKILLed', { timeout: 120_000 }, async () => {
    const { child, javaPid, exited } = await startOwner();
    try {
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      assert.equal(await gone(javaPid, 20_000), true, 'java killed by the watchdog');
    } finally {
      if (alive(javaPid)) process.kill(-javaPid, 'SIGKILL');
    }
  });
});
