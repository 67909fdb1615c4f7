// Is anything listening at the DynamoDB and SQS endpoints? Asked once before a producer starts: a refused
// connection on the first call means nothing is there (a stopped emulator, a wrong port), which no retry budget
// fixes, so it is said at once in one line instead of 60 s of retries per batch. Any answer at all (even an error
// such as a missing table or denied access) counts as reachable: the real calls report those.
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AppError } from '../errors.js';

/** Nothing answers at an endpoint: the message names it and how to start the local stack. */
export class EndpointUnreachableError extends AppError {}

export interface ReachabilityTarget {
  postsTable: string;
  queueUrl: string;
  /** AWS_ENDPOINT_URL_DYNAMODB / _SQS when set (a local stack). */
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
}

/** A connection refused, as Node and the SDK report it (its code on the error, a cause, or an AggregateError's). */
export function isConnectionRefused(error: unknown, depth = 0): boolean {
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown[] } | null;
  if (!e || depth > 4) return false;
  if (e.code === 'ECONNREFUSED') return true;
  return (
    isConnectionRefused(e.cause, depth + 1) ||
    (Array.isArray(e.errors) && e.errors.some((inner) => isConnectionRefused(inner, depth + 1)))
  );
}

async function refused(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return false;
  } catch (error) {
    return isConnectionRefused(error);
  }
}

/** Throws EndpointUnreachableError (one line) when the DynamoDB or SQS endpoint refuses connections. */
export async function assertEndpointsReachable(target: ReachabilityTarget): Promise<void> {
  // Clients of their own: one retry at most, and nothing left open for the shared ones.
  const dynamodb = new DynamoDBClient({ maxAttempts: 2 });
  const sqs = new SQSClient({ maxAttempts: 2 });
  try {
    const [dynamodbRefused, sqsRefused] = await Promise.all([
      refused(() => dynamodb.send(new DescribeTableCommand({ TableName: target.postsTable }))),
      refused(() =>
        sqs.send(new GetQueueAttributesCommand({ QueueUrl: target.queueUrl, AttributeNames: ['QueueArn'] })),
      ),
    ]);
    const down = [
      dynamodbRefused &&
        (target.dynamodbEndpoint
          ? `DynamoDB at ${target.dynamodbEndpoint} (AWS_ENDPOINT_URL_DYNAMODB)`
          : 'DynamoDB at its AWS endpoint'),
      sqsRefused && `SQS at ${URL.parse(target.queueUrl)?.origin ?? target.queueUrl} (the queue URL)`,
    ].filter((line): line is string => typeof line === 'string');
    if (down.length === 0) return;
    const local = target.dynamodbEndpoint !== undefined || target.sqsEndpoint !== undefined;
    throw new EndpointUnreachableError(
      `cannot reach ${down.join(' and ')}: connection refused.` +
        (local
          ? ' Is the local stack running? Start it with `npm start -- --serve` and use the variables it prints.'
          : ''),
    );
  } finally {
    dynamodb.destroy();
    sqs.destroy();
  }
}
