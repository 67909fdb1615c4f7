// The handlers invoked directly with events built from real queue messages and stream records, on the
// emulators: which records are reported as failures and why, what the logs and EMF metrics say.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Message } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import type { TestStack } from '../../support/stack.js';
import { lambdaContext } from '../../../src/event-sources/lambda-context.js';
import { receiveMessages } from '../../../src/aws/sqs-queues.js';
import { sqsEventFromMessages } from '../../support/events.js';
import { pipelineEventSources, runUntilIdle, type PipelineHandlers } from '../../../src/local/event-sources.js';
import { encodePostMessage } from '../../../src/domain/messages.js';
import { loadConfig } from '../../../src/config.js';
import { QUEUES } from '../../../src/resources.js';
import { captureStdout, metricValues } from '../../support/emf.js';
import { startPipelineTest, type PipelineTest } from '../../support/pipeline.js';
import { makePosts } from '../../support/posts.js';
import { attribute, drainQueue, sendBodies } from '../../support/queues.js';
import { readResults } from '../../support/tables.js';
import { assertAggregatesMatchResults, readAggregates } from '../../support/aggregates.js';

process.env.MODEL_ID = 'no-such-model-lexicon-fallback';
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'ImpactSentimentTest';
// Set by the Lambda runtime; Powertools reports a cold start only for on-demand initialisation.
process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
// Modules that create the Logger/Metrics singletons are imported in before(), after these are set.

let stack: TestStack;
let handlers: PipelineHandlers;
let ingestPosts: PipelineTest['ingestPosts'];
let createClassifyBatch: typeof import('../../../src/pipeline/classify.js').createClassifyBatch;
let LEXICON_MODEL_ID: string;

before(async () => {
  ({ stack, handlers, ingestPosts } = await startPipelineTest());
  ({ createClassifyBatch } = await import('../../../src/pipeline/classify.js'));
  ({ LEXICON_MODEL_ID } = await import('../../../src/classifier/lexicon.js'));
});

after(async () => {
  await stack?.teardown();
});

const context = (name: string): Context =>
  lambdaContext({ name, region: 'us-east-1', timeoutSeconds: 60, memorySizeMb: 1769 });

/** Receives up to `count` messages from the classify queue and builds the SQS event Lambda would deliver. */
async function receiveEvent(count: number): Promise<SQSEvent> {
  const { classify } = stack.stage.queues;
  const messages: Message[] = [];
  while (messages.length < count) {
    const received = await receiveMessages(stack.clients.sqs, classify.url, {
      max: count - messages.length,
      waitSeconds: 1,
    });
    assert.ok(received.length > 0, `only ${messages.length} of ${count} messages arrived`);
    messages.push(...received);
  }
  return sqsEventFromMessages(messages, classify.arn);
}

describe('classify handler', () => {
  it('reports exactly the failed records, with reasons in logs and metrics, and DLQs the malformed one', async () => {
    const stage = await stack.freshStage();
    const posts = makePosts(6, { prefix: 'h', seed: 1 });
    await ingestPosts(posts, { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
    await sendBodies(stack.clients.sqs, stage.queues.classify.url, [
      encodePostMessage('not-stored-1'),
      encodePostMessage('not-stored-2'),
      '{"v":1,"postId":""}',
    ]);
    const event = await receiveEvent(9);
    const missing = event.Records.filter((r) => r.body.includes('not-stored'))
      .map((r) => r.messageId)
      .sort();

    const { value: response, lines } = await captureStdout(() => handlers.classify(event, context('classify')));
    assert.deepEqual(response!.batchItemFailures.map((f) => f.itemIdentifier).sort(), missing);
    assert.equal((await readResults(stage.tables.results)).size, 6);
    const dead = await drainQueue(stack.clients.sqs, stage.queues.classifyDlq.url);
    assert.deepEqual(
      dead.map((m) => attribute(m, 'failureReason')),
      ['schema-invalid'],
    );

    const summary = lines.find((l) => l.message === 'Classified batch');
    assert.ok(summary, 'one structured log line per batch');
    assert.equal(summary.batchSize, 9);
    assert.equal(summary.modelId, LEXICON_MODEL_ID);
    assert.deepEqual(summary.failedByReason, { 'post-not-found': 2 });
    assert.equal(summary.deadLettered, 1);
    assert.equal(summary.function_name, 'classify', 'Lambda context injected');

    const emf = lines.filter((l) => l._aws);
    assert.ok(emf.every((l) => l._aws.CloudWatchMetrics[0].Namespace === 'ImpactSentimentTest'));
    assert.deepEqual(metricValues(lines, 'BatchSize'), [9]);
    assert.deepEqual(metricValues(lines, 'ColdStart'), [1], 'first invocation of the process');
    assert.deepEqual(metricValues(lines, 'RecordsFailed', ['reason', 'post-not-found']), [2]);
    assert.deepEqual(metricValues(lines, 'DlqSends'), [1]);
    const scored = ['negative', 'neutral', 'positive'].map((label) =>
      metricValues(lines, 'PostsScored', ['label', label]).reduce((a, b) => a + b, 0),
    );
    assert.equal(
      scored.reduce((a, b) => a + b, 0),
      6,
    );
    assert.deepEqual(metricValues(lines, 'LexiconFallbackPosts'), [6]);
    assert.equal(metricValues(lines, 'InferenceMsPerPost').length, 1);
  });

  it('counts in RecordsFailed only records reported failed, in DlqSends every record dead-lettered', async () => {
    const stage = await stack.freshStage();
    await sendBodies(stack.clients.sqs, stage.queues.classify.url, [
      encodePostMessage('never-stored-first'),
      encodePostMessage('never-stored-last'),
      'not json at all',
    ]);
    const event = await receiveEvent(3);
    // One record on its last receive: dead-lettered and acknowledged, so not a failed record.
    const last = event.Records.find((r) => r.body.includes('never-stored-last'))!;
    last.attributes.ApproximateReceiveCount = String(QUEUES.classify.lastReceive);
    const first = event.Records.find((r) => r.body.includes('never-stored-first'))!;

    const { value: response, lines } = await captureStdout(() => handlers.classify(event, context('classify')));
    assert.deepEqual(
      response!.batchItemFailures.map((f) => f.itemIdentifier),
      [first.messageId],
    );
    assert.deepEqual(metricValues(lines, 'RecordsFailed', ['reason', 'post-not-found']), [1]);
    assert.deepEqual(metricValues(lines, 'DlqSends'), [2], 'the malformed record and the exhausted one');
    const dead = await drainQueue(stack.clients.sqs, stage.queues.classifyDlq.url);
    assert.deepEqual(dead.map((m) => attribute(m, 'failureReason')).sort(), ['not-json', 'post-not-found']);
  });

  it('fails only the scored records when the model errors, still acknowledging the dead-lettered ones', async () => {
    const stage = await stack.freshStage();
    await ingestPosts(makePosts(4, { prefix: 'm', seed: 1 }), {
      postsTable: stage.tables.posts,
      queueUrl: stage.queues.classify.url,
    });
    await sendBodies(stack.clients.sqs, stage.queues.classify.url, ['<xml/>']);
    const event = await receiveEvent(5);
    const texts: string[][] = [];
    const broken = createClassifyBatch({
      classifier: async () => ({
        modelId: 'broken',
        classify: async (batch) => {
          texts.push(batch);
          throw new Error('onnxruntime: out of memory');
        },
      }),
    });
    const { value: response } = await captureStdout(() => broken(event));
    const valid = event.Records.filter((r) => r.body !== '<xml/>')
      .map((r) => r.messageId)
      .sort();
    assert.deepEqual(response.batchItemFailures.map((f) => f.itemIdentifier).sort(), valid);
    assert.deepEqual(
      texts.map((t) => t.length),
      [4, 2, 2, 1, 1, 1, 1],
      'one model call for the whole batch, then its unscored posts in halves, twice',
    );
    assert.equal((await drainQueue(stack.clients.sqs, stage.queues.classifyDlq.url)).length, 1);
    assert.equal((await readResults(stage.tables.results)).size, 0);
  });

  it('fails the records whose result cannot be written, and a malformed record whose DLQ send fails', async () => {
    const stage = await stack.freshStage();
    await ingestPosts(makePosts(3, { prefix: 'w', seed: 1 }), {
      postsTable: stage.tables.posts,
      queueUrl: stage.queues.classify.url,
    });
    await sendBodies(stack.clients.sqs, stage.queues.classify.url, ['not json']);
    const event = await receiveEvent(4);
    const config = loadConfig();
    const unwritable = createClassifyBatch({
      config: {
        ...config,
        tables: { ...config.tables, results: 'no-such-results-table' },
        dlqUrl: `${stage.queues.classifyDlq.url}-missing`,
      },
    });
    const { value: response, lines } = await captureStdout(() => unwritable(event));
    assert.equal(response.batchItemFailures.length, 4, 'nothing is acknowledged that was not stored or dead-lettered');
    const summary = lines.find((l) => l.message === 'Classified batch');
    assert.deepEqual(summary?.failedByReason, { 'write-failed': 3, 'dlq-send-failed': 1 });
  });

  it('answers an empty batch with no failures', async () => {
    const { value } = await captureStdout(() => handlers.classify({ Records: [] }, context('classify')));
    assert.deepEqual(value, { batchItemFailures: [] });
  });
});

describe('aggregate handler', () => {
  it('subtracts a removed result (REMOVE) and emits update and replay metrics', async () => {
    const stage = await stack.freshStage();
    const posts = makePosts(9, { prefix: 'r', seed: 1 });
    await ingestPosts(posts, { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
    const sources = pipelineEventSources(stack.clients, stage, handlers, {
      classify: { maximumBatchingWindowSeconds: 0.3 },
    });
    const quiet = () => captureStdout(() => runUntilIdle([sources.classify, sources.aggregate], { timeoutMs: 60_000 }));
    await quiet();
    assert.equal(await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates), 9);

    for (const post of posts.slice(0, 4)) {
      await stack.clients.documents.send(
        new DeleteCommand({ TableName: stage.tables.results, Key: { postId: post.postId } }),
      );
    }
    await quiet();
    assert.equal(await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates), 5);
    const totals = [...(await readAggregates(stage.tables.aggregates)).values()].filter((a) => a.pk === 'ALL');
    assert.equal(
      totals.reduce((sum, a) => sum + a.count, 0),
      5,
    );

    const removes = sources.aggregate.history.at(-1)!.event;
    assert.ok(removes.Records.every((r) => r.eventName === 'REMOVE'));
    const { value, lines } = await captureStdout(
      () => handlers.aggregate(structuredClone(removes), context('aggregate')) as Promise<unknown>,
    );
    assert.deepEqual(value, { batchItemFailures: [], state: {} }, 'a windowed event gets a state back');
    assert.deepEqual(metricValues(lines, 'ReplaysSkipped'), [4]);
    assert.equal(lines.find((l) => l.message === 'Aggregated stream batch')?.['replay-skipped'], 4);
    assert.equal(await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates), 5);
  });
});
