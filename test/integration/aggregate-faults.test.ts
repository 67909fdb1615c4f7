// The batched aggregate path under faults, on DynamoDB Local with the local stream event source: throttles,
// 5xx, reset connections and TransactionConflict on the transactions, a commit whose response is lost,
// a crash (timeout) between the transactions of one batch, retries running out, a batch split across
// transactions, MODIFY after INSERT in one batch, and batches whose markers partly exist. Every case
// ends with 0 posts lost, the aggregates equal to a recount of the results table, and no double counts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamoDBRecord } from 'aws-lambda';
import { startStack, type TestStack } from '../support/stack.js';
import { injectTransactionFaults, FAULTS } from '../support/dynamodb-faults.js';
import { pipelineEventSources, runUntilIdle, type PipelineHandlers } from '../../src/local/event-sources.js';
import type { StreamHandler } from '../../src/runtime/stream-event-source.js';
import { encodePostMessage } from '../../src/domain/messages.js';
import { seededRandom } from '../../src/local/seeded-random.js';
import { importHandlers } from '../support/pipeline.js';
import { contraryClassifier } from '../support/classifiers.js';
import { makePosts } from '../support/posts.js';
import { drainQueue, sendBodies } from '../support/queues.js';
import { countMarkers, readResults } from '../support/tables.js';
import { assertAggregatesMatchResults } from '../support/aggregates.js';

process.env.MODEL_ID = 'no-such-model-lexicon-fallback';
process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

let stack: TestStack;
let handlers: PipelineHandlers;
let ingestPosts: typeof import('../../src/producer.js').ingestPosts;
let createAggregateBatch: typeof import('../../src/pipeline/aggregate.js').createAggregateBatch;
let createClassifyBatch: typeof import('../../src/pipeline/classify.js').createClassifyBatch;
let dynamoDbClient: typeof import('../../src/aws/clients.js').dynamoDbClient;
let onConsumedCapacity: typeof import('../../src/aws/consumed-capacity.js').onConsumedCapacity;

before(async () => {
  stack = await startStack();
  handlers = await importHandlers();
  ({ ingestPosts } = await import('../../src/producer.js'));
  ({ createAggregateBatch } = await import('../../src/pipeline/aggregate.js'));
  ({ createClassifyBatch } = await import('../../src/pipeline/classify.js'));
  ({ dynamoDbClient } = await import('../../src/aws/clients.js'));
  ({ onConsumedCapacity } = await import('../../src/aws/consumed-capacity.js'));
});

after(async () => {
  await stack?.teardown();
});

/** Short backoff so retries do not make the tests slow; the bound still applies. */
const FAST_BACKOFF = { attempts: 12, baseMs: 1, maxMs: 20 };

/** A fresh stage whose `count` posts are scored: their INSERTs wait in the results stream. */
async function scoredStage(count: number, prefix: string) {
  const stage = await stack.freshStage();
  await ingestPosts(makePosts(count, { prefix, seed: 1 }), {
    postsTable: stage.tables.posts,
    queueUrl: stage.queues.classify.url,
  });
  const classifyOnly = pipelineEventSources(stack.clients, stage, handlers, {
    classify: { maximumBatchingWindowSeconds: 0.2 },
  });
  await runUntilIdle([classifyOnly.classify], { timeoutMs: 120_000 });
  assert.equal((await readResults(stage.tables.results)).size, count);
  const aggregateWith = (
    aggregate: StreamHandler,
    overrides: NonNullable<Parameters<typeof pipelineEventSources>[3]>['aggregate'] = {},
  ) => pipelineEventSources(stack.clients, stage, { ...handlers, aggregate }, { aggregate: overrides }).aggregate;
  return { stage, aggregateWith };
}

async function assertExactlyOnce(
  stage: Awaited<ReturnType<typeof scoredStage>>['stage'],
  posts: number,
): Promise<void> {
  assert.equal(await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates), posts);
  assert.equal(await countMarkers(stage.tables.aggregates), posts, 'one marker per stream record');
  assert.deepEqual(await drainQueue(stack.clients.sqs, stage.queues.streamFailures.url), [], 'nothing given up on');
}

const sequenceOf = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;

describe('batched aggregates under faults', () => {
  it('retries throttles, 5xx, reset connections, conflicts and lost responses: 0 lost, equal to a recount, no double counts', async () => {
    const { stage, aggregateWith } = await scoredStage(150, 'faulty');
    const random = seededRandom(5);
    // About half the transaction calls fail, the kinds of fault in turn.
    let injected = 0;
    const faults = injectTransactionFaults(dynamoDbClient(), () =>
      random() < 0.5 ? FAULTS[injected++ % FAULTS.length] : undefined,
    );
    try {
      const source = aggregateWith(createAggregateBatch({ backoff: FAST_BACKOFF, maxTransactionItems: 15 }));
      await runUntilIdle([source], { timeoutMs: 120_000 });
    } finally {
      faults.remove();
    }
    const seen = new Set(faults.calls.map((call) => call.fault).filter(Boolean));
    assert.deepEqual(
      [...seen].sort(),
      [...FAULTS].sort(),
      `every kind of fault was injected (${faults.calls.length} calls)`,
    );
    assert.ok(faults.calls.every((call) => call.items <= 15));
    // A lost response is retried and answered by the markers: a cancellation naming every marker.
    const lost = faults.calls.findIndex((call) => call.fault === 'commit-then-lose-response');
    const retry = faults.calls.slice(lost + 1).find((call) => !call.fault);
    assert.ok(retry?.reasons?.includes('ConditionalCheckFailed'), `after a lost response: ${JSON.stringify(retry)}`);
    await assertExactlyOnce(stage, 150);
  });

  it('a crash (timeout) after the first of several transactions committed: the retried batch applies the rest once', async () => {
    const { stage, aggregateWith } = await scoredStage(60, 'crash');
    const faults = injectTransactionFaults(dynamoDbClient(), (call) => (call === 1 ? 'commit-then-hang' : undefined));
    let source: ReturnType<typeof aggregateWith> | undefined;
    try {
      source = aggregateWith(createAggregateBatch({ backoff: FAST_BACKOFF, maxTransactionItems: 20 }), {
        function: { timeoutSeconds: 5 },
      });
      await runUntilIdle([source], { timeoutMs: 120_000 });
    } finally {
      faults.remove();
    }
    assert.match(source.history[0].error ?? '', /timed out/, 'the first invocation never answered');
    assert.equal(faults.calls[1].outcome, 'committed, then hung');
    const cancelled = faults.calls.filter((call) => call.reasons?.includes('ConditionalCheckFailed'));
    assert.ok(cancelled.length >= 2, 'the retry found the markers of both committed transactions');
    await assertExactlyOnce(stage, 60);
  });

  it('conflicts until the retries run out: the response names exactly the records not applied, and the retry applies them', async () => {
    const { stage, aggregateWith } = await scoredStage(40, 'conflict');
    // The first transaction commits; the second conflicts on every attempt of the first invocation.
    const faults = injectTransactionFaults(dynamoDbClient(), (call) =>
      call >= 1 && call <= 3 ? 'conflict' : undefined,
    );
    let source: ReturnType<typeof aggregateWith> | undefined;
    try {
      source = aggregateWith(
        createAggregateBatch({ backoff: { attempts: 3, baseMs: 1, maxMs: 5 }, maxTransactionItems: 20 }),
      );
      await runUntilIdle([source], { timeoutMs: 120_000 });
    } finally {
      faults.remove();
    }
    const first = source.history[0];
    const records = first.event.Records;
    const applied = faults.calls[0].markers;
    assert.ok(applied > 0 && applied < records.length);
    const reported = new Set(first.response!.batchItemFailures.map((f) => f.itemIdentifier));
    assert.deepEqual(
      reported,
      new Set(records.slice(applied).map(sequenceOf)),
      'everything from the first unapplied record on, nothing before',
    );
    assert.deepEqual(
      source.history[1].event.Records.map(sequenceOf),
      records.slice(applied).map(sequenceOf),
      'Lambda retried from there',
    );
    await assertExactlyOnce(stage, 40);
  });

  it('splits a batch needing more than 100 items into transactions of at most 100, in stream order', async () => {
    const { stage, aggregateWith } = await scoredStage(260, 'split');
    const faults = injectTransactionFaults(dynamoDbClient(), () => undefined);
    let source: ReturnType<typeof aggregateWith> | undefined;
    try {
      source = aggregateWith(createAggregateBatch(), { batchSize: 1000 });
      await runUntilIdle([source], { timeoutMs: 120_000 });
    } finally {
      faults.remove();
    }
    const biggest = Math.max(...source.history.map((batch) => batch.event.Records.length));
    assert.ok(biggest > 100, `a batch of ${biggest} records`);
    assert.ok(faults.calls.length >= 3, `${faults.calls.length} transactions`);
    assert.ok(
      faults.calls.every((call) => call.items <= 100 && call.outcome === 'committed'),
      JSON.stringify(faults.calls),
    );
    assert.ok(
      faults.calls.some((call) => call.items >= 95),
      'transactions are filled',
    );
    await assertExactlyOnce(stage, 260);
  });

  it('MODIFY after INSERT of the same post in one batch, merged or split across transactions, counts the post once', async () => {
    for (const maxTransactionItems of [100, 8]) {
      const { stage, aggregateWith } = await scoredStage(24, `modify${maxTransactionItems}`);
      // Rescored by another model before the aggregate runs: the stream holds each post's INSERT, then its MODIFY.
      const rescore = createClassifyBatch({ classifier: async () => contraryClassifier('contrary-v2') });
      const sources = pipelineEventSources(
        stack.clients,
        stage,
        { classify: rescore, aggregate: handlers.aggregate },
        { classify: { maximumBatchingWindowSeconds: 0.2 } },
      );
      const posts = [...(await readResults(stage.tables.results)).keys()];
      await sendBodies(
        stack.clients.sqs,
        stage.queues.classify.url,
        posts.map((postId) => encodePostMessage(postId)),
      );
      await runUntilIdle([sources.classify], { timeoutMs: 120_000 });
      const source = aggregateWith(createAggregateBatch({ maxTransactionItems }));
      await runUntilIdle([source], { timeoutMs: 120_000 });
      const records = source.history.flatMap((batch) => batch.event.Records);
      assert.equal(records.filter((r) => r.eventName === 'MODIFY').length, 24);
      assert.equal(source.history.length, 1, 'INSERTs and MODIFYs in one batch');
      assert.equal(
        await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates),
        24,
        `limit ${maxTransactionItems}`,
      );
    }
  });

  it('a batch whose markers partly exist: the transaction is cancelled for those, and the rest is applied once', async () => {
    const { stage, aggregateWith } = await scoredStage(30, 'partial');
    const recorder = aggregateWith(async () => ({ batchItemFailures: [] })); // reads the stream without applying
    await runUntilIdle([recorder], { timeoutMs: 60_000 });
    const records = recorder.history.flatMap((batch) => batch.event.Records);
    assert.equal(records.length, 30);
    const aggregate = createAggregateBatch();
    const faults = injectTransactionFaults(dynamoDbClient(), () => undefined);
    try {
      // A partial batch first (every third record), then the whole batch with each record twice, as a replay might bring them.
      assert.deepEqual(await aggregate({ Records: records.filter((_, i) => i % 3 === 0) }), { batchItemFailures: [] });
      assert.deepEqual(await aggregate({ Records: [...records, ...records] }), { batchItemFailures: [] });
      // And the whole batch replayed again: every marker exists, nothing changes.
      assert.deepEqual(await aggregate({ Records: structuredClone(records) }), { batchItemFailures: [] });
    } finally {
      faults.remove();
    }
    const [partial, cancelled, rest, replay] = faults.calls;
    assert.equal(partial.outcome, 'committed');
    assert.equal(partial.markers, 10);
    assert.equal(cancelled.outcome, 'TransactionCanceledException');
    assert.equal(cancelled.markers, 30, 'the duplicates in the batch were dropped before the transaction');
    assert.equal(
      cancelled.reasons!.filter((code) => code === 'ConditionalCheckFailed').length,
      10,
      'the markers that existed, named one by one',
    );
    assert.equal(rest.outcome, 'committed');
    assert.equal(rest.markers, 20);
    assert.equal(replay.reasons!.filter((code) => code === 'ConditionalCheckFailed').length, 30);
    assert.equal(faults.calls.length, 4, 'a fully replayed batch costs one cancelled transaction');
    await assertExactlyOnce(stage, 30);
  });

  it('reports the capacity units of every DynamoDB call to a listener, transactions included', async () => {
    const { stage, aggregateWith } = await scoredStage(12, 'units');
    const seen: Array<{ command: string; readUnits: number; writeUnits: number }> = [];
    const stop = onConsumedCapacity((units) => seen.push(units));
    try {
      await runUntilIdle([aggregateWith(createAggregateBatch())], { timeoutMs: 60_000 });
      await readResults(stage.tables.results); // a Scan: read units
    } finally {
      stop();
    }
    const transactions = seen.filter((u) => u.command === 'TransactWriteItemsCommand');
    assert.ok(
      transactions.length >= 1 && transactions.every((u) => u.writeUnits > 0 && u.readUnits === 0),
      JSON.stringify(seen),
    );
    assert.ok(
      seen.some((u) => u.command === 'ScanCommand' && u.readUnits > 0),
      JSON.stringify(seen),
    );
    const count = seen.length;
    await readResults(stage.tables.results);
    assert.equal(seen.length, count, 'nothing is reported once the listener stopped');
    await assertExactlyOnce(stage, 12);
  });
});
