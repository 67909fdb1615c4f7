// SDK clients aimed at the emulators explicitly (for the runner's own calls; handlers use their own
// clients, which reach the emulators through the AWS_ENDPOINT_URL_* variables).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DUMMY_CREDENTIALS, type AwsTarget } from './emulators.js';

export interface LocalClients {
  dynamodb: DynamoDBClient;
  /** Document client (plain JS values, undefined attributes dropped). */
  documents: DynamoDBDocumentClient;
  streams: DynamoDBStreamsClient;
  sqs: SQSClient;
  destroy(): void;
}

export function localClients(target: AwsTarget): LocalClients {
  const common = { region: target.region, credentials: DUMMY_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: target.dynamodbEndpoint });
  const streams = new DynamoDBStreamsClient({ ...common, endpoint: target.dynamodbEndpoint });
  const sqs = new SQSClient({ ...common, endpoint: target.sqsEndpoint });
  return {
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    streams,
    sqs,
    destroy: () => {
      dynamodb.destroy();
      streams.destroy();
      sqs.destroy();
    },
  };
}
