// The serve's loop and status line on their own: a stop signal that arrives while a batch is in hand
// lets that batch finish (and no other start); a terminal gets the status redrawn in place, a pipe a
// line per update.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventSource } from '../../../src/event-sources/event-source.js';
import { serveUntilStopped } from '../../../src/local/serve.js';
import { StatusLine, formatStatus } from '../../../src/local/status-line.js';

/** A source that delivers `batches` batches, each taking `ms`, and records what it started and finished. */
function slowSource(name: string, batches: number, ms: number) {
  const log: string[] = [];
  let left = batches;
  const source: EventSource<string> = {
    name,
    async pollOnce() {
      if (left === 0) return undefined;
      const batch = `${name}#${batches - left + 1}`;
      left -= 1;
      log.push(`start ${batch}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`finish ${batch}`);
      return batch;
    },
    async isIdle() {
      return left === 0;
    },
  };
  return { source, log };
}

describe('serveUntilStopped', () => {
  it('finishes the batch in hand when stopped, and starts no other', async () => {
    const stop = new AbortController();
    const classify = slowSource('classify', 5, 100);
    const delivered: unknown[] = [];
    const invocations = await serveUntilStopped([classify.source], {
      signal: stop.signal,
      onBatch: (_, result) => {
        delivered.push(result);
        if (delivered.length === 1) setTimeout(() => stop.abort(), 20); // arrives while batch 2 is in hand
      },
    });
    assert.deepEqual(classify.log, ['start classify#1', 'finish classify#1', 'start classify#2', 'finish classify#2']);
    assert.deepEqual(delivered, ['classify#1', 'classify#2']);
    assert.deepEqual(invocations, { classify: 2 });
  });

  it('keeps polling while idle (posts may come at any time) and survives a failing poll', async () => {
    const stop = new AbortController();
    let polls = 0;
    const errors: string[] = [];
    const flaky: EventSource<string> = {
      name: 'flaky',
      async pollOnce() {
        polls += 1;
        if (polls === 2) throw new Error('emulator hiccup');
        if (polls === 6) return 'late arrival';
        if (polls === 7) stop.abort();
        return undefined;
      },
      async isIdle() {
        return true;
      },
    };
    const delivered: unknown[] = [];
    let idleRounds = 0;
    await serveUntilStopped([flaky], {
      signal: stop.signal,
      idlePauseMs: 5,
      onBatch: (_, result) => {
        delivered.push(result);
      },
      onIdle: () => {
        idleRounds += 1;
      },
      onError: (source, error) => errors.push(`${source}: ${(error as Error).message}`),
    });
    assert.deepEqual(delivered, ['late arrival']);
    assert.deepEqual(errors, ['flaky: emulator hiccup']);
    assert.ok(idleRounds >= 3, `idle rounds ${idleRounds}`);
  });
});

describe('StatusLine', () => {
  const status = formatStatus({ queued: 3, inFlight: 1, scored: 10, deadLettered: 2, aggregated: 9 });

  function fakeStream(isTTY: boolean) {
    const writes: string[] = [];
    return { writes, stream: { isTTY, write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream };
  }

  it('formats queued, in flight, scored, in the DLQ and aggregated', () => {
    assert.equal(status, 'queued 3 | in flight 1 | scored 10 | in the DLQ 2 | aggregated 9');
  });

  it('redraws in place on a terminal, with messages above it', () => {
    const { writes, stream } = fakeStream(true);
    const line = new StatusLine(stream);
    line.update(status);
    line.log('SQS GetQueueUrl refused');
    line.update('queued 0');
    line.end();
    assert.deepEqual(writes, [
      `\r\x1b[2K${status}`,
      `\r\x1b[2KSQS GetQueueUrl refused\n${status}`,
      '\r\x1b[2Kqueued 0',
      '\n',
    ]);
  });

  it('prints a line per update elsewhere (CI logs, pipes)', () => {
    const { writes, stream } = fakeStream(false);
    const line = new StatusLine(stream);
    line.update(status);
    line.log('note');
    line.end();
    assert.deepEqual(writes, [`${status}\n`, 'note\n']);
  });
});
