// What Lambda's DynamoDB stream event source mapping does, for local runs and tests: read each shard
// in order (parents before children), invoke the function with real stream events, checkpoint what
// succeeded, retry from the first failed sequence number (bisecting on errors), and after
// maximumRetryAttempts send the batch's metadata to the on-failure destination queue and move on.
import {
  DescribeStreamCommand, DynamoDBStreamsClient, ExpiredIteratorException, GetRecordsCommand, GetShardIteratorCommand, TrimmedDataAccessException,
  type _Record, type Shard, type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { FUNCTIONS } from '../resources.js';
import { invokeWithTimeout, lambdaContext, type LocalFunction } from './lambda-context.js';
import type { QueueRef } from './provision.js';
import type { EventSource } from './event-sources.js';
import { onFailureRecord, toLambdaStreamRecord, type FailureCondition } from './stream-records.js';

export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void | undefined | null>;

export interface StreamEventSourceOptions {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  region: string;
  handler: StreamHandler;
  /** On-failure destination (the stream-failures queue). */
  failureQueue: QueueRef;
  sqs: SQSClient;
  /** Defaults: the aggregate function's settings in resources.json. */
  batchSize?: number;
  maximumRetryAttempts?: number;
  maximumRecordAgeSeconds?: number;
  bisectBatchOnFunctionError?: boolean;
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  function?: Partial<LocalFunction>;
  /** How many delivered events to keep for replay(). Default 1000. */
  historySize?: number;
}

export interface StreamBatchResult {
  shardId: string;
  sequenceNumbers: string[];
  /** Records checkpointed by this invocation. */
  succeeded: number;
  /** Records to be retried (from the first failed sequence number). */
  failed: number;
  error?: string;
  /** Records given up on and reported to the failure queue (retries exhausted or too old). */
  sentToFailureQueue: number;
  /** Time spent in the handler. */
  handlerMs: number;
}

export interface DeliveredBatch {
  event: DynamoDBStreamEvent;
  response?: DynamoDBBatchResponse | void | null;
  error?: string;
}

interface ShardState {
  shardId: string;
  parentShardId?: string;
  iterator: string | undefined;
  started: boolean;
  /** Last sequence number read from the stream (pending or done). */
  lastRead?: string;
  /** Read but not yet checkpointed, in sequence order. */
  pending: _Record[];
  /** Closed shard whose records are all read and checkpointed. */
  finished: boolean;
  batchLimit: number;
  /** Failed invocations with the same record at the head of the batch. */
  headFailures: number;
}

export class StreamEventSource implements EventSource<StreamBatchResult> {
  readonly name = 'dynamodb-stream';
  readonly fn: LocalFunction;
  /** Events delivered to the handler, oldest first (bounded), so tests can replay one. */
  readonly history: DeliveredBatch[] = [];
  private readonly shards = new Map<string, ShardState>();
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly maxAgeSeconds: number;
  private readonly bisect: boolean;

  constructor(private readonly options: StreamEventSourceOptions) {
    const aggregate = FUNCTIONS.aggregate;
    this.batchSize = options.batchSize ?? aggregate.batchSize;
    this.maxRetries = options.maximumRetryAttempts ?? aggregate.maximumRetryAttempts;
    this.maxAgeSeconds = options.maximumRecordAgeSeconds ?? aggregate.maximumRecordAgeSeconds;
    this.bisect = options.bisectBatchOnFunctionError ?? aggregate.bisectBatchOnFunctionError;
    this.fn = {
      name: 'stream-consumer',
      region: options.region,
      timeoutSeconds: aggregate.timeoutSeconds,
      memorySizeMb: aggregate.memorySizeMb,
      ...options.function,
    };
  }

  /** Reads what is new and invokes the handler for one batch of the first shard that has records. */
  async pollOnce(): Promise<StreamBatchResult | undefined> {
    for (const shard of await this.readableShards()) {
      await this.read(shard);
      if (shard.pending.length > 0) return this.deliver(shard);
    }
    return undefined;
  }

  /** Idle: every shard read to its current end and every record read is checkpointed. */
  async isIdle(): Promise<boolean> {
    for (const shard of await this.readableShards()) {
      await this.read(shard);
      if (shard.pending.length > 0) return false;
    }
    return [...this.shards.values()].every((s) => s.finished || s.pending.length === 0);
  }

  /** Invokes the handler again with an event it was already given (as Lambda does on a retry or replay). */
  async replay(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | void | undefined | null> {
    return this.options.handler(structuredClone(event), lambdaContext(this.fn));
  }

  private async readableShards(): Promise<ShardState[]> {
    await this.discoverShards();
    // Lambda processes a child shard only after its parent is done; a parent we never saw was trimmed.
    return [...this.shards.values()].filter((s) => !s.finished
      && (!s.parentShardId || !this.shards.has(s.parentShardId) || this.shards.get(s.parentShardId)!.finished));
  }

  private async discoverShards(): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.options.streams.send(new DescribeStreamCommand({
        StreamArn: this.options.streamArn, ExclusiveStartShardId: exclusiveStartShardId,
      }));
      for (const shard of StreamDescription?.Shards ?? []) this.track(shard);
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  }

  private track(shard: Shard): void {
    if (!shard.ShardId || this.shards.has(shard.ShardId)) return;
    this.shards.set(shard.ShardId, {
      shardId: shard.ShardId,
      parentShardId: shard.ParentShardId,
      iterator: undefined,
      started: false,
      pending: [],
      finished: false,
      batchLimit: this.batchSize,
      headFailures: 0,
    });
  }

  /** Tops up the shard's pending records to a batch; marks a closed, drained shard finished. */
  private async read(shard: ShardState): Promise<void> {
    if (shard.pending.length >= this.batchSize) return;
    if (!shard.started) {
      shard.iterator = await this.iterator(shard, this.options.startingPosition ?? 'TRIM_HORIZON');
      shard.started = true;
    }
    if (shard.iterator === undefined) {
      if (shard.pending.length === 0) shard.finished = true;
      return;
    }
    let response;
    try {
      response = await this.options.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: this.batchSize - shard.pending.length }));
    } catch (error) {
      // DynamoDB Local also answers TrimmedDataAccessException for an iterator kept on a long-empty shard:
      // a fresh iterator from the same position reads on.
      if (!(error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException)) throw error;
      shard.iterator = await this.iterator(shard, shard.lastRead ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON');
      return;
    }
    const records = response.Records ?? [];
    shard.pending.push(...records);
    if (records.length > 0) shard.lastRead = records[records.length - 1].dynamodb!.SequenceNumber;
    shard.iterator = response.NextShardIterator ?? undefined; // none: the shard is closed and read to its end
    if (shard.iterator === undefined && shard.pending.length === 0) shard.finished = true;
  }

  private async iterator(shard: ShardState, type: ShardIteratorType): Promise<string | undefined> {
    const { ShardIterator } = await this.options.streams.send(new GetShardIteratorCommand({
      StreamArn: this.options.streamArn, ShardId: shard.shardId, ShardIteratorType: type,
      SequenceNumber: type === 'AFTER_SEQUENCE_NUMBER' ? shard.lastRead : undefined,
    }));
    return ShardIterator;
  }

  private async deliver(shard: ShardState): Promise<StreamBatchResult> {
    const expired = await this.dropExpired(shard);
    if (shard.pending.length === 0) {
      return { shardId: shard.shardId, sequenceNumbers: [], succeeded: 0, failed: 0, sentToFailureQueue: expired, handlerMs: 0 };
    }
    const batch = shard.pending.slice(0, shard.batchLimit);
    const event: DynamoDBStreamEvent = { Records: batch.map((r) => this.toEventRecord(r)) };
    const sequenceNumbers = batch.map((r) => r.dynamodb!.SequenceNumber!);
    const delivered: DeliveredBatch = { event: structuredClone(event) };
    this.remember(delivered);

    let failedAt = -1; // index of the first record to retry; -1 when all succeeded
    let functionError = false; // thrown, timed out or an unreadable response: what bisecting reacts to
    let error: string | undefined;
    const invoked = Date.now();
    try {
      const response = await invokeWithTimeout(this.fn, this.options.handler, event);
      delivered.response = response;
      ({ failedAt, error, functionError } = firstFailure(response, sequenceNumbers));
    } catch (thrown) {
      failedAt = 0;
      functionError = true;
      error = `handler failed: ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`;
    }
    delivered.error = error;

    const result: StreamBatchResult = {
      shardId: shard.shardId, sequenceNumbers, succeeded: 0, failed: 0, error, sentToFailureQueue: expired, handlerMs: Date.now() - invoked,
    };
    if (failedAt === -1) {
      this.checkpoint(shard, batch.length);
      result.succeeded = batch.length;
      return result;
    }
    if (failedAt > 0) {
      // Partial success: checkpoint up to the failed record; the retry starts there.
      this.checkpoint(shard, failedAt);
      shard.headFailures = 1;
      result.succeeded = failedAt;
      result.failed = batch.length - failedAt;
      return result;
    }
    if (functionError && this.bisect && batch.length > 1) {
      shard.batchLimit = Math.ceil(batch.length / 2); // bisecting does not count as a retry
      result.failed = batch.length;
      return result;
    }
    shard.headFailures += 1;
    if (shard.headFailures > this.maxRetries) {
      await this.sendToFailureQueue(shard, batch, 'RetryAttemptsExhausted', shard.headFailures, error);
      this.checkpoint(shard, batch.length);
      result.sentToFailureQueue += batch.length;
    } else {
      result.failed = batch.length;
    }
    return result;
  }

  private checkpoint(shard: ShardState, count: number): void {
    shard.pending.splice(0, count);
    shard.batchLimit = this.batchSize;
    shard.headFailures = 0;
    if (shard.iterator === undefined && shard.pending.length === 0) shard.finished = true;
  }

  /** Records older than maximumRecordAgeSeconds are not delivered (-1: no limit). */
  private async dropExpired(shard: ShardState): Promise<number> {
    if (this.maxAgeSeconds < 0) return 0;
    const oldest = Date.now() - this.maxAgeSeconds * 1000;
    let count = 0;
    while (count < shard.pending.length && (shard.pending[count].dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now()) < oldest) count++;
    if (count === 0) return 0;
    await this.sendToFailureQueue(shard, shard.pending.slice(0, count), 'RecordAgeExceeded', 0, undefined);
    this.checkpoint(shard, count);
    return count;
  }

  /** Reports records given up on to the on-failure destination; the reason also travels as attributes. */
  private async sendToFailureQueue(shard: ShardState, records: _Record[], condition: FailureCondition, invokeCount: number, lastError: string | undefined): Promise<void> {
    const body = onFailureRecord({
      shardId: shard.shardId, records, condition, invokeCount,
      streamArn: this.options.streamArn, functionArn: lambdaContext(this.fn).invokedFunctionArn,
    });
    await this.options.sqs.send(new SendMessageCommand({
      QueueUrl: this.options.failureQueue.url,
      MessageBody: JSON.stringify(body),
      MessageAttributes: {
        failureReason: { DataType: 'String', StringValue: condition },
        ...(lastError ? { failureDetail: { DataType: 'String', StringValue: lastError.slice(0, 1000) } } : {}),
      },
    }));
  }

  private toEventRecord(record: _Record): DynamoDBRecord {
    return toLambdaStreamRecord(record, this.options.streamArn, this.options.region);
  }

  private remember(batch: DeliveredBatch): void {
    this.history.push(batch);
    if (this.history.length > (this.options.historySize ?? 1000)) this.history.shift();
  }
}

/**
 * Lambda's reading of a stream partial batch response: the lowest failed sequence number is where the
 * retry starts; an empty, null or unknown itemIdentifier fails the whole batch.
 */
export function firstFailure(
  response: DynamoDBBatchResponse | void | undefined | null,
  sequenceNumbers: string[],
): { failedAt: number; functionError: boolean; error?: string } {
  const items = response?.batchItemFailures ?? [];
  let failedAt = -1;
  for (const item of items) {
    const index = typeof item?.itemIdentifier === 'string' && item.itemIdentifier !== '' ? sequenceNumbers.indexOf(item.itemIdentifier) : -1;
    if (index === -1) return { failedAt: 0, functionError: true, error: `invalid batchItemFailures entry ${JSON.stringify(item)}: whole batch failed` };
    if (failedAt === -1 || index < failedAt) failedAt = index;
  }
  return failedAt === -1
    ? { failedAt, functionError: false }
    : { failedAt, functionError: false, error: `batch item failure at ${sequenceNumbers[failedAt]}` };
}
