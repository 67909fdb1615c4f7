// What classify does with a record it cannot score: before the last receive it is reported failed and hidden for
// a backoff that grows with its receive count (ChangeMessageVisibility); on the last receive (lastReceive), and on
// any after it (its acknowledgement was lost), a post whose model keeps failing is scored by the lexicon (flagged,
// for rescore), a duplicate whose post another delivery already scored is acknowledged, and a post that could not
// be read goes to the DLQ with its reason. Each counted in its metric. Real emulators; the records' receive
// counts are set as SQS would on that receive.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { startStack, type TestStack } from '../../support/stack.js';
import { receiveMessages, queueDepth } from '../../../src/aws/sqs-queues.js';
import { encodePostMessage } from '../../../src/domain/messages.js';
import { loadConfig } from '../../../src/config.js';
import { QUEUES } from '../../../src/resources.js';
import { sqsEventFromMessages } from '../../support/events.js';
import { captureStdout, metricValues } from '../../support/emf.js';
import { makePosts } from '../../support/posts.js';
import { attribute, drainQueue, sendBodies } from '../../support/queues.js';
import { readResults } from '../../support/tables.js';

process.env.MODEL_ID = 'no-such-model-lexicon-fallback';
process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'ImpactSentimentTest';

let stack: TestStack;
let ingestPosts: typeof import('../../../src/producer/ingest.js').ingestPosts;
let createClassifyBatch: typeof import('../../../src/pipeline/classify.js').createClassifyBatch;
let publish: () => void;

before(async () => {
  stack = await startStack();
  ({ ingestPosts } = await import('../../../src/producer/ingest.js'));
  ({ createClassifyBatch } = await import('../../../src/pipeline/classify.js'));
  const { metrics } = await import('../../../src/observability.js');
  publish = () => metrics.publishStoredMetrics();
});

after(async () => {
  await stack?.teardown();
});

const LAST = String(QUEUES.classify.lastReceive);
// A receive after the last: the last one's acknowledgement was lost (a failed delete, a crash after the write).
const PAST_LAST = String(QUEUES.classify.lastReceive + 1);

async function receiveEvent(count: number): Promise<SQSEvent> {
  const { classify } = stack.stage.queues;
  const messages: Message[] = [];
  while (messages.length < count) {
    const received = await receiveMessages(stack.clients.sqs, classify.url, { max: count, waitSeconds: 1 });
    assert.ok(received.length > 0, `only ${messages.length} of ${count} messages arrived`);
    messages.push(...received);
  }
  return sqsEventFromMessages(messages, classify.arn);
}

const brokenModel = async () => ({
  modelId: 'broken-v1',
  classify: async (): Promise<never> => {
    throw new Error('injected: the model is down');
  },
});

/** Runs a classify function on the event with its metrics flushed, as the handler's middleware would. */
async function classifyWith(options: Parameters<typeof createClassifyBatch>[0], event: SQSEvent) {
  return captureStdout(async () => {
    const response = await createClassifyBatch(options)(event);
    publish();
    return response;
  });
}

describe('classify on a record that cannot be scored', () => {
  it('scores a post whose model keeps failing with the lexicon on its last receive only (and after it)', async () => {
    const stage = await stack.freshStage();
    const posts = makePosts(3, { prefix: 'down', seed: 1 });
    await ingestPosts(posts, { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
    const event = await receiveEvent(3);
    const [early, last, pastLast] = event.Records;
    last.attributes.ApproximateReceiveCount = LAST;
    pastLast.attributes.ApproximateReceiveCount = PAST_LAST;

    const { value: response, lines } = await classifyWith({ classifier: brokenModel }, event);
    assert.deepEqual(
      response.batchItemFailures.map((f) => f.itemIdentifier),
      [early.messageId],
    );
    const results = await readResults(stage.tables.results);
    const lastPosts = [last, pastLast].map((record) => JSON.parse(record.body).postId as string);
    assert.deepEqual([...results.keys()].sort(), lastPosts.sort());
    for (const postId of lastPosts)
      assert.equal(results.get(postId)!.method, 'lexicon', 'flagged as a lexicon result, so rescore brings it back');
    assert.deepEqual(metricValues(lines, 'LastReceiveFallbacks'), [2]);
    assert.deepEqual(metricValues(lines, 'RecordsFailed', ['reason', 'model-error']), [1]);
    assert.deepEqual(await drainQueue(stack.clients.sqs, stage.queues.classifyDlq.url), []);
  });

  it('acknowledges an already scored duplicate on its last receive; dead-letters an unread post', async () => {
    const stage = await stack.freshStage();
    const [scored, unread] = makePosts(2, { prefix: 'dup-last', seed: 1 });
    // The post's message is delivered twice (sent twice, as a producer retry would): one copy is scored first.
    await ingestPosts([scored], { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
    await sendBodies(stack.clients.sqs, stage.queues.classify.url, [encodePostMessage(scored.postId)]);
    await classifyWith({}, await receiveEvent(1));
    assert.equal((await readResults(stage.tables.results)).size, 1);

    // The other copy (past its last receive: that one's acknowledgement was lost) and a message for a post that
    // cannot be read (on its last receive), with the posts table unreadable (a DynamoDB failure).
    await sendBodies(stack.clients.sqs, stage.queues.classify.url, [encodePostMessage(unread.postId)]);
    const event = await receiveEvent(2);
    for (const record of event.Records)
      record.attributes.ApproximateReceiveCount = JSON.parse(record.body).postId === unread.postId ? LAST : PAST_LAST;
    const config = loadConfig();
    const unreadable = { ...config, tables: { ...config.tables, posts: 'no-such-posts-table' } };
    const { value: response, lines } = await classifyWith({ config: unreadable }, event);

    assert.deepEqual(response.batchItemFailures, [], 'both acknowledged');
    assert.deepEqual(metricValues(lines, 'ScoredBeforeDeadLetter'), [1]);
    assert.deepEqual(metricValues(lines, 'DlqSends'), [1]);
    assert.deepEqual(metricValues(lines, 'RecordsFailed', ['reason', 'post-read-failed']), []);
    const dead = await drainQueue(stack.clients.sqs, stage.queues.classifyDlq.url);
    assert.deepEqual(
      dead.map((m) => [JSON.parse(m.Body!).postId, attribute(m, 'failureReason')]),
      [[unread.postId, 'post-read-failed']],
    );
  });

  it('hides a failed record for its backoff, not the queue visibility timeout', async () => {
    const stage = await stack.freshStage(); // the queue hides a received message for 2 s
    await sendBodies(stack.clients.sqs, stage.queues.classify.url, [encodePostMessage('not-stored-yet')]);
    const event = await receiveEvent(1);
    const config = { ...loadConfig(), retryVisibility: { baseSeconds: 60, maxSeconds: 60 } };
    const { value: response } = await classifyWith({ config }, event);
    assert.equal(response.batchItemFailures.length, 1);

    // Past the queue's own timeout the message would be back; hidden for 30-60 s it is still in flight.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const again = await receiveMessages(stack.clients.sqs, stage.queues.classify.url, { max: 10, waitSeconds: 0 });
    assert.deepEqual(again, []);
    assert.equal((await queueDepth(stack.clients.sqs, stage.queues.classify.url)).inFlight, 1);
  });
});
