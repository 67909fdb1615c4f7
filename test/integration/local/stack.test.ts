// Proves the local stack harness: resources match src/resources, the SDK reaches the emulators
// through its own endpoint variables alone, and the classify queue redrives to its DLQ.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES, TABLES, resourceName } from '../../../src/resources.js';
import { loadConfig } from '../../../src/config.js';
import { startStack, type TestStack } from '../../support/stack.js';

describe('local stack harness', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.teardown();
  });

  it('creates the three tables with the keys, billing, stream and TTL from resources.json', async () => {
    const { dynamodb } = stack.clients;
    const posts = (await dynamodb.send(new DescribeTableCommand({ TableName: stack.stage.tables.posts }))).Table!;
    assert.equal(posts.TableName, resourceName(stack.stage.stage, TABLES.posts.suffix));
    assert.deepEqual(posts.KeySchema, [{ AttributeName: TABLES.posts.partitionKey, KeyType: 'HASH' }]);
    assert.equal(posts.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');

    const results = (await dynamodb.send(new DescribeTableCommand({ TableName: stack.stage.tables.results }))).Table!;
    assert.deepEqual(results.KeySchema, [{ AttributeName: TABLES.results.partitionKey, KeyType: 'HASH' }]);
    assert.equal(results.StreamSpecification?.StreamEnabled, true);
    assert.equal(results.StreamSpecification?.StreamViewType, TABLES.results.streamViewType);
    assert.equal(results.LatestStreamArn, stack.stage.resultsStreamArn);

    const aggregates = (await dynamodb.send(new DescribeTableCommand({ TableName: stack.stage.tables.aggregates })))
      .Table!;
    assert.deepEqual(aggregates.KeySchema, [
      { AttributeName: TABLES.aggregates.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLES.aggregates.sortKey, KeyType: 'RANGE' },
    ]);
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: stack.stage.tables.aggregates }));
    assert.equal(ttl.TimeToLiveDescription?.AttributeName, TABLES.aggregates.ttlAttribute);
    assert.equal(ttl.TimeToLiveDescription?.TimeToLiveStatus, 'ENABLED');
  });

  it('creates the classify queue with the short visibility timeout and a redrive policy to its DLQ', async () => {
    const { Attributes } = await stack.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.stage.queues.classify.url,
        AttributeNames: ['All'],
      }),
    );
    assert.equal(Attributes?.VisibilityTimeout, '2');
    assert.equal(Attributes?.MessageRetentionPeriod, String(QUEUES.classify.messageRetentionSeconds));
    assert.deepEqual(JSON.parse(Attributes!.RedrivePolicy!), {
      deadLetterTargetArn: stack.stage.queues.classifyDlq.arn,
      maxReceiveCount: QUEUES.classify.maxReceiveCount,
    });
    assert.match(stack.stage.queues.streamFailures.arn, /stream-failures$/);
  });

  it('points the app config and unconfigured SDK clients at the emulators through process.env', async () => {
    const config = loadConfig();
    assert.deepEqual(config.tables, stack.stage.tables);
    assert.equal(config.dlqUrl, stack.stage.queues.classifyDlq.url);
    assert.equal(config.queueUrl, stack.stage.queues.classify.url);

    // No endpoint in the client config: only AWS_ENDPOINT_URL_* can get these calls to the emulators.
    const dynamodb = new DynamoDBClient({});
    const streams = new DynamoDBStreamsClient({});
    const sqs = new SQSClient({});
    try {
      await dynamodb.send(
        new PutItemCommand({ TableName: config.tables.results, Item: { postId: { S: 'env-check' } } }),
      );
      const stream = await streams.send(new DescribeStreamCommand({ StreamArn: stack.stage.resultsStreamArn }));
      assert.equal(stream.StreamDescription?.TableName, config.tables.results);
      await sqs.send(new SendMessageCommand({ QueueUrl: config.dlqUrl, MessageBody: 'env-check' }));
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: config.dlqUrl, WaitTimeSeconds: 1 }));
      assert.equal(received.Messages?.[0]?.Body, 'env-check');
    } finally {
      dynamodb.destroy();
      streams.destroy();
      sqs.destroy();
    }
  });

  it('moves a message received maxReceiveCount times to the DLQ', async () => {
    const stage = await stack.freshStage();
    const { sqs } = stack.clients;
    await sqs.send(new SendMessageCommand({ QueueUrl: stage.queues.classify.url, MessageBody: 'poison' }));
    for (let receive = 1; receive <= QUEUES.classify.maxReceiveCount; receive++) {
      // VisibilityTimeout 0: the message is visible again at once, as if each attempt had failed.
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stage.queues.classify.url,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      assert.equal(Messages?.length, 1, `receive ${receive}`);
      assert.equal(Messages[0].Attributes?.ApproximateReceiveCount, String(receive));
    }
    const afterLimit = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stage.queues.classify.url, VisibilityTimeout: 0 }),
    );
    assert.equal(afterLimit.Messages, undefined);
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stage.queues.classifyDlq.url, WaitTimeSeconds: 1 }),
    );
    assert.equal(dead.Messages?.[0]?.Body, 'poison');
  });
});
