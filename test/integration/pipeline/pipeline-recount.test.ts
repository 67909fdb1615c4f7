// Records lost to the stream-failure queue, and recount bringing the aggregates back. The aggregate function
// fails every batch holding one of a few chosen records, so the mapping bisects down to those records,
// retries them maximumRetryAttempts times and sends them to the on-failure queue: their posts are scored
// but missing from the aggregates. `ops recount` (the command the runbook points to) restores them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { TestStack } from '../../support/stack.js';
import { pipelineEventSources, runUntilIdle, type PipelineHandlers } from '../../../src/local/event-sources.js';
import { FUNCTIONS } from '../../../src/resources.js';
import { runOps } from '../../support/cli.js';
import { startPipelineTest, type PipelineTest } from '../../support/pipeline.js';
import { makePosts } from '../../support/posts.js';
import { drainQueue } from '../../support/queues.js';
import { readResults } from '../../support/tables.js';
import { assertAggregatesMatchResults } from '../../support/aggregates.js';

process.env.MODEL_ID = 'no-such-model-lexicon-fallback';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

let stack: TestStack;
let handlers: PipelineHandlers;
let ingestPosts: PipelineTest['ingestPosts'];

before(async () => {
  ({ stack, handlers, ingestPosts } = await startPipelineTest());
});

after(async () => {
  await stack?.teardown();
});

describe('stream records lost to the failure queue', () => {
  it('leaves the aggregates short of the results until recount rebuilds them', async () => {
    const posts = makePosts(60, { prefix: 'lost', seed: 1 });
    // reddit on day 2, news on day 3, no source (unknown) on day 2
    const doomed = new Set(['lost-4', 'lost-17', 'lost-19']);
    let refused = 0;
    let broken = true;
    // Fails (before writing anything) every batch that holds a doomed post's record, as a bug or a poison
    // image would: the rest of each batch is applied once bisecting has split the doomed ones off.
    const failing: PipelineHandlers['aggregate'] = async (event, context) => {
      const images = event.Records.map((r) =>
        unmarshall((r.dynamodb?.NewImage ?? {}) as Record<string, AttributeValue>),
      );
      if (broken && images.some((image) => doomed.has(String(image.postId)))) {
        refused += 1;
        throw new Error('simulated aggregate failure');
      }
      return handlers.aggregate(event, context);
    };
    const stage = stack.stage;
    const sources = pipelineEventSources(
      stack.clients,
      stage,
      { classify: handlers.classify, aggregate: failing },
      { classify: { maximumBatchingWindowSeconds: 0.3 } },
    );
    await ingestPosts(posts, { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
    await runUntilIdle([sources.classify, sources.aggregate], { timeoutMs: 180_000 });

    assert.equal((await readResults(stage.tables.results)).size, 60, 'every post is scored');
    assert.ok(
      refused > doomed.size * FUNCTIONS.aggregate.maximumRetryAttempts,
      `retried until exhausted (${refused} refused invocations)`,
    );
    const reported = await drainQueue(stack.clients.sqs, stage.queues.streamFailures.url);
    assert.equal(reported.length, doomed.size, 'one on-failure message per record given up on');
    for (const message of reported) {
      assert.equal(message.MessageAttributes?.failureReason?.StringValue, 'RetryAttemptsExhausted');
      assert.equal(JSON.parse(message.Body!).DDBStreamBatchInfo.batchSize, 1);
    }
    await assert.rejects(
      assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates),
      /count/,
      'the lost posts are missing from the aggregates',
    );

    const check = await runOps(stack, [
      'recount',
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-03',
      '--check',
      '--settle-minutes',
      '0',
    ]);
    assert.equal(check.code, 1, check.stderr);
    // Days 2 and 3: each source item of a doomed post, and both all-sources items.
    const differing = check.stdout
      .split('\n')
      .flatMap((line) => /^differs\s+(\S+ DAY#[\d-]+)/.exec(line)?.[1] ?? [])
      .sort();
    assert.deepEqual(
      differing,
      [
        'ALL DAY#2024-05-02',
        'ALL DAY#2024-05-03',
        'SOURCE#news DAY#2024-05-03',
        'SOURCE#reddit DAY#2024-05-02',
        'SOURCE#unknown DAY#2024-05-02',
      ],
      check.stdout,
    );

    const fix = await runOps(stack, ['recount', '--from', '2024-05-01', '--to', '2024-05-03', '--settle-minutes', '0']);
    assert.equal(fix.code, 0, fix.stderr);
    assert.match(fix.stdout, /5 item\(s\) differed, 5 fixed\./);
    assert.equal(await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates), 60);

    // Fixed, the pipeline goes on counting on top of the rebuilt items (the mapping has moved past the lost
    // records: they are not delivered again), and a second recount finds nothing.
    broken = false;
    const more = makePosts(9, { prefix: 'after', seed: 2 });
    await ingestPosts(more, { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
    await runUntilIdle([sources.classify, sources.aggregate], { timeoutMs: 120_000 });
    assert.equal(await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates), 69);
    const again = await runOps(stack, [
      'recount',
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-03',
      '--check',
      '--settle-minutes',
      '0',
    ]);
    assert.equal(again.code, 0, again.stdout);
    assert.match(again.stdout, /No differences/);
  });
});
