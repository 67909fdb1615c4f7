// worker on the emulators: the poll -> invoke -> delete loop with visibility kept extended while a batch
// is in hand, failures left to reappear, and a graceful stop on SIGTERM that loses nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startStack, type TestStack } from '../../support/stack.js';
import { sendMessages } from '../../../src/aws/sqs.js';
import { ingestPosts } from '../../../src/producer/ingest.js';
import { encodePostMessage, parsePostMessage } from '../../../src/domain/messages.js';
import { describeQueue } from '../../../src/ops/queues.js';
import { runWorker } from '../../../src/ops/worker.js';
import { MISSING_MODEL_DIR, REPO_ROOT } from '../../support/cli.js';
import { makePosts } from '../../support/posts.js';
import { drainQueue } from '../../support/queues.js';
import { readResults } from '../../support/tables.js';

/** Receives (and deletes) everything the queue holds, once in-flight messages are visible again. */
async function drain(stack: TestStack, url: string): Promise<Message[]> {
  await sleep(stack.stage.visibilityTimeoutSeconds * 1000 + 500);
  return drainQueue(stack.clients.sqs, url, { waitSeconds: 1 });
}

describe('ops worker', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.teardown();
  });

  it('keeps a slow batch invisible, finishes it after a stop, deletes its successes, leaves its failure', async () => {
    const stage = await stack.freshStage({ visibilityTimeoutSeconds: 2 });
    const ids = ['slow-1', 'slow-2', 'slow-3', 'slow-4', 'slow-fail'];
    assert.deepEqual(
      await sendMessages(
        stage.queues.classify.url,
        ids.map((id) => ({ body: encodePostMessage(id) })),
      ),
      [],
    );

    const deliveries = new Map<string, number>();
    let entered!: () => void;
    const inHand = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowHandler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      for (const record of event.Records) {
        const postId = (parsePostMessage(record.body) as { message: { postId: string } }).message.postId;
        deliveries.set(postId, (deliveries.get(postId) ?? 0) + 1);
      }
      entered();
      await released;
      const failing = event.Records.filter((r) => r.body.includes('slow-fail')).map((r) => ({
        itemIdentifier: r.messageId,
      }));
      return { batchItemFailures: failing };
    };

    const stop = new AbortController();
    const worker = runWorker({
      queue: await describeQueue(stage.queues.classify.url),
      region: stage.region,
      handler: slowHandler,
      signal: stop.signal,
      batchSize: 10,
      maximumBatchingWindowSeconds: 0,
      waitSeconds: 1,
    });
    await inHand;
    // Three visibility timeouts with the batch in hand: without the heartbeat it would be visible again.
    await sleep(6000);
    const competitor = await stack.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stage.queues.classify.url, WaitTimeSeconds: 1, VisibilityTimeout: 0 }),
    );
    assert.equal(competitor.Messages, undefined, 'the batch in hand stayed invisible');

    stop.abort(); // stop requested while the batch is in hand
    release();
    const stats = await worker;
    assert.deepEqual(stats, { batches: 1, succeeded: 4, failed: 1, pollErrors: 0 });
    assert.deepEqual([...deliveries.values()], [1, 1, 1, 1, 1], 'each message delivered once');
    const left = await drain(stack, stage.queues.classify.url);
    assert.deepEqual(
      left.map((m) => (parsePostMessage(m.Body) as { message: { postId: string } }).message.postId),
      ['slow-fail'],
    );
  });

  it('processes the queue as a child process, stops cleanly on SIGTERM without losing the batch in hand', async () => {
    const stage = await stack.freshStage({ visibilityTimeoutSeconds: 2 });
    const posts = makePosts(150, { prefix: 'worker' });
    const summary = await ingestPosts(posts, { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
    assert.equal(summary.enqueued, 150);

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/ops.ts', 'worker', '--wait', '1'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...stack.env, MODEL_DIR: MISSING_MODEL_DIR },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    );
    const logs: Array<Record<string, unknown>> = [];
    let inHand: string[] | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      logs.push(entry);
      if (entry.message === 'Worker batch started' && !inHand) {
        inHand = entry.messageIds as string[];
        child.kill('SIGTERM'); // while the batch is in hand
      }
    }
    const { code, signal } = await exited;
    assert.equal(code, 0, `worker exit (signal ${signal}):\n${stderr}`);
    assert.ok(inHand && inHand.length > 0, 'the worker took a batch');
    assert.match(stderr, /SIGTERM: finishing the batch in hand/);
    const done = logs.filter((l) => l.message === 'Worker batch done');
    assert.ok(done.length >= 1, 'the batch in hand was finished');
    const stopped = logs.find((l) => l.message === 'Worker stopped');
    assert.ok(stopped, 'the worker logged its stop');
    assert.equal(stopped.failed, 0);

    const results = await readResults(stage.tables.results);
    const queued = await drain(stack, stage.queues.classify.url);
    const queuedPosts = queued.map((m) => (parsePostMessage(m.Body) as { message: { postId: string } }).message.postId);
    // None lost, none both scored and still queued: every post is in exactly one place.
    assert.equal(results.size, stopped.succeeded, 'scored == deleted');
    assert.ok(results.size >= inHand.length, 'the batch in hand was scored');
    assert.deepEqual([...results.keys(), ...queuedPosts].sort(), posts.map((p) => p.postId).sort());
    assert.ok(!queued.some((m) => inHand!.includes(m.MessageId!)), 'no message of the batch in hand was left behind');
  });
});
