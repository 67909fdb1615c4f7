// The AWS SDK clients, one of each per process, shared by handlers, the producer and the tests.
// Created on first use, not at import: the endpoint env vars (AWS_ENDPOINT_URL_DYNAMODB / _SQS) of a local
// stack are set by whoever starts the emulators, which may happen after this module is imported.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { countConsumedCapacity } from './consumed-capacity.js';

let dynamoDb: DynamoDBClient | undefined;
let documents: DynamoDBDocumentClient | undefined;
let sqs: SQSClient | undefined;

export function dynamoDbClient(): DynamoDBClient {
  if (!dynamoDb) {
    dynamoDb = new DynamoDBClient({});
    countConsumedCapacity(dynamoDb);
  }
  return dynamoDb;
}

/** Document client: plain JS values in and out; undefined attributes are dropped, not an error. */
export function documentClient(): DynamoDBDocumentClient {
  return (documents ??= DynamoDBDocumentClient.from(dynamoDbClient(), {
    marshallOptions: { removeUndefinedValues: true },
  }));
}

export function sqsClient(): SQSClient {
  return (sqs ??= new SQSClient({}));
}

/** Drops the clients (tests that restart emulators; a CLI before it exits). */
export function resetClients(): void {
  documents?.destroy();
  sqs?.destroy();
  dynamoDb = documents = sqs = undefined;
}
