// `npm start` as a person runs it: a child process, its output and its exit status; with --keep,
// the emulators stay up until Ctrl-C and are gone afterwards.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processIsRunning as alive } from '../../../src/local/emulators.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs the CLI; `whenOutput` may act on the running process (e.g. send Ctrl-C) once its output matches. */
function runCli(
  args: string[],
  whenOutput?: { matches: RegExp; onMatch: (pid: number, output: string) => void },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/local-run.ts', ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let output = '';
    let acted = false;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (whenOutput && !acted && whenOutput.matches.test(output)) {
        acted = true;
        whenOutput.onMatch(child.pid!, output);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, output }));
  });
}

describe('npm start (src/cli/local-run.ts)', () => {
  it('prints its usage with --help and rejects unknown options with status 2', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.output, /--keep/);
    assert.match(help.output, /--input FILE/);
    const bad = await runCli(['--no-such-option']);
    assert.equal(bad.code, 2);
    assert.match(bad.output, /no-such-option/);
  });

  it('writes the built-in sample as the JSONL fixture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-run-'));
    try {
      const run = await runCli(['--write-sample', join(dir, 'sample.jsonl')]);
      assert.equal(run.code, 0);
      assert.equal(
        readFileSync(join(dir, 'sample.jsonl'), 'utf8'),
        readFileSync(join(repo, 'test/fixtures/sample-posts.jsonl'), 'utf8'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the built-in sample end to end and accounts for every message (exit 0)', { timeout: 600_000 }, async () => {
    const run = await runCli([]);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /rejected at ingest\s+10\b/);
    assert.match(run.output, /enqueued\s+302 \(300 posts \+ 2 poison\)/);
    assert.match(run.output, /scored\s+300\b/);
    assert.match(run.output, /in the DLQ\s+2\b/);
    assert.match(run.output, /1 × not-json/);
    assert.match(run.output, /1 × schema-invalid/);
    assert.match(run.output, /aggregated\s+300\n/);
    assert.match(run.output, /OK: scored \+ DLQ = 302, enqueued = 302/);
    assert.match(run.output, /^twitter\s+2024-06-03\s+\d+/m);
    assert.match(run.output, /^\(all sources\)\s+2024-06-07\s+\d+/m);
  });

  it('with --keep and --input, stays up until Ctrl-C, then stops DynamoDB Local', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-run-'));
    const input = join(dir, 'posts.jsonl');
    writeFileSync(
      input,
      [
        { postId: 'k1', text: 'Wonderful work, thank you all!', createdAt: '2024-06-03T10:00:00Z', source: 'forum' },
        { postId: 'k2', text: 'This is a terrible mess.', createdAt: '2024-06-03T11:00:00+05:00', source: 'forum' },
        { postId: 'k3', createdAt: '2024-06-03T12:00:00Z' },
      ]
        .map((row) => JSON.stringify(row))
        .join('\n'),
    );
    let javaPid = 0;
    try {
      const run = await runCli(['--keep', '--input', input], {
        matches: /Press Ctrl-C/,
        onMatch: (pid, output) => {
          javaPid = Number(/java pid (\d+)/.exec(output)?.[1]);
          assert.ok(alive(javaPid), 'DynamoDB Local is still running while kept');
          process.kill(pid, 'SIGINT');
        },
      });
      assert.equal(run.code, 130, run.output);
      assert.match(run.output, /OK: scored \+ DLQ = 4, enqueued = 4/, run.output);
      assert.match(run.output, /k3: text: /);
      assert.match(run.output, /RESULTS_TABLE=impact-sentiment-local-results/);
      assert.ok(javaPid > 0);
      assert.equal(alive(javaPid), false, 'DynamoDB Local stopped after Ctrl-C');
    } finally {
      if (javaPid && alive(javaPid)) process.kill(-javaPid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
