// DynamoDB Streams adapter: a stream's shards, shard iterators and records, for the stream event source.
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
  type DynamoDBStreamsClient,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';

/** Every shard the stream describes (DescribeStream, paginated). */
export async function listShards(streams: DynamoDBStreamsClient, streamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
    );
    shards.push(...(StreamDescription?.Shards ?? []));
    exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return shards;
}

/** An iterator at the shard's start, end, or just after a sequence number; undefined for a trimmed shard. */
export async function shardIterator(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  shardId: string,
  type: ShardIteratorType,
  afterSequenceNumber?: string,
): Promise<string | undefined> {
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: shardId,
      ShardIteratorType: type,
      SequenceNumber:
        type === 'AFTER_SEQUENCE_NUMBER' || type === 'AT_SEQUENCE_NUMBER' ? afterSequenceNumber : undefined,
    }),
  );
  return ShardIterator;
}

/**
 * A page of records; `next` is undefined once a closed shard is read to its end. An expired (or trimmed) iterator
 * is an answer.
 */
export type RecordsPage = { expired: false; records: _Record[]; next: string | undefined } | { expired: true };

export async function readRecords(
  streams: DynamoDBStreamsClient,
  iterator: string,
  limit: number,
): Promise<RecordsPage> {
  try {
    const answer = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
    return { expired: false, records: answer.Records ?? [], next: answer.NextShardIterator ?? undefined };
  } catch (error) {
    // DynamoDB Local also answers TrimmedDataAccessException for an iterator kept on a long-empty shard:
    // like an expired one, a fresh iterator from the same position reads on.
    if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException)
      return { expired: true };
    throw error;
  }
}
