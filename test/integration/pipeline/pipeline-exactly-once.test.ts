// Delivery is at least once; results and aggregates must still count every post exactly once.
// Real emulators (DynamoDB Local + fauxqs) and the local event source mappings; the lexicon fallback
// (MODEL_ID names a missing model) keeps the runtime short.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TestStack } from '../../support/stack.js';
import { pipelineEventSources, runUntilIdle, type PipelineHandlers } from '../../../src/local/event-sources.js';
import type { Classifier, Label, Sentiment } from '../../../src/domain/sentiment.js';
import { encodePostMessage } from '../../../src/domain/messages.js';
import { ALL_SOURCES_PK } from '../../../src/domain/aggregation.js';
import { QUEUES } from '../../../src/resources.js';
import { startPipelineTest, type PipelineTest } from '../../support/pipeline.js';
import { makePosts } from '../../support/posts.js';
import { attribute, drainQueue, messagesInQueue, sendBodies } from '../../support/queues.js';
import { readCheckpoints, readResults } from '../../support/tables.js';
import {
  assertAggregatesMatchResults,
  assertFenceBookkeeping,
  lastSequencePerShard,
  readAggregates,
} from '../../support/aggregates.js';

process.env.MODEL_ID = 'no-such-model-lexicon-fallback';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

let stack: TestStack;
let handlers: PipelineHandlers;
let ingestPosts: PipelineTest['ingestPosts'];
// Imported in before(), after the environment above is set (modules creating Logger/Metrics read it on load).
let createClassifyBatch: typeof import('../../../src/pipeline/classify.js').createClassifyBatch;

before(async () => {
  ({ stack, handlers, ingestPosts } = await startPipelineTest());
  ({ createClassifyBatch } = await import('../../../src/pipeline/classify.js'));
});

after(async () => {
  await stack?.teardown();
});

/** A fresh stage, its event sources (short batching window) and a producer for it. */
async function freshPipeline(classify = handlers.classify, aggregate = handlers.aggregate) {
  const stage = await stack.freshStage();
  const sources = pipelineEventSources(
    stack.clients,
    stage,
    { classify, aggregate },
    { classify: { maximumBatchingWindowSeconds: 0.3 } },
  );
  const ingest = (posts: unknown[]) =>
    ingestPosts(posts, { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
  const run = () => runUntilIdle([sources.classify, sources.aggregate], { timeoutMs: 120_000 });
  const streamRecords = () => sources.aggregate.history.flatMap((batch) => batch.event.Records);
  return { stage, sources, ingest, run, streamRecords };
}

/** A model that answers the opposite of the label already stored: every rescore moves a count. */
function flippingClassifier(
  modelId: string,
  previous: Map<string, Label>,
  textsToPostIds: Map<string, string>,
): Classifier {
  const flip: Record<Label, Label> = { negative: 'positive', positive: 'neutral', neutral: 'negative' };
  const scoreOf: Record<Label, number> = { negative: -0.8, neutral: 0, positive: 0.8 };
  return {
    modelId,
    async classify(texts: string[]): Promise<Sentiment[]> {
      return texts.map((text) => {
        const label = flip[previous.get(textsToPostIds.get(text)!)!];
        const probabilities = { negative: 0.1, neutral: 0.1, positive: 0.1, [label]: 0.8 };
        return { label, score: scoreOf[label], probabilities, modelId, method: 'transformer' as const, flags: {} };
      });
    },
  };
}

describe('exactly once under redelivery', () => {
  it('scores and counts a duplicated message once, and a later redelivery emits no stream event', async () => {
    const { stage, ingest, run, streamRecords } = await freshPipeline();
    const posts = makePosts(12, { prefix: 'dup', seed: 1 });
    const summary = await ingest(posts);
    assert.equal(summary.enqueued, 12);
    // Duplicates of three posts, delivered together with the originals.
    await sendBodies(
      stack.clients.sqs,
      stage.queues.classify.url,
      posts.slice(0, 3).map((p) => encodePostMessage(p.postId)),
    );
    await run();

    const results = await readResults(stage.tables.results);
    assert.equal(results.size, 12);
    assert.equal(streamRecords().length, 12, 'one stream record per post, none for the duplicates');
    assert.equal(await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates), 12);
    const allDays = [...(await readAggregates(stage.tables.aggregates)).values()].filter(
      (a) => a.pk === ALL_SOURCES_PK,
    );
    assert.equal(
      allDays.reduce((sum, a) => sum + a.count, 0),
      12,
    );

    // The whole file again, later (a producer retry): nothing changes, no stream record appears.
    const classifiedAt = new Map([...results].map(([id, r]) => [id, r.classifiedAt]));
    await sendBodies(
      stack.clients.sqs,
      stage.queues.classify.url,
      posts.map((p) => encodePostMessage(p.postId)),
    );
    await run();
    assert.equal(streamRecords().length, 12);
    for (const [id, result] of await readResults(stage.tables.results))
      assert.equal(result.classifiedAt, classifiedAt.get(id), id);
    await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates);
    assert.equal(await messagesInQueue(stack.clients.sqs, stage.queues.classifyDlq.url), 0);
  });

  it('sends poison messages to the DLQ at once with their reason and scores the rest of their batch', async () => {
    const { stage, sources, ingest, run } = await freshPipeline();
    const posts = makePosts(8, { prefix: 'batchmate', seed: 1 });
    await ingest(posts);
    // A post stored behind the producer's back without text: its message can never succeed either.
    await stack.clients.documents.send(
      new PutCommand({
        TableName: stage.tables.posts,
        Item: { postId: 'textless', createdAt: '2024-05-01T00:00:00Z' },
      }),
    );
    const poison = [
      'this is not json',
      '{"v":2,"postId":"future-format"}',
      '{"v":1,"postId":42}',
      '{"v":1}',
      encodePostMessage('textless'),
    ];
    await sendBodies(stack.clients.sqs, stage.queues.classify.url, poison);

    const batch = await sources.classify.pollOnce();
    assert.ok(batch);
    assert.equal(batch.messageIds.length, 13, 'the poison shares one batch with the valid messages');
    assert.deepEqual(batch.failed, [], 'nothing is left to retry: poison is acknowledged after going to the DLQ');
    await run();

    const dead = await drainQueue(stack.clients.sqs, stage.queues.classifyDlq.url);
    assert.equal(dead.length, poison.length);
    const byBody = new Map(dead.map((m) => [m.Body, m]));
    const expectedReasons = ['not-json', 'schema-invalid', 'schema-invalid', 'schema-invalid', 'invalid-post'];
    poison.forEach((body, i) => {
      const message = byBody.get(body);
      assert.ok(message, `poison message ${body} is not in the DLQ with its original body`);
      assert.equal(attribute(message, 'failureReason'), expectedReasons[i], body);
      assert.ok((attribute(message, 'failureDetail') ?? '').length > 0, body);
      assert.ok(batch.messageIds.includes(attribute(message, 'originalMessageId')!), body);
      assert.equal(attribute(message, 'receiveCount'), '1', 'moved on its first receive, not by redrive');
    });
    assert.match(attribute(byBody.get('{"v":1,"postId":42}')!, 'failureDetail')!, /postId/);
    assert.match(attribute(byBody.get(encodePostMessage('textless'))!, 'failureDetail')!, /text/);

    const results = await readResults(stage.tables.results);
    assert.deepEqual([...results.keys()].sort(), posts.map((p) => p.postId).sort());
    assert.equal(await messagesInQueue(stack.clients.sqs, stage.queues.classify.url), 0);
    await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates);
  });

  it('retries a message whose post is not stored yet; DLQs one whose post never comes, with the reason', async () => {
    const { stage, sources, ingest, run } = await freshPipeline();
    await sendBodies(stack.clients.sqs, stage.queues.classify.url, [
      encodePostMessage('late'),
      encodePostMessage('ghost'),
    ]);
    const first = await sources.classify.pollOnce();
    assert.equal(first?.failed.length, 2, 'both fail as retryable while their posts are missing');
    // The post arrives after its message (a producer enqueuing before writing, or a slow write).
    // (The producer also enqueues it again: that duplicate must not count twice either.)
    const stored = await ingest([
      { postId: 'late', text: 'finally here, great news', createdAt: '2024-05-02T08:00:00Z', source: 'news' },
    ]);
    assert.equal(stored.stored, 1);
    const { invocations } = await run();

    const results = await readResults(stage.tables.results);
    assert.deepEqual([...results.keys()], ['late']);
    const dead = await drainQueue(stack.clients.sqs, stage.queues.classifyDlq.url);
    assert.equal(dead.length, 1);
    assert.equal(JSON.parse(dead[0].Body!).postId, 'ghost');
    assert.equal(
      attribute(dead[0], 'failureReason'),
      'post-not-found',
      'dead-lettered with the reason of its last failure',
    );
    assert.equal(
      attribute(dead[0], 'receiveCount'),
      String(QUEUES.classify.lastReceive),
      'on its last receive, not before',
    );
    assert.match(attribute(dead[0], 'failureDetail') ?? '', /gave up after \d+ receives/);
    assert.ok(invocations[sources.classify.name] >= QUEUES.classify.lastReceive, 'after lastReceive receives');
    await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates);
  });

  it('does not double-count a stream batch retried after the function failed, nor a replayed batch', async () => {
    // The first aggregate invocation does all its writes and then fails (as a timeout after the work would):
    // Lambda retries the same records.
    let invocations = 0;
    const failingOnce: PipelineHandlers['aggregate'] = async (event, context) => {
      const response = await handlers.aggregate(event, context);
      invocations += 1;
      if (invocations === 1) throw new Error('simulated failure after the writes');
      return response;
    };
    const { stage, sources, ingest, run, streamRecords } = await freshPipeline(handlers.classify, failingOnce);
    await ingest(makePosts(30, { prefix: 'replay', seed: 1 }));
    await run();

    assert.ok(invocations >= 2, 'the failed batch was delivered again');
    const delivered = streamRecords().length;
    assert.ok(delivered > 30, `records were redelivered (${delivered} deliveries of 30 records)`);
    assert.equal(await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates), 30);
    await assertFenceBookkeeping(stage.tables.aggregates, 'checkpoint', {
      history: sources.aggregate.history,
      records: 30,
    });

    // Replaying every delivered event again changes nothing either.
    const before = await readAggregates(stage.tables.aggregates);
    for (const batch of [...sources.aggregate.history]) {
      const response = await sources.aggregate.replay(batch.event);
      assert.deepEqual(response, { batchItemFailures: [], state: {} });
    }
    assert.deepEqual(
      [...(await readAggregates(stage.tables.aggregates)).entries()].map(([k, v]) => [
        k,
        { ...v, updatedAt: undefined },
      ]),
      [...before.entries()].map(([k, v]) => [k, { ...v, updatedAt: undefined }]),
    );
  });

  it("counts past an uncountable stream record: its batch's later records not double-counted on retry", async () => {
    const { stage, sources, ingest, run } = await freshPipeline();
    const posts = makePosts(20, { prefix: 'mixed', seed: 1 });
    await ingest(posts.slice(0, 10));
    // A result written behind the pipeline's back that cannot be counted (unknown label), between valid ones.
    await stack.clients.documents.send(
      new PutCommand({
        TableName: stage.tables.results,
        Item: { postId: 'bogus', label: 'ecstatic', score: 0.5, source: 'twitter', day: '2024-05-01', modelId: 'x' },
      }),
    );
    await ingest(posts.slice(10));
    await run();

    assert.equal(
      await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates, {
        exclude: new Set(['bogus']),
      }),
      20,
    );
    assert.deepEqual(
      await readCheckpoints(stage.tables.aggregates),
      lastSequencePerShard(sources.aggregate.history),
      'the checkpoint passed the uncountable record: its retries find the records after it applied',
    );
    // The record given up on is reported to the on-failure destination, not silently dropped.
    const reported = await drainQueue(stack.clients.sqs, stage.queues.streamFailures.url);
    assert.equal(reported.length, 1);
  });

  it('moves counts between labels when another model rescores the posts (MODIFY)', async () => {
    const { stage, ingest, run, streamRecords } = await freshPipeline();
    const posts = makePosts(15, { prefix: 'rescore', seed: 1 });
    await ingest(posts);
    await run();
    const firstResults = await readResults(stage.tables.results);
    assert.equal(firstResults.size, 15);
    const firstModel = [...firstResults.values()][0].modelId;
    const beforeAll = [...(await readAggregates(stage.tables.aggregates)).values()].filter(
      (a) => a.pk === ALL_SOURCES_PK,
    );

    // Rescore every post with another model through the same queue and stream.
    const previous = new Map([...firstResults].map(([id, r]) => [id, r.label]));
    const byText = new Map(posts.map((p) => [p.text, p.postId]));
    assert.equal(byText.size, posts.length, 'test posts need distinct texts');
    const rescore = createClassifyBatch({
      classifier: async () => flippingClassifier('flip-model-v2', previous, byText),
    });
    const sources = pipelineEventSources(
      stack.clients,
      stage,
      { classify: rescore, aggregate: handlers.aggregate },
      { classify: { maximumBatchingWindowSeconds: 0.3 } },
    );
    await sendBodies(
      stack.clients.sqs,
      stage.queues.classify.url,
      posts.map((p) => encodePostMessage(p.postId)),
    );
    await runUntilIdle([sources.classify, sources.aggregate], { timeoutMs: 120_000 });

    const rescored = await readResults(stage.tables.results);
    assert.equal(rescored.size, 15);
    for (const [id, result] of rescored) {
      assert.equal(result.modelId, 'flip-model-v2');
      assert.notEqual(result.label, previous.get(id), id);
    }
    assert.notEqual(firstModel, 'flip-model-v2');
    const modifies = sources.aggregate.history.flatMap((b) => b.event.Records).filter((r) => r.eventName === 'MODIFY');
    assert.equal(modifies.length, 15);
    assert.equal(streamRecords().length, 15, 'the first run saw only the 15 inserts');
    await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates);

    // Per day: new positives = old negatives, new neutrals = old positives, new negatives = old neutrals.
    const afterAll = new Map(
      [...(await readAggregates(stage.tables.aggregates)).values()]
        .filter((a) => a.pk === ALL_SOURCES_PK)
        .map((a) => [a.sk, a]),
    );
    for (const old of beforeAll) {
      const now = afterAll.get(old.sk)!;
      assert.equal(now.count, old.count, old.sk);
      assert.deepEqual([now.positive, now.neutral, now.negative], [old.negative, old.positive, old.neutral], old.sk);
    }
  });
});
