// DynamoDB Streams API records → the records Lambda puts in a DynamoDB stream event (and in the
// on-failure record it sends when it gives up on a batch). They differ in
// two places: ApproximateCreationDateTime is epoch seconds (the SDK gives a Date) and binary
// attribute values are base64 strings (the SDK gives bytes).
import type { _Record, AttributeValue as StreamsAttributeValue } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

export function toLambdaStreamRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const result: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ApproximateCreationDateTime: stream.ApproximateCreationDateTime
        ? Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
      Keys: toLambdaImage(stream.Keys),
      NewImage: toLambdaImage(stream.NewImage),
      OldImage: toLambdaImage(stream.OldImage),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
    eventSourceARN: streamArn,
  };
  // TTL deletions carry the service as the user identity.
  if (record.userIdentity)
    result.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  // Lambda leaves out the images the stream view type does not include, rather than sending undefined.
  for (const key of ['Keys', 'NewImage', 'OldImage', 'ApproximateCreationDateTime'] as const) {
    if (result.dynamodb![key] === undefined) delete result.dynamodb![key];
  }
  return result;
}

function toLambdaImage(
  image: Record<string, StreamsAttributeValue> | undefined,
): Record<string, AttributeValue> | undefined {
  if (!image) return undefined;
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

function toLambdaValue(value: StreamsAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M)! };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  throw new Error(`unknown stream attribute value ${JSON.stringify(value)}`);
}

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** The record Lambda sends to a stream mapping's on-failure destination: where the batch was, not its data. */
export function onFailureRecord(failure: {
  shardId: string;
  records: _Record[];
  condition: FailureCondition;
  invokeCount: number;
  streamArn: string;
  functionArn: string;
}) {
  const first = failure.records[0].dynamodb!;
  const last = failure.records[failure.records.length - 1].dynamodb!;
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: failure.functionArn,
      condition: failure.condition,
      approximateInvokeCount: failure.invokeCount,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId: failure.shardId,
      startSequenceNumber: first.SequenceNumber,
      endSequenceNumber: last.SequenceNumber,
      approximateArrivalOfFirstRecord: first.ApproximateCreationDateTime?.toISOString(),
      approximateArrivalOfLastRecord: last.ApproximateCreationDateTime?.toISOString(),
      batchSize: failure.records.length,
      streamArn: failure.streamArn,
    },
  };
}
