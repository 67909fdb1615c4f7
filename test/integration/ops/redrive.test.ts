// redrive on the emulators: a poisoned batch (posts missing from the posts table) is dead-lettered by the
// function on its last receive (lastReceive); `redrive --dry-run` lists it with reasons and moves nothing; once
// the posts are written, `redrive` brings the messages back and they get scored. The ops CLI runs as a child process.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startStack, type TestStack } from '../../support/stack.js';
import { batchWriteItems } from '../../../src/aws/dynamodb.js';
import { sendMessages } from '../../../src/aws/sqs.js';
import { encodePostMessage } from '../../../src/domain/messages.js';
import { DLQ_ATTRIBUTES } from '../../../src/domain/failures.js';
import { QUEUES } from '../../../src/resources.js';
import { MISSING_MODEL_DIR, runOps } from '../../support/cli.js';
import { runPipeline } from '../../support/pipeline.js';
import { makePosts } from '../../support/posts.js';
import { queueCounts } from '../../support/queues.js';
import { readResults } from '../../support/tables.js';
import { assertAggregatesMatchResults } from '../../support/aggregates.js';

describe('ops redrive', () => {
  let stack: TestStack;
  let restoreModelDir: string | undefined;
  before(async () => {
    restoreModelDir = process.env.MODEL_DIR;
    process.env.MODEL_DIR = MISSING_MODEL_DIR; // the in-process classify handler scores with the lexicon fallback
    stack = await startStack({ visibilityTimeoutSeconds: 1 });
  });
  after(async () => {
    await stack?.teardown();
    if (restoreModelDir === undefined) delete process.env.MODEL_DIR;
    else process.env.MODEL_DIR = restoreModelDir;
  });

  it('lists a poisoned batch with reasons, moves nothing on --dry-run, redrives it once the posts exist', async () => {
    const { createClassifyBatch } = await import('../../../src/pipeline/classify.js');
    const { createAggregateBatch } = await import('../../../src/pipeline/aggregate.js');
    const handlers = { classify: createClassifyBatch(), aggregate: createAggregateBatch() };
    const { classify, classifyDlq } = stack.stage.queues;
    const posts = makePosts(12, { prefix: 'poison' });

    // Enqueued before the posts are stored: every receive fails with post-not-found until, on the last
    // allowed receive, the classify Lambda dead-letters them with that reason. One malformed body goes at once.
    assert.deepEqual(
      await sendMessages(classify.url, [
        ...posts.map((p) => ({ body: encodePostMessage(p.postId) })),
        { body: 'not json at all' },
      ]),
      [],
    );
    await runPipeline(stack, handlers);
    assert.deepEqual(await queueCounts(stack.clients.sqs, classify.url), { visible: 0, inFlight: 0 });
    assert.equal((await queueCounts(stack.clients.sqs, classifyDlq.url)).visible, 13);

    const dryRun = await runOps(stack, ['redrive', '--dry-run']);
    assert.equal(dryRun.code, 0, dryRun.stderr);
    for (const post of posts) {
      const line = dryRun.stdout.split('\n').find((l) => l.includes(` ${post.postId} `));
      assert.ok(line, `${post.postId} listed:\n${dryRun.stdout}`);
      assert.match(line, /\spost-not-found\s/);
      assert.match(
        line,
        new RegExp(
          `gave up after ${QUEUES.classify.lastReceive} receives: post ${post.postId} is not in the posts table`,
        ),
      );
    }
    assert.match(dryRun.stdout, /\(unparseable\)\s+not-json\s/);
    assert.match(dryRun.stdout, /13 message\(s\) in .*\(12 post-not-found, 1 not-json\)\. Dry run: nothing moved\./);
    // Released, not taken: all 13 visible again in the DLQ, none in the classify queue.
    assert.deepEqual(await queueCounts(stack.clients.sqs, classifyDlq.url), { visible: 13, inFlight: 0 });
    assert.deepEqual(await queueCounts(stack.clients.sqs, classify.url), { visible: 0, inFlight: 0 });

    // The cause is fixed: the posts are written.
    const now = new Date().toISOString();
    assert.deepEqual(
      await batchWriteItems(
        stack.stage.tables.posts,
        posts.map((p) => ({ ...p, ingestedAt: now })),
      ),
      [],
    );

    const partial = await runOps(stack, ['redrive', '--limit', '5']);
    assert.equal(partial.code, 0, partial.stderr);
    assert.match(partial.stdout, /Moved 5 message\(s\)/);
    assert.equal((await queueCounts(stack.clients.sqs, classifyDlq.url)).visible, 8);

    const rest = await runOps(stack, ['redrive']);
    assert.equal(rest.code, 0, rest.stderr);
    assert.match(rest.stdout, /receive\/send\/delete \(SQS emulator\)/);
    assert.match(rest.stdout, /Moved 8 message\(s\)/);
    assert.deepEqual(await queueCounts(stack.clients.sqs, classifyDlq.url), { visible: 0, inFlight: 0 });
    assert.equal((await queueCounts(stack.clients.sqs, classify.url)).visible, 13);

    await runPipeline(stack, handlers);
    const results = await readResults(stack.stage.tables.results);
    assert.deepEqual([...results.keys()].sort(), posts.map((p) => p.postId).sort(), 'every redriven post is scored');
    await assertAggregatesMatchResults(stack.stage.tables.results, stack.stage.tables.aggregates);
    // The malformed message cannot succeed: it is back in the DLQ, with one fresh reason.
    const { Messages = [] } = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: classifyDlq.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    assert.equal(Messages.length, 1);
    assert.equal(Messages[0].Body, 'not json at all');
    assert.equal(Messages[0].MessageAttributes?.[DLQ_ATTRIBUTES.reason]?.StringValue, 'not-json');
  });

  it('sends the body and the original attributes back, without the failure attributes', async () => {
    const stage = await stack.freshStage();
    const body = encodePostMessage('kept-post', { source: 'news' });
    await stack.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: stage.queues.classifyDlq.url,
        MessageBody: body,
        MessageAttributes: {
          traceId: { DataType: 'String', StringValue: 'trace-123' },
          [DLQ_ATTRIBUTES.reason]: { DataType: 'String', StringValue: 'model-error' },
          [DLQ_ATTRIBUTES.detail]: { DataType: 'String', StringValue: 'onnx exploded' },
          [DLQ_ATTRIBUTES.failedAt]: { DataType: 'String', StringValue: '2024-05-01T00:00:00.000Z' },
        },
      }),
    );
    const dryRun = await runOps(stack, ['redrive', '--dry-run']);
    assert.match(dryRun.stdout, /kept-post\s+model-error\s+.*onnx exploded/);
    // The same listing as data: stdout is the JSON array alone, the summary on stderr.
    const asData = await runOps(stack, ['redrive', '--dry-run', '--json']);
    assert.equal(asData.code, 0, asData.stderr);
    const [entry, ...others] = JSON.parse(asData.stdout) as Array<Record<string, unknown>>;
    assert.equal(others.length, 0, asData.stdout);
    assert.deepEqual(
      {
        ...entry,
        messageId: typeof entry.messageId,
        sentAt: typeof entry.sentAt,
        receiveCount: typeof entry.receiveCount,
      },
      {
        messageId: 'string',
        postId: 'kept-post',
        reason: 'model-error',
        detail: 'onnx exploded',
        receiveCount: 'number',
        failedAt: '2024-05-01T00:00:00.000Z',
        sentAt: 'string',
      },
    );
    assert.match(asData.stderr, /1 message\(s\) in .*\(1 model-error\)\. Dry run: nothing moved\./);

    const run = await runOps(stack, ['redrive']);
    assert.equal(run.code, 0, run.stderr);
    const { Messages = [] } = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stage.queues.classify.url,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    assert.equal(Messages.length, 1);
    assert.equal(Messages[0].Body, body);
    assert.deepEqual(Object.keys(Messages[0].MessageAttributes ?? {}), ['traceId']);
    assert.equal(Messages[0].MessageAttributes!.traceId.StringValue, 'trace-123');
  });
});
