// The batched aggregate path under faults, on DynamoDB Local with the local stream event source, under
// both fences (the shard checkpoint of a tumbling-window mapping, and per-record markers for events that
// do not name their shard): throttles, 5xx, reset connections and TransactionConflict on the
// transactions, a commit whose response is lost, a crash (timeout) between the transactions of one batch,
// retries running out, a batch split across transactions, MODIFY after INSERT in one batch, and batches
// the fence partly passed. Every case ends with 0 posts lost, the aggregates equal to a recount of the
// results table, and no double counts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamoDBRecord } from 'aws-lambda';
import type { TestStack } from '../../support/stack.js';
import { injectTransactionFaults, FAULTS } from '../../support/dynamodb-faults.js';
import { pipelineEventSources, runUntilIdle, type PipelineHandlers } from '../../../src/local/event-sources.js';
import type { StreamHandler } from '../../../src/event-sources/stream-event-source.js';
import { encodePostMessage } from '../../../src/domain/messages.js';
import { sequenceOrder } from '../../../src/domain/aggregation.js';
import type { Fence } from '../../../src/domain/aggregate-batch.js';
import { seededRandom } from '../../../src/local/seeded-random.js';
import { startPipelineTest, type PipelineTest } from '../../support/pipeline.js';
import { contraryClassifier } from '../../support/classifiers.js';
import { makePosts } from '../../support/posts.js';
import { drainQueue, sendBodies } from '../../support/queues.js';
import { readResults } from '../../support/tables.js';
import { assertAggregatesMatchResults, assertFenceBookkeeping } from '../../support/aggregates.js';

process.env.MODEL_ID = 'no-such-model-lexicon-fallback';
process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

let stack: TestStack;
let handlers: PipelineHandlers;
let ingestPosts: PipelineTest['ingestPosts'];
let createAggregateBatch: typeof import('../../../src/pipeline/aggregate.js').createAggregateBatch;
let createClassifyBatch: typeof import('../../../src/pipeline/classify.js').createClassifyBatch;
let dynamoDbClient: typeof import('../../../src/aws/clients.js').dynamoDbClient;
let onConsumedCapacity: typeof import('../../../src/aws/consumed-capacity.js').onConsumedCapacity;

before(async () => {
  ({ stack, handlers, ingestPosts } = await startPipelineTest());
  ({ createAggregateBatch } = await import('../../../src/pipeline/aggregate.js'));
  ({ createClassifyBatch } = await import('../../../src/pipeline/classify.js'));
  ({ dynamoDbClient } = await import('../../../src/aws/clients.js'));
  ({ onConsumedCapacity } = await import('../../../src/aws/consumed-capacity.js'));
});

after(async () => {
  await stack?.teardown();
});

/** Short backoff so retries do not make the tests slow; the bound still applies. */
const FAST_BACKOFF = { attempts: 12, baseMs: 1, maxMs: 20 };

const FENCES: readonly Fence[] = ['checkpoint', 'markers'];
/** The local mapping as deployed (a tumbling window: events name their shard), or without a window. */
const MAPPING_OF: Record<Fence, { tumblingWindowSeconds: number }> = {
  checkpoint: { tumblingWindowSeconds: 900 },
  markers: { tumblingWindowSeconds: 0 },
};

/**
 * A fresh stage whose `count` posts are scored: their INSERTs wait in the results stream. Ten days of
 * posts: about 40 aggregate items, so small transaction limits cut a batch into many transactions.
 */
async function scoredStage(count: number, prefix: string, days = 10) {
  const stage = await stack.freshStage();
  await ingestPosts(makePosts(count, { prefix, seed: 1, days }), {
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
  fence: Fence,
  history: Parameters<typeof assertFenceBookkeeping>[2]['history'],
): Promise<void> {
  assert.equal(await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates), posts);
  await assertFenceBookkeeping(stage.tables.aggregates, fence, { history, records: posts });
  assert.deepEqual(await drainQueue(stack.clients.sqs, stage.queues.streamFailures.url), [], 'nothing given up on');
}

const sequenceOf = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;

/** How many records of the batch the call's transaction held (it began at the batch's first record). */
function recordsIn(call: { markers: number; checkpointTo?: string }, records: DynamoDBRecord[], fence: Fence): number {
  if (fence === 'markers') return call.markers;
  return records.findIndex((record) => sequenceOrder(sequenceOf(record)) === call.checkpointTo) + 1;
}

describe('batched aggregates under faults', () => {
  for (const fence of FENCES) {
    const mapping = MAPPING_OF[fence];

    it(`${fence}: retries throttles, 5xx, resets, conflicts, lost answers: 0 lost, none twice, = recount`, async () => {
      const { stage, aggregateWith } = await scoredStage(150, `faulty-${fence}`);
      const random = seededRandom(5);
      // About half the transaction calls fail, the kinds of fault in turn.
      let injected = 0;
      const faults = injectTransactionFaults(dynamoDbClient(), () =>
        random() < 0.5 ? FAULTS[injected++ % FAULTS.length] : undefined,
      );
      const maxTransactionItems = fence === 'checkpoint' ? 8 : 15;
      let source: ReturnType<typeof aggregateWith> | undefined;
      try {
        source = aggregateWith(createAggregateBatch({ backoff: FAST_BACKOFF, maxTransactionItems }), mapping);
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
      assert.ok(faults.calls.every((call) => call.items <= maxTransactionItems));
      // A lost response is retried and answered by the fence: a cancellation naming the checkpoint or every marker.
      const lost = faults.calls.findIndex((call) => call.fault === 'commit-then-lose-response');
      const retry = faults.calls.slice(lost + 1).find((call) => !call.fault);
      assert.equal(retry?.reasons?.[0], 'ConditionalCheckFailed', `after a lost response: ${JSON.stringify(retry)}`);
      await assertExactlyOnce(stage, 150, fence, source.history);
    });

    it(`${fence}: timeout after 1 of several transactions committed: the retry applies the rest once`, async () => {
      const { stage, aggregateWith } = await scoredStage(60, `crash-${fence}`);
      const faults = injectTransactionFaults(dynamoDbClient(), (call) => (call === 1 ? 'commit-then-hang' : undefined));
      let source: ReturnType<typeof aggregateWith> | undefined;
      try {
        source = aggregateWith(createAggregateBatch({ backoff: FAST_BACKOFF, maxTransactionItems: 20 }), {
          ...mapping,
          function: { timeoutSeconds: 5 },
        });
        await runUntilIdle([source], { timeoutMs: 120_000 });
      } finally {
        faults.remove();
      }
      assert.match(source.history[0].error ?? '', /timed out/, 'the first invocation never answered');
      assert.equal(faults.calls[1].outcome, 'committed, then hung');
      assert.ok(faults.calls.length >= 4, `more transactions than the two committed (${faults.calls.length})`);
      const cancelled = faults.calls.filter((call) => call.reasons?.includes('ConditionalCheckFailed'));
      assert.ok(cancelled.length >= 2, 'the retry found the fence of both committed transactions');
      await assertExactlyOnce(stage, 60, fence, source.history);
    });

    it(`${fence}: conflicts outlast retries: exactly the unapplied records fail; the retry applies them`, async () => {
      const { stage, aggregateWith } = await scoredStage(40, `conflict-${fence}`);
      // The first transaction commits; the second conflicts on every attempt of the first invocation.
      const faults = injectTransactionFaults(dynamoDbClient(), (call) =>
        call >= 1 && call <= 3 ? 'conflict' : undefined,
      );
      let source: ReturnType<typeof aggregateWith> | undefined;
      try {
        source = aggregateWith(
          createAggregateBatch({ backoff: { attempts: 3, baseMs: 1, maxMs: 5 }, maxTransactionItems: 20 }),
          mapping,
        );
        await runUntilIdle([source], { timeoutMs: 120_000 });
      } finally {
        faults.remove();
      }
      const first = source.history[0];
      const records = first.event.Records;
      const applied = recordsIn(faults.calls[0], records, fence);
      assert.ok(applied > 0 && applied < records.length, `${applied} of ${records.length} applied`);
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
      await assertExactlyOnce(stage, 40, fence, source.history);
    });

    it(`${fence}: splits a batch of over 100 items into transactions of at most 100, in stream order`, async () => {
      // 31 days (prime to the 3 sources): about 150 aggregate items, so even a checkpointed batch needs several
      // transactions.
      const { stage, aggregateWith } = await scoredStage(260, `split-${fence}`, 31);
      const faults = injectTransactionFaults(dynamoDbClient(), () => undefined);
      let source: ReturnType<typeof aggregateWith> | undefined;
      try {
        source = aggregateWith(createAggregateBatch(), { ...mapping, batchSize: 1000 });
        await runUntilIdle([source], { timeoutMs: 120_000 });
      } finally {
        faults.remove();
      }
      const biggest = Math.max(...source.history.map((batch) => batch.event.Records.length));
      assert.ok(biggest > 100, `a batch of ${biggest} records`);
      assert.ok(faults.calls.length >= 2, `${faults.calls.length} transactions`);
      assert.ok(
        faults.calls.every((call) => call.items <= 100 && call.outcome === 'committed'),
        JSON.stringify(faults.calls),
      );
      assert.ok(
        faults.calls.some((call) => call.items >= 95),
        'transactions are filled',
      );
      if (fence === 'checkpoint') {
        const through = faults.calls.map((call) => call.checkpointTo ?? '');
        assert.deepEqual(through, [...through].sort(), 'each transaction moves the checkpoint forward');
      }
      await assertExactlyOnce(stage, 260, fence, source.history);
    });

    it(`${fence}: INSERT then MODIFY of a post in a batch, in one transaction or split: counted once`, async () => {
      for (const maxTransactionItems of [100, 8]) {
        const { stage, aggregateWith } = await scoredStage(24, `modify${maxTransactionItems}-${fence}`, 3);
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
        const source = aggregateWith(createAggregateBatch({ maxTransactionItems }), mapping);
        await runUntilIdle([source], { timeoutMs: 120_000 });
        const records = source.history.flatMap((batch) => batch.event.Records);
        assert.equal(records.filter((r) => r.eventName === 'MODIFY').length, 24);
        assert.equal(source.history.length, 1, 'INSERTs and MODIFYs in one batch');
        assert.equal(
          await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates),
          24,
          `limit ${maxTransactionItems}`,
        );
        // (The fence's bookkeeping is not compared: a MODIFY that moves no count is outside every transaction,
        // so neither a marker nor the checkpoint need name it.)
      }
    });
  }

  /** The stage's 30 stream records, read without applying them. */
  async function unappliedRecords(prefix: string) {
    const { stage, aggregateWith } = await scoredStage(30, prefix, 3);
    const recorder = aggregateWith(async () => ({ batchItemFailures: [] }));
    await runUntilIdle([recorder], { timeoutMs: 60_000 });
    const { event } = recorder.history[0];
    const records = recorder.history.flatMap((batch) => batch.event.Records);
    assert.equal(records.length, 30);
    return { stage, records, shard: event as { shardId?: string; eventSourceARN?: string } };
  }

  it("markers: some of a batch's markers exist: the transaction is cancelled, the rest applied once", async () => {
    const { stage, records } = await unappliedRecords('partial-markers');
    const aggregate = createAggregateBatch();
    const faults = injectTransactionFaults(dynamoDbClient(), () => undefined);
    try {
      // Events without a shard: the markers fence. A partial batch first (every third record), then the
      // whole batch with each record twice, as a replay might bring them.
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
    assert.equal(await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates), 30);
    await assertFenceBookkeeping(stage.tables.aggregates, 'markers', { history: [], records: 30 });
  });

  it('checkpoint: a batch the checkpoint partly passed: cancelled once, then the rest applied once', async () => {
    const { stage, records, shard } = await unappliedRecords('partial-checkpoint');
    assert.ok(shard.shardId && shard.eventSourceARN, 'the deployed mapping names the shard');
    const aggregate = createAggregateBatch();
    const faults = injectTransactionFaults(dynamoDbClient(), () => undefined);
    const window = { ...shard, state: {} };
    const answered = { batchItemFailures: [], state: {} };
    try {
      // The first ten records, then the whole batch twice, once backwards: a redelivery may come out of order.
      assert.deepEqual(await aggregate({ ...window, Records: records.slice(0, 10) }), answered);
      assert.deepEqual(await aggregate({ ...window, Records: [...records].reverse().concat(records) }), answered);
      // And the whole batch replayed again: the checkpoint is past it, nothing changes.
      assert.deepEqual(await aggregate({ ...window, Records: structuredClone(records) }), answered);
    } finally {
      faults.remove();
    }
    const [partial, cancelled, rest, replay] = faults.calls;
    const through = (i: number) => sequenceOrder(sequenceOf(records[i]));
    assert.equal(partial.outcome, 'committed');
    assert.equal(partial.checkpointTo, through(9));
    assert.equal(cancelled.outcome, 'TransactionCanceledException');
    assert.equal(
      cancelled.checkpointTo,
      through(29),
      'the duplicates in the batch were dropped before the transaction',
    );
    assert.equal(cancelled.reasons?.[0], 'ConditionalCheckFailed', 'the checkpoint refused it');
    assert.equal(rest.outcome, 'committed', 'the records past the checkpoint, applied');
    assert.equal(rest.checkpointTo, through(29));
    assert.equal(replay.reasons?.[0], 'ConditionalCheckFailed');
    assert.equal(faults.calls.length, 4, 'a fully replayed batch costs one cancelled transaction');
    assert.equal(await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates), 30);
    await assertFenceBookkeeping(stage.tables.aggregates, 'checkpoint', {
      history: [{ event: { ...window, Records: records } }],
      records: 30,
    });
  });

  it('reports the capacity units of every DynamoDB call to a listener, transactions included', async () => {
    const { stage, aggregateWith } = await scoredStage(12, 'units', 3);
    const seen: Array<{ command: string; readUnits: number; writeUnits: number }> = [];
    const stop = onConsumedCapacity((units) => seen.push(units));
    let source: ReturnType<typeof aggregateWith> | undefined;
    try {
      source = aggregateWith(createAggregateBatch());
      await runUntilIdle([source], { timeoutMs: 60_000 });
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
    await assertExactlyOnce(stage, 12, 'checkpoint', source.history);
  });
});
