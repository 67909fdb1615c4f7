// Lambda events for tests: SQS records (synthetic, or from messages really received) and DynamoDB stream
// records, shaped as Lambda delivers them.
import { randomUUID } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { toSqsRecord } from '../../src/event-sources/sqs-event-source.js';

export const TEST_REGION = 'us-east-1';
const TEST_QUEUE_ARN = `arn:aws:sqs:${TEST_REGION}:000000000000:test-queue`;
const TEST_TABLE_ARN = `arn:aws:dynamodb:${TEST_REGION}:000000000000:table/test-results`;
const TEST_STREAM_ARN = `${TEST_TABLE_ARN}/stream/2024-01-01T00:00:00.000`;

export interface SqsRecordOptions {
  messageId?: string;
  receiptHandle?: string;
  /** Default: the queue of the test's stage, or a made-up one. */
  queueArn?: string;
  region?: string;
  /** Epoch ms, as text (SentTimestamp / ApproximateFirstReceiveTimestamp). Default '0'. */
  sentTimestamp?: string;
  senderId?: string;
}

/**
 * A synthetic SQS record with this body. `undefined` leaves the body out altogether, and any other
 * non-string goes in as is: fuzzing feeds the handler records Lambda would never send.
 */
export function sqsRecord(body: unknown, options: SqsRecordOptions = {}): SQSRecord {
  const sent = options.sentTimestamp ?? '0';
  const record = {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: options.receiptHandle ?? randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: sent,
      SenderId: options.senderId ?? 'test',
      ApproximateFirstReceiveTimestamp: sent,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn ?? TEST_QUEUE_ARN,
    awsRegion: options.region ?? TEST_REGION,
  } as SQSRecord;
  if (body === undefined) delete (record as Partial<SQSRecord>).body;
  return record;
}

/** An SQS event of synthetic records, one per body. */
export function sqsEvent(
  bodies: readonly unknown[],
  options: Omit<SqsRecordOptions, 'messageId' | 'receiptHandle'> = {},
): SQSEvent {
  return { Records: bodies.map((body) => sqsRecord(body, options)) };
}

/** The event Lambda builds from messages received from a queue (the runtime's own conversion). */
export function sqsEventFromMessages(messages: readonly Message[], queueArn: string, region = TEST_REGION): SQSEvent {
  return { Records: messages.map((m) => toSqsRecord(m, queueArn, region)) };
}

export type StreamImage = Record<string, AttributeValue>;

/** A DynamoDB stream record (NEW_AND_OLD_IMAGES) keyed by postId `k-<sequence number>`. */
export function streamRecord(
  sequenceNumber: string,
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { old?: StreamImage; new?: StreamImage } = {},
  streamArn = TEST_STREAM_ARN,
): DynamoDBRecord {
  return {
    eventID: randomUUID(),
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: TEST_REGION,
    eventSourceARN: streamArn,
    dynamodb: {
      Keys: { postId: { S: `k-${sequenceNumber}` } },
      SequenceNumber: sequenceNumber,
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ...(images.old ? { OldImage: images.old } : {}),
      ...(images.new ? { NewImage: images.new } : {}),
    },
  };
}

export function streamEvent(records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}
