// What Lambda's DynamoDB stream event source mapping does, for local runs and tests. The shard reader
// (shard-reader.ts) reads each shard in order; this is the delivery policy: invoke the function with real
// stream events, checkpoint what succeeded, retry from the first failed sequence number (bisecting on
// errors), after maximumRetryAttempts send the batch's metadata to the on-failure destination queue and
// move on, and keep the delivered events for replay().
import type { _Record, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { FUNCTIONS } from '../resources.js';
import { sendMessage, type QueueRef } from '../aws/sqs-queues.js';
import { invokeWithTimeout, lambdaContext, type LocalFunction } from './lambda-context.js';
import type { EventSource } from './event-source.js';
import { firstFailure, invocationError } from './batch-response.js';
import { ShardReader, type ShardState } from './shard-reader.js';
import { onFailureRecord, toLambdaStreamRecord, type FailureCondition } from './stream-records.js';

export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | void | undefined | null>;

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
  /** The mapping's tumbling window (0: none): events then name their shard, as Lambda's do. */
  tumblingWindowSeconds?: number;
  function?: Partial<LocalFunction>;
  /** How many delivered events to keep for replay(). Default 1000. */
  historySize?: number;
  /** The source's name in a serve loop's counts (two mappings of one stream need two). Default dynamodb-stream. */
  name?: string;
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

export class StreamEventSource implements EventSource<StreamBatchResult> {
  readonly name: string;
  readonly fn: LocalFunction;
  /** Events delivered to the handler, oldest first (bounded), so tests can replay one. */
  readonly history: DeliveredBatch[] = [];
  private readonly reader: ShardReader;
  private readonly maxRetries: number;
  private readonly maxAgeSeconds: number;
  private readonly bisect: boolean;

  constructor(private readonly options: StreamEventSourceOptions) {
    this.name = options.name ?? 'dynamodb-stream';
    const aggregate = FUNCTIONS.aggregate;
    this.reader = new ShardReader({
      streams: options.streams,
      streamArn: options.streamArn,
      batchSize: options.batchSize ?? aggregate.batchSize,
      startingPosition: options.startingPosition ?? 'TRIM_HORIZON',
    });
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
    for (const shard of await this.reader.readableShards()) {
      await this.reader.read(shard);
      if (shard.pending.length > 0) return this.deliver(shard);
    }
    return undefined;
  }

  /** Idle: every shard read to its current end and every record read is checkpointed. */
  async isIdle(): Promise<boolean> {
    for (const shard of await this.reader.readableShards()) {
      await this.reader.read(shard);
      if (shard.pending.length > 0) return false;
    }
    return this.reader.allCheckpointed();
  }

  /** Invokes the handler again with an event it was already given (as Lambda does on a retry or replay). */
  async replay(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | void | undefined | null> {
    return this.options.handler(structuredClone(event), lambdaContext(this.fn));
  }

  private async deliver(shard: ShardState): Promise<StreamBatchResult> {
    const expired = await this.dropExpired(shard);
    if (shard.pending.length === 0) {
      return {
        shardId: shard.shardId,
        sequenceNumbers: [],
        succeeded: 0,
        failed: 0,
        sentToFailureQueue: expired,
        handlerMs: 0,
      };
    }
    const batch = shard.pending.slice(0, shard.batchLimit);
    const event: DynamoDBStreamEvent = { Records: batch.map((r) => this.toEventRecord(r)), ...this.windowOf(shard) };
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
      error = invocationError(thrown);
    }
    delivered.error = error;

    const result: StreamBatchResult = {
      shardId: shard.shardId,
      sequenceNumbers,
      succeeded: 0,
      failed: 0,
      error,
      sentToFailureQueue: expired,
      handlerMs: Date.now() - invoked,
    };
    if (failedAt === -1) {
      this.reader.checkpoint(shard, batch.length);
      result.succeeded = batch.length;
      return result;
    }
    if (failedAt > 0) {
      // Partial success: checkpoint up to the failed record; the retry starts there.
      this.reader.checkpoint(shard, failedAt);
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
      this.reader.checkpoint(shard, batch.length);
      result.sentToFailureQueue += batch.length;
    } else {
      result.failed = batch.length;
    }
    return result;
  }

  /** Records older than maximumRecordAgeSeconds are not delivered (-1: no limit). */
  private async dropExpired(shard: ShardState): Promise<number> {
    if (this.maxAgeSeconds < 0) return 0;
    const oldest = Date.now() - this.maxAgeSeconds * 1000;
    let count = 0;
    while (
      count < shard.pending.length &&
      (shard.pending[count].dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now()) < oldest
    )
      count++;
    if (count === 0) return 0;
    await this.sendToFailureQueue(shard, shard.pending.slice(0, count), 'RecordAgeExceeded', 0, undefined);
    this.reader.checkpoint(shard, count);
    return count;
  }

  /** Reports records given up on to the on-failure destination; the reason also travels as attributes. */
  private async sendToFailureQueue(
    shard: ShardState,
    records: _Record[],
    condition: FailureCondition,
    invokeCount: number,
    lastError: string | undefined,
  ): Promise<void> {
    const body = onFailureRecord({
      shardId: shard.shardId,
      records,
      condition,
      invokeCount,
      streamArn: this.options.streamArn,
      functionArn: lambdaContext(this.fn).invokedFunctionArn,
    });
    await sendMessage(this.options.sqs, this.options.failureQueue.url, {
      body: JSON.stringify(body),
      attributes: { failureReason: condition, ...(lastError ? { failureDetail: lastError.slice(0, 1000) } : {}) },
    });
  }

  /**
   * A tumbling-window mapping's extra event fields (Lambda's "services-ddb-windows"). The window's final,
   * state-only invocation is not emulated: the aggregate function keeps no window state.
   */
  private windowOf(shard: ShardState): object {
    const seconds = this.options.tumblingWindowSeconds ?? FUNCTIONS.aggregate.tumblingWindowSeconds;
    if (!(seconds > 0)) return {};
    const start = Math.floor(Date.now() / (seconds * 1000)) * seconds * 1000;
    return {
      shardId: shard.shardId,
      eventSourceARN: this.options.streamArn,
      window: { start: new Date(start).toISOString(), end: new Date(start + seconds * 1000).toISOString() },
      state: {},
      isFinalInvokeForWindow: false,
      isWindowTerminatedEarly: false,
    };
  }

  private toEventRecord(record: _Record): DynamoDBRecord {
    return toLambdaStreamRecord(record, this.options.streamArn, this.options.region);
  }

  private remember(batch: DeliveredBatch): void {
    this.history.push(batch);
    if (this.history.length > (this.options.historySize ?? 1000)) this.history.shift();
  }
}
