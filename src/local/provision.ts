// Creates one stage's tables and queues on the emulators, from src/resources (the same definitions
// serverless.yml deploys), so local runs and tests exercise the real shapes.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type KeySchemaElement,
  type StreamViewType,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES, TABLES, resourceName, type QueueName, type TableName } from '../resources.js';
import type { QueueRef } from '../aws/sqs-queues.js';
import { DUMMY_CREDENTIALS, type AwsTarget } from './emulators.js';

export type { QueueRef };

export interface ProvisionedStage {
  stage: string;
  region: string;
  tables: Record<TableName, string>;
  /** Stream of the results table (the aggregate function's and the PostgreSQL sink's event source). */
  resultsStreamArn: string;
  /** Stream of the failures table (dead-lettered posts: the PostgreSQL sink's second source). */
  failuresStreamArn: string;
  queues: Record<QueueName, QueueRef>;
  /** Visibility timeout the classify queue was actually created with. */
  visibilityTimeoutSeconds: number;
}

export interface ProvisionOptions {
  stage: string;
  /** Classify queue visibility timeout; local runs need seconds, not production's 400 s. */
  visibilityTimeoutSeconds?: number;
}

export function dynamoDbClient(target: AwsTarget): DynamoDBClient {
  return new DynamoDBClient({
    region: target.region,
    endpoint: target.dynamodbEndpoint,
    credentials: DUMMY_CREDENTIALS,
  });
}

export function sqsClient(target: AwsTarget): SQSClient {
  return new SQSClient({ region: target.region, endpoint: target.sqsEndpoint, credentials: DUMMY_CREDENTIALS });
}

export async function provision(target: AwsTarget, options: ProvisionOptions): Promise<ProvisionedStage> {
  const { stage } = options;
  const ddb = dynamoDbClient(target);
  const sqs = sqsClient(target);
  try {
    const tables = {} as Record<TableName, string>;
    const streams: Partial<Record<TableName, string>> = {};
    for (const key of Object.keys(TABLES) as TableName[]) {
      const name = resourceName(stage, TABLES[key].suffix);
      streams[key] = await createTable(ddb, name, key);
      tables[key] = name;
    }
    const streamOf = (key: TableName) => {
      const arn = streams[key];
      if (!arn) throw new Error(`table ${tables[key]} was created without a stream`);
      return arn;
    };

    const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? QUEUES.classify.visibilityTimeoutSeconds;
    const dlq = await createQueue(sqs, resourceName(stage, QUEUES.classifyDlq.suffix), {
      MessageRetentionPeriod: String(QUEUES.classifyDlq.messageRetentionSeconds),
    });
    const classify = await createQueue(sqs, resourceName(stage, QUEUES.classify.suffix), {
      VisibilityTimeout: String(visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(QUEUES.classify.messageRetentionSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: QUEUES.classify.maxReceiveCount }),
    });
    const streamFailures = await createQueue(sqs, resourceName(stage, QUEUES.streamFailures.suffix), {
      MessageRetentionPeriod: String(QUEUES.streamFailures.messageRetentionSeconds),
    });
    return {
      stage,
      region: target.region,
      tables,
      resultsStreamArn: streamOf('results'),
      failuresStreamArn: streamOf('failures'),
      queues: { classify, classifyDlq: dlq, streamFailures },
      visibilityTimeoutSeconds,
    };
  } finally {
    ddb.destroy();
    sqs.destroy();
  }
}

/**
 * Creates a table as resources.json describes it, or finds it there already (a persisted DynamoDB Local, --persist);
 * returns its stream ARN when it has one.
 */
async function createTable(ddb: DynamoDBClient, name: string, key: TableName): Promise<string | undefined> {
  const existing = await describeTable(ddb, name);
  if (existing) return existing.LatestStreamArn;
  const spec: { partitionKey: string; sortKey?: string; streamViewType?: string; ttlAttribute?: string } = TABLES[key];
  // Every key in this project is a string (post ids, composite aggregate keys).
  const keySchema: KeySchemaElement[] = [{ AttributeName: spec.partitionKey, KeyType: 'HASH' }];
  const attributes: AttributeDefinition[] = [{ AttributeName: spec.partitionKey, AttributeType: 'S' }];
  if (spec.sortKey) {
    keySchema.push({ AttributeName: spec.sortKey, KeyType: 'RANGE' });
    attributes.push({ AttributeName: spec.sortKey, AttributeType: 'S' });
  }
  const created = await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: keySchema,
      AttributeDefinitions: attributes,
      StreamSpecification: spec.streamViewType
        ? { StreamEnabled: true, StreamViewType: spec.streamViewType as StreamViewType }
        : undefined,
    }),
  );
  await waitUntilActive(ddb, name);
  if (spec.ttlAttribute) {
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { Enabled: true, AttributeName: spec.ttlAttribute },
      }),
    );
  }
  return created.TableDescription?.LatestStreamArn;
}

async function describeTable(ddb: DynamoDBClient, name: string) {
  try {
    return (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function waitUntilActive(ddb: DynamoDBClient, name: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${name} did not become ACTIVE`);
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<QueueRef> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${name} has no QueueArn`);
  return { name, url: QueueUrl, arn };
}
