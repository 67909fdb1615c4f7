// The producer rides out throttling: a fault-injecting proxy in front of fauxqs and DynamoDB Local
// answers some calls with throttling or service errors (whole SendMessageBatch / BatchWriteItem calls,
// beyond the SDK's own three attempts), and every post still ends up stored and enqueued exactly once.
// With a tiny retry budget the posts are reported stored-but-not-enqueued, and the resend command the
// CLI prints enqueues just those.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, type TestStack } from '../../support/stack.js';
import {
  SERVICE_FAULT,
  THROTTLED_DYNAMODB,
  THROTTLED_SQS,
  UNPROCESSED_DYNAMODB,
  startFaultProxy,
  type FaultPlan,
  type FaultProxy,
} from '../../support/fault-proxy.js';
import { resetClients } from '../../../src/aws/clients.js';
import { applyEnvironment } from '../../../src/local/environment.js';
import { seededRandom } from '../../../src/local/seeded-random.js';
import { encodePostMessage } from '../../../src/domain/messages.js';
import { makePosts } from '../../support/posts.js';
import { drainQueue } from '../../support/queues.js';
import { readAll } from '../../support/tables.js';
import { DEFAULT_BACKOFF } from '../../../src/aws/backoff.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const SEND = 'AmazonSQS.SendMessageBatch';
const WRITE = 'DynamoDB_20120810.BatchWriteItem';
const GET = 'DynamoDB_20120810.BatchGetItem';

let stack: TestStack;
let sqsProxy: FaultProxy;
let dynamodbProxy: FaultProxy;
let restoreEnv: () => void;
let producer: typeof import('../../../src/producer/ingest.js');
let sqs: typeof import('../../../src/aws/sqs.js');
let dynamodb: typeof import('../../../src/aws/dynamodb.js');

before(async () => {
  stack = await startStack();
  sqsProxy = await startFaultProxy(stack.emulators.sqsEndpoint);
  dynamodbProxy = await startFaultProxy(stack.emulators.dynamodbEndpoint);
  producer = await import('../../../src/producer/ingest.js');
  sqs = await import('../../../src/aws/sqs.js');
  dynamodb = await import('../../../src/aws/dynamodb.js');
});

after(async () => {
  resetClients();
  restoreEnv?.();
  await sqsProxy?.stop();
  await dynamodbProxy?.stop();
  await stack?.teardown();
});

/** The queue URL as the SDK must see it: through the proxy (SQS clients send to the QueueUrl's host). */
const viaProxy = (url: string) => url.replace(stack.emulators.sqsEndpoint, sqsProxy.endpoint);

/** A fresh stage whose app clients (producer, adapters) go through the proxies; the test's own checks do not. */
async function freshStageBehindProxies(env: Record<string, string> = {}) {
  const stage = await stack.freshStage();
  restoreEnv?.();
  restoreEnv = applyEnvironment({
    AWS_ENDPOINT_URL_SQS: sqsProxy.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbProxy.endpoint,
    ...env,
  });
  resetClients();
  return stage;
}

function resetProxies(): void {
  for (const proxy of [sqsProxy, dynamodbProxy]) {
    proxy.calls.clear();
    proxy.faults.clear();
    proxy.plan = () => undefined;
  }
}

async function queuedPostIds(queueUrl: string): Promise<string[]> {
  return (await drainQueue(stack.clients.sqs, queueUrl)).map((m) => JSON.parse(m.Body!).postId as string).sort();
}

describe('producer under throttling (fault proxy in front of the emulators)', () => {
  it("retries a SendMessageBatch call that failed as a whole after the SDK's own attempts", async () => {
    resetProxies();
    const stage = await freshStageBehindProxies();
    sqsProxy.plan = (operation, n) => (operation === SEND && n <= 7 ? THROTTLED_SQS : undefined);
    const bodies = Array.from({ length: 10 }, (_, i) => ({ body: encodePostMessage(`whole-${i}`) }));
    const failures = await sqs.sendMessages(viaProxy(stage.queues.classify.url), bodies, {
      attempts: 8,
      baseMs: 10,
      maxMs: 200,
    });
    assert.deepEqual(failures, []);
    // 3 SDK attempts, a whole-call failure, 3 more, another, then the 7th fault and the 8th call gets through.
    assert.equal(sqsProxy.faults.get(SEND), 7);
    assert.equal(sqsProxy.calls.get(SEND), 8);
    assert.deepEqual(await queuedPostIds(stage.queues.classify.url), bodies.map((_, i) => `whole-${i}`).sort());
  });

  it("retries a BatchWriteItem call that failed as a whole after the SDK's own attempts", async () => {
    resetProxies();
    const stage = await freshStageBehindProxies();
    dynamodbProxy.plan = (operation, n) => (operation === WRITE && n <= 7 ? THROTTLED_DYNAMODB : undefined);
    const items = makePosts(20, { prefix: 'bw', seed: 2 }).map((post) => ({ ...post }));
    assert.deepEqual(
      await dynamodb.batchWriteItems(stage.tables.posts, items, { attempts: 8, baseMs: 10, maxMs: 200 }),
      [],
    );
    assert.equal(dynamodbProxy.faults.get(WRITE), 7);
    assert.equal(dynamodbProxy.calls.get(WRITE), 8);
    assert.equal(
      dynamodbProxy.calls.get('DynamoDB_20120810.PutItem'),
      undefined,
      'no fallback to one PutItem per item',
    );
    const stored = await readAll<{ postId: string }>(stage.tables.posts);
    assert.deepEqual(stored.map((p) => p.postId).sort(), items.map((p) => p.postId).sort());
  });

  it('does not retry a call that cannot succeed (no such queue)', async () => {
    resetProxies();
    await freshStageBehindProxies();
    const missing = viaProxy(stack.stage.queues.classify.url.replace(/[^/]+$/, 'no-such-queue'));
    const failures = await sqs.sendMessages(missing, [{ body: 'x' }], {
      attempts: 8,
      baseMs: 10,
      maxMs: 200,
      retryForMs: 60_000,
    });
    assert.equal(failures.length, 1);
    assert.match(failures[0].error, /QueueDoesNotExist|NonExistentQueue/);
    assert.equal(sqsProxy.calls.get(SEND), 1);
  });

  it("reports each failed SendMessageBatch entry with its own error, never another entry's", async () => {
    resetProxies();
    const stage = await freshStageBehindProxies();
    // Entry 0 fails on SQS's side (retried), entry 1 as the sender's fault (not retried), entry 2 is sent.
    sqsProxy.plan = (operation) =>
      operation === SEND
        ? {
            drop: (i) =>
              i === 0
                ? { code: 'InternalError', message: 'entry zero failed on our side', senderFault: false }
                : i === 1 && { code: 'InvalidParameterValue', message: 'entry one is malformed', senderFault: true },
          }
        : undefined;
    const messages = [0, 1, 2].map((i) => ({ body: encodePostMessage(`own-${i}`) }));
    const failures = await sqs.sendMessages(viaProxy(stage.queues.classify.url), messages, {
      attempts: 1,
      baseMs: 1,
      maxMs: 1,
    });
    const byIndex = new Map(failures.map((f) => [f.index, f.error]));
    assert.deepEqual([...byIndex.keys()].sort(), [0, 1]);
    assert.match(byIndex.get(0)!, /^still failing after 1 attempts of SendMessageBatch: InternalError: entry zero/);
    assert.equal(byIndex.get(1), 'InvalidParameterValue: entry one is malformed');
    assert.deepEqual(await queuedPostIds(stage.queues.classify.url), ['own-2']);
  });

  it('ingests every post, stored and enqueued once, through throttled and failing calls', async () => {
    resetProxies();
    const stage = await freshStageBehindProxies();
    const random = seededRandom(13);
    // The first calls all fail (so whole calls fail after the SDK's attempts), then about 1 in 4.
    const plan = (first: number, throttled: typeof THROTTLED_SQS) => (operation: string, n: number) => {
      if (operation !== SEND && operation !== WRITE) return undefined;
      if (n <= first) return throttled;
      const r = random();
      return r < 0.18 ? throttled : r < 0.25 ? SERVICE_FAULT : undefined;
    };
    sqsProxy.plan = plan(14, THROTTLED_SQS);
    dynamodbProxy.plan = plan(14, THROTTLED_DYNAMODB);
    const posts = makePosts(300, { prefix: 'thr', seed: 13 });
    const summary = await producer.ingestPosts(posts, {
      postsTable: stage.tables.posts,
      queueUrl: viaProxy(stage.queues.classify.url),
      chunkSize: 100,
    });
    assert.deepEqual(summary.failed, []);
    assert.equal(summary.stored, 300);
    assert.equal(summary.enqueued, 300);
    assert.ok((sqsProxy.faults.get(SEND) ?? 0) > 14, `SendMessageBatch faults: ${sqsProxy.faults.get(SEND)}`);
    assert.ok((dynamodbProxy.faults.get(WRITE) ?? 0) > 14, `BatchWriteItem faults: ${dynamodbProxy.faults.get(WRITE)}`);
    assert.deepEqual(await queuedPostIds(stage.queues.classify.url), posts.map((p) => p.postId).sort());
    resetProxies();
    const stored = await readAll<{ postId: string }>(stage.tables.posts);
    assert.deepEqual(stored.map((p) => p.postId).sort(), posts.map((p) => p.postId).sort());
  });

  describe('resendPosts reads the posts back with BatchGetItem under its retry budget', () => {
    /**
     * A fresh stage holding `n` posts (the SDK makes one attempt a call, so each fault is one failed call), and
     * resendPosts of them through the proxies with `maxRetryMs`.
     */
    async function resendStored(prefix: string, n: number, plan: FaultPlan, maxRetryMs: number) {
      resetProxies();
      const stage = await freshStageBehindProxies({ AWS_MAX_ATTEMPTS: '1' });
      const posts = makePosts(n, { prefix, seed: 5 });
      assert.deepEqual(
        await dynamodb.batchWriteItems(
          stage.tables.posts,
          posts.map((post) => ({ ...post })),
        ),
        [],
      );
      dynamodbProxy.plan = plan;
      const ids = posts.map((p) => p.postId).sort();
      const summary = await producer.resendPosts(ids, {
        postsTable: stage.tables.posts,
        queueUrl: viaProxy(stage.queues.classify.url),
        maxRetryMs,
      });
      return { summary, ids, queued: await queuedPostIds(stage.queues.classify.url) };
    }

    const BURSTS = [
      { what: 'a throttling burst (whole calls failing)', fault: THROTTLED_DYNAMODB },
      { what: 'UnprocessedKeys answers (calls that processed nothing)', fault: UNPROCESSED_DYNAMODB },
    ];
    for (const { what, fault } of BURSTS) {
      it(`rides out ${what} longer than the default attempts but shorter than the budget`, async () => {
        const burst = DEFAULT_BACKOFF.attempts + 1;
        const { summary, ids, queued } = await resendStored(
          'burst',
          30,
          (operation, n) => (operation === GET && n <= burst ? fault : undefined),
          60_000,
        );
        assert.deepEqual(summary.failed, []);
        assert.deepEqual([summary.enqueued, summary.missing], [30, []]);
        assert.equal(dynamodbProxy.faults.get(GET), burst);
        assert.equal(dynamodbProxy.calls.get(GET), burst + 1);
        assert.deepEqual(queued, ids);
      });
    }

    it('reports the posts not read, with the attempts and the budget, once the budget is spent', async () => {
      const { summary, ids, queued } = await resendStored(
        'spent',
        3,
        (operation) => (operation === GET ? THROTTLED_DYNAMODB : undefined),
        300,
      );
      assert.equal(summary.enqueued, 0);
      assert.deepEqual(summary.failed.map((f) => f.postId).sort(), ids);
      for (const { reason } of summary.failed)
        assert.match(
          reason,
          new RegExp(
            /^not read: still ProvisionedThroughputExceededException: .* /.source +
              /after \d+ attempts in [\d.]+ s \(retry budget 0.3 s\) of BatchGetItem$/.source,
          ),
        );
      assert.ok((dynamodbProxy.calls.get(GET) ?? 0) > 1, 'retried within the budget');
      assert.deepEqual(queued, []);
    });

    it('fails a call rejected for its content at once, without retrying it', async () => {
      const { summary } = await resendStored(
        'invalid',
        3,
        (operation) => (operation === GET ? { status: 400, code: 'ValidationException' } : undefined),
        60_000,
      );
      assert.equal(summary.enqueued, 0);
      for (const { reason } of summary.failed) assert.match(reason, /^not read: ValidationException: /);
      assert.equal(summary.failed.length, 3);
      assert.equal(dynamodbProxy.calls.get(GET), 1);
    });
  });

  it('with a tiny retry budget, reports the posts stored but not enqueued and prints a resend command that works', {
    timeout: 120_000,
  }, async () => {
    resetProxies();
    const stage = await freshStageBehindProxies();
    const dir = mkdtempSync(join(tmpdir(), 'ingest-throttled-'));
    try {
      const input = join(dir, 'posts.jsonl');
      const posts = makePosts(12, { prefix: 'tiny', seed: 3 });
      writeFileSync(input, posts.map((p) => JSON.stringify(p)).join('\n'));
      const unsent = join(dir, 'unsent.txt');
      sqsProxy.plan = (operation) => (operation === SEND ? THROTTLED_SQS : undefined);
      const env = {
        ...stack.env,
        AWS_ENDPOINT_URL_SQS: sqsProxy.endpoint,
        QUEUE_URL: viaProxy(stage.queues.classify.url),
        POSTS_TABLE: stage.tables.posts,
      };

      const first = await runIngest([input, '--retry-for', '0.2', '--unsent', unsent], env);
      assert.equal(first.code, 1, first.output);
      assert.match(first.output, /failed 12/);
      assert.match(
        first.output,
        new RegExp(
          /stored but not enqueued: still failing after \d+ attempts in [\d.]+ s \(retry budget 0.2 s\)/.source +
            / of SendMessageBatch: RequestThrottled/.source,
        ),
      );
      const command = /npm run ingest -- (--resend \S+)/.exec(first.output);
      assert.ok(command, first.output);
      assert.equal(command[1], `--resend ${unsent}`);
      assert.deepEqual(readFileSync(unsent, 'utf8').trim().split('\n').sort(), posts.map((p) => p.postId).sort());
      assert.deepEqual(await queuedPostIds(stage.queues.classify.url), []);

      sqsProxy.plan = () => undefined; // the throttling is over
      const again = await runIngest(command[1].split(' '), env);
      assert.equal(again.code, 0, again.output);
      assert.match(again.output, /12 post IDs, 12 enqueued, 0 not in/);
      assert.deepEqual(await queuedPostIds(stage.queues.classify.url), posts.map((p) => p.postId).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function runIngest(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/ingest.ts', ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
