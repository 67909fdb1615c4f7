// The local event source mappings against the emulators, with small handlers written here: they must
// behave like Lambda's (delete successes, redeliver failures, DLQ after maxReceiveCount, stream retries
// from the first failed sequence number, on-failure destination after the retries).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { FUNCTIONS, QUEUES } from '../../../src/resources.js';
import { runUntilIdle } from '../../../src/local/event-sources.js';
import { SqsEventSource, type SqsBatchResult, type SqsHandler } from '../../../src/event-sources/sqs-event-source.js';
import {
  StreamEventSource,
  type StreamEventSourceOptions,
  type StreamHandler,
} from '../../../src/event-sources/stream-event-source.js';
import type { ProvisionedStage } from '../../../src/local/provision.js';
import { startStack, type TestStack } from '../../support/stack.js';

describe('local event sources', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.teardown();
  });

  function sqsSource(stage: ProvisionedStage, handler: SqsHandler): SqsEventSource {
    return new SqsEventSource({
      sqs: stack.clients.sqs,
      queue: stage.queues.classify,
      region: stage.region,
      handler,
      maximumBatchingWindowSeconds: 0.3,
    });
  }

  function streamSource(
    stage: ProvisionedStage,
    handler: StreamHandler,
    options: Partial<StreamEventSourceOptions> = {},
  ): StreamEventSource {
    return new StreamEventSource({
      streams: stack.clients.streams,
      streamArn: stage.resultsStreamArn,
      region: stage.region,
      handler,
      failureQueue: stage.queues.streamFailures,
      sqs: stack.clients.sqs,
      ...options,
    });
  }

  async function send(stage: ProvisionedStage, bodies: string[]): Promise<void> {
    for (let i = 0; i < bodies.length; i += 10) {
      await stack.clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: stage.queues.classify.url,
          Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
        }),
      );
    }
  }

  async function drain(url: string): Promise<{ body: string; attributes: Record<string, string | undefined> }[]> {
    const { Messages = [] } = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    return Messages.map((m) => ({
      body: m.Body!,
      attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])),
    }));
  }

  it('delivers a real SQS event, deletes the successes and redelivers the reported failures', async () => {
    const stage = await stack.freshStage({ visibilityTimeoutSeconds: 1 });
    await send(stage, Array.from({ length: 11 }, (_, i) => `ok-${i}`).concat('fail-once'));
    await stack.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: stage.queues.classify.url,
        MessageBody: 'with-attributes',
        MessageAttributes: { origin: { DataType: 'String', StringValue: 'test' } },
      }),
    );
    const events: SQSEvent[] = [];
    const source = sqsSource(stage, async (event) => {
      events.push(structuredClone(event));
      const failures = event.Records.filter(
        (r) => r.body === 'fail-once' && r.attributes.ApproximateReceiveCount === '1',
      );
      return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
    });

    const first = await source.pollOnce();
    assert.equal(
      first?.messageIds.length,
      13,
      'one batch gathers more than one ReceiveMessage call (10) within the window',
    );
    assert.equal(first.failed.length, 1);
    const record = events[0].Records.find((r) => r.body === 'with-attributes')!;
    assert.equal(record.eventSource, 'aws:sqs');
    assert.equal(record.eventSourceARN, stage.queues.classify.arn);
    assert.equal(record.awsRegion, stage.region);
    assert.equal(record.md5OfBody, createHash('md5').update('with-attributes').digest('hex'));
    assert.equal(record.attributes.ApproximateReceiveCount, '1');
    assert.match(record.attributes.SentTimestamp, /^\d{13}$/);
    assert.match(record.attributes.ApproximateFirstReceiveTimestamp, /^\d{13}$/);
    assert.deepEqual(record.messageAttributes, {
      origin: { stringValue: 'test', stringListValues: [], binaryListValues: [], dataType: 'String' },
    });
    assert.deepEqual(await source.depth(), { visible: 0, inFlight: 1, delayed: 0 });

    // The failure reappears after the visibility timeout, alone, with its receive count raised.
    let retry: SqsBatchResult | undefined;
    while (!(retry = await source.pollOnce()));
    assert.deepEqual(
      events[1].Records.map((r) => [r.body, r.attributes.ApproximateReceiveCount]),
      [['fail-once', '2']],
    );
    assert.deepEqual(retry.failed, []);
    assert.equal(await source.isIdle(), true);
  });

  it('treats a thrown error or an empty itemIdentifier as a failure of the whole batch', async () => {
    const stage = await stack.freshStage({ visibilityTimeoutSeconds: 1 });
    await send(stage, ['a', 'b', 'c']);
    let call = 0;
    const receiveCounts: string[][] = [];
    const source = sqsSource(stage, async (event) => {
      call += 1;
      receiveCounts.push(event.Records.map((r) => r.attributes.ApproximateReceiveCount).sort());
      if (call === 1) throw new Error('boom');
      if (call === 2) return { batchItemFailures: [{ itemIdentifier: '' }] };
      return { batchItemFailures: [] };
    });
    await runUntilIdle([source], { timeoutMs: 30_000 });
    assert.deepEqual(receiveCounts, [
      ['1', '1', '1'],
      ['2', '2', '2'],
      ['3', '3', '3'],
    ]);
  });

  it('redrives a message that keeps failing to the DLQ after maxReceiveCount receives', async () => {
    const stage = await stack.freshStage({ visibilityTimeoutSeconds: 1 });
    await send(stage, ['good', 'poison']);
    const seen: string[] = [];
    const source = sqsSource(stage, async (event) => ({
      batchItemFailures: event.Records.filter((r) => {
        seen.push(`${r.body}#${r.attributes.ApproximateReceiveCount}`);
        return r.body === 'poison';
      }).map((r) => ({ itemIdentifier: r.messageId })),
    }));
    await runUntilIdle([source], { timeoutMs: 60_000 });
    const max = QUEUES.classify.maxReceiveCount;
    assert.deepEqual(
      seen.filter((s) => s.startsWith('poison')),
      Array.from({ length: max }, (_, i) => `poison#${i + 1}`),
    );
    assert.deepEqual(
      seen.filter((s) => s.startsWith('good')),
      ['good#1'],
    );
    assert.deepEqual(
      (await drain(stage.queues.classifyDlq.url)).map((m) => m.body),
      ['poison'],
    );
  });

  it('delivers real stream events and retries from the first failed sequence number', async () => {
    const stage = await stack.freshStage();
    const table = stage.tables.results;
    for (const postId of ['p1', 'p2', 'bad', 'p4']) {
      await stack.clients.documents.send(new PutCommand({ TableName: table, Item: { postId, score: 0.5 } }));
    }
    await stack.clients.documents.send(
      new UpdateCommand({
        TableName: table,
        Key: { postId: 'p1' },
        UpdateExpression: 'SET score = :s',
        ExpressionAttributeValues: { ':s': -0.25 },
      }),
    );
    const events: DynamoDBStreamEvent[] = [];
    let badFailures = 0;
    const source = streamSource(stage, async (event) => {
      events.push(structuredClone(event));
      const bad = event.Records.find((r) => r.dynamodb?.NewImage?.postId?.S === 'bad');
      if (bad && badFailures < 2) {
        badFailures += 1;
        // Report the bad record and the one after it: the retry must start at the lowest.
        const after = event.Records[event.Records.indexOf(bad) + 1];
        return {
          batchItemFailures: [after, bad]
            .filter(Boolean)
            .map((r) => ({ itemIdentifier: r!.dynamodb!.SequenceNumber! })),
        };
      }
      return { batchItemFailures: [] };
    });
    await runUntilIdle([source], { timeoutMs: 30_000 });

    const first = events[0].Records;
    assert.deepEqual(
      first.map((r) => [r.eventName, r.dynamodb?.Keys?.postId?.S]),
      [
        ['INSERT', 'p1'],
        ['INSERT', 'p2'],
        ['INSERT', 'bad'],
        ['INSERT', 'p4'],
        ['MODIFY', 'p1'],
      ],
    );
    const modify = first[4];
    assert.equal(modify.eventSource, 'aws:dynamodb');
    assert.equal(modify.eventSourceARN, stage.resultsStreamArn);
    assert.equal(modify.awsRegion, stage.region);
    assert.equal(modify.eventVersion, '1.1');
    assert.match(modify.eventID!, /\S/);
    assert.equal(modify.dynamodb?.StreamViewType, 'NEW_AND_OLD_IMAGES');
    assert.deepEqual(modify.dynamodb?.OldImage, { postId: { S: 'p1' }, score: { N: '0.5' } });
    assert.deepEqual(modify.dynamodb?.NewImage, { postId: { S: 'p1' }, score: { N: '-0.25' } });
    assert.equal(typeof modify.dynamodb?.ApproximateCreationDateTime, 'number');
    assert.ok(modify.dynamodb!.SizeBytes! > 0);

    const badSequence = first[2].dynamodb!.SequenceNumber;
    assert.equal(events.length, 3);
    for (const retry of events.slice(1)) {
      assert.equal(retry.Records[0].dynamodb!.SequenceNumber, badSequence, 'retry starts at the failed record');
      assert.deepEqual(
        retry.Records.map((r) => r.dynamodb?.Keys?.postId?.S),
        ['bad', 'p4', 'p1'],
      );
    }
    assert.deepEqual(await drain(stage.queues.streamFailures.url), []);

    // A replay hands the handler the very same event again (ids and sequence numbers included).
    const replayed: DynamoDBStreamEvent[] = [];
    const replaying = streamSource(stage, async (event) => {
      replayed.push(event);
    });
    await replaying.replay(source.history[0].event);
    assert.deepEqual(replayed, [events[0]]);
  });

  it('bisects a failing batch and sends the record that exhausts its retries to the failure queue', async () => {
    const stage = await stack.freshStage();
    for (const postId of ['a', 'b', 'poison', 'c']) {
      await stack.clients.documents.send(new PutCommand({ TableName: stage.tables.results, Item: { postId } }));
    }
    const processed: string[] = [];
    let poisonAlone = 0;
    const source = streamSource(stage, async (event) => {
      const ids = event.Records.map((r) => r.dynamodb!.Keys!.postId.S!);
      if (ids.includes('poison')) {
        if (ids.length === 1) poisonAlone += 1;
        throw new Error('cannot aggregate poison');
      }
      processed.push(...ids);
    });
    await runUntilIdle([source], { timeoutMs: 30_000 });

    assert.deepEqual(processed, ['a', 'b', 'c']);
    assert.equal(poisonAlone, FUNCTIONS.aggregate.maximumRetryAttempts + 1);
    const failures = await drain(stage.queues.streamFailures.url);
    assert.equal(failures.length, 1);
    const report = JSON.parse(failures[0].body);
    assert.equal(report.requestContext.condition, 'RetryAttemptsExhausted');
    assert.equal(report.DDBStreamBatchInfo.batchSize, 1);
    assert.equal(report.DDBStreamBatchInfo.streamArn, stage.resultsStreamArn);
    assert.equal(report.DDBStreamBatchInfo.startSequenceNumber, report.DDBStreamBatchInfo.endSequenceNumber);
    assert.match(report.DDBStreamBatchInfo.shardId, /\S/);
    assert.equal(failures[0].attributes.failureReason, 'RetryAttemptsExhausted');
    assert.match(failures[0].attributes.failureDetail!, /cannot aggregate poison/);
  });

  it('backlog: maximumRecordAgeSeconds -1 delivers old records; an age limit sends them to failure queue', async () => {
    assert.equal(FUNCTIONS.aggregate.maximumRecordAgeSeconds, -1);
    const stage = await stack.freshStage();
    for (const postId of ['old-1', 'old-2']) {
      await stack.clients.documents.send(new PutCommand({ TableName: stage.tables.results, Item: { postId } }));
    }
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // the records are now more than a second old
    const delivered: string[] = [];
    const handler: StreamHandler = async (event) => {
      delivered.push(...event.Records.map((r) => r.dynamodb!.Keys!.postId.S!));
    };
    await runUntilIdle([streamSource(stage, handler)], { timeoutMs: 30_000 });
    assert.deepEqual(delivered.sort(), ['old-1', 'old-2']);
    assert.deepEqual(await drain(stage.queues.streamFailures.url), []);

    const limited = streamSource(stage, handler, { maximumRecordAgeSeconds: 1 });
    delivered.length = 0;
    await runUntilIdle([limited], { timeoutMs: 30_000 });
    assert.deepEqual(delivered, [], 'records older than the limit are not delivered');
    const failures = await drain(stage.queues.streamFailures.url);
    assert.equal(failures.length, 1);
    assert.equal(failures[0].attributes.failureReason, 'RecordAgeExceeded');
  });
});
