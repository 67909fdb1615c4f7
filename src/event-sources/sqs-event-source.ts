// What Lambda's SQS event source mapping does, for local runs, tests and the ops worker: poll the queue,
// gather a batch within the batching window, invoke the function with a real SQS event, delete what
// succeeded and leave the failures to reappear after the visibility timeout (so maxReceiveCount redrives them).
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Message, MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { FUNCTIONS } from '../resources.js';
import {
  RECEIVE_LIMIT,
  deleteMessages,
  queueDepth,
  receiveMessages,
  type QueueDepth,
  type QueueRef,
} from '../aws/sqs-queues.js';
import { invokeWithTimeout, type LocalFunction } from './lambda-context.js';
import type { EventSource } from './event-source.js';
import { failuresFrom, invocationError } from './batch-response.js';
import { errorMessage } from '../errors.js';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void | undefined | null>;

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queue: QueueRef;
  region: string;
  handler: SqsHandler;
  /** Defaults: the classify function's settings in resources.json. */
  batchSize?: number;
  maximumBatchingWindowSeconds?: number;
  function?: Partial<LocalFunction>;
  /** How long one poll waits for a first message (long poll). Default 1 s. */
  pollWaitSeconds?: number;
  /** Where failed deletes are reported. Default: the process's Powertools logger (src/observability.ts). */
  logger?: Pick<Logger, 'warn'>;
}

export interface SqsBatchResult {
  messageIds: string[];
  succeeded: string[];
  failed: string[];
  /** Why the whole batch failed (handler error, timeout, invalid response), if it did. */
  error?: string;
  /** Time spent in the handler. */
  handlerMs: number;
}

export type SqsQueueDepth = QueueDepth;

export class SqsEventSource implements EventSource<SqsBatchResult> {
  readonly name: string;
  readonly fn: LocalFunction;
  private readonly batchSize: number;
  private readonly windowMs: number;
  private readonly pollWaitSeconds: number;

  constructor(private readonly options: SqsEventSourceOptions) {
    this.batchSize = options.batchSize ?? FUNCTIONS.classify.batchSize;
    this.windowMs = (options.maximumBatchingWindowSeconds ?? FUNCTIONS.classify.maximumBatchingWindowSeconds) * 1000;
    this.pollWaitSeconds = options.pollWaitSeconds ?? 1;
    this.fn = {
      name: `${options.queue.name}-consumer`,
      region: options.region,
      timeoutSeconds: FUNCTIONS.classify.timeoutSeconds,
      memorySizeMb: FUNCTIONS.classify.memorySizeMb,
      ...options.function,
    };
    this.name = `sqs:${options.queue.name}`;
  }

  /** One poll: gathers a batch (if any message is there), invokes the handler, deletes the successes. */
  async pollOnce(): Promise<SqsBatchResult | undefined> {
    const messages = await this.gatherBatch();
    if (messages.length === 0) return undefined;
    const event: SQSEvent = { Records: messages.map((m) => this.toRecord(m)) };
    const ids = event.Records.map((r) => r.messageId);
    let failed: Set<string>;
    let error: string | undefined;
    const invoked = Date.now();
    try {
      const response = await invokeWithTimeout(this.fn, this.options.handler, event);
      ({ failed, error } = failuresFrom(response, ids));
    } catch (thrown) {
      failed = new Set(ids);
      error = invocationError(thrown);
    }
    const handlerMs = Date.now() - invoked;
    const succeeded = event.Records.filter((r) => !failed.has(r.messageId));
    await this.delete(succeeded);
    return { messageIds: ids, succeeded: succeeded.map((r) => r.messageId), failed: [...failed], error, handlerMs };
  }

  depth(): Promise<SqsQueueDepth> {
    return queueDepth(this.options.sqs, this.options.queue.url);
  }

  /** Idle: nothing visible, nothing in flight (a failure waiting to reappear), nothing delayed. */
  async isIdle(): Promise<boolean> {
    const { visible, inFlight, delayed } = await this.depth();
    return visible + inFlight + delayed === 0;
  }

  /** Long-polls for a first message, then keeps receiving until the batch is full or the window closes. */
  private async gatherBatch(): Promise<Message[]> {
    const batch: Message[] = [];
    const first = await this.receive(Math.min(RECEIVE_LIMIT, this.batchSize), this.pollWaitSeconds);
    if (first.length === 0) return batch;
    batch.push(...first);
    const windowEnds = Date.now() + this.windowMs;
    while (batch.length < this.batchSize && Date.now() < windowEnds) {
      const more = await this.receive(Math.min(RECEIVE_LIMIT, this.batchSize - batch.length), 0);
      // A window as long as the visibility timeout (a slow machine) can receive a message again: keep
      // its newest receipt only, as Lambda never puts one message twice in a batch.
      for (const message of more) {
        const earlier = batch.findIndex((m) => m.MessageId === message.MessageId);
        if (earlier === -1) batch.push(message);
        else batch[earlier] = message;
      }
      if (more.length === 0)
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(0, windowEnds - Date.now()))));
    }
    return batch;
  }

  /** A receive that fails (throttled, the network) is an empty one: Lambda's poller just polls again. */
  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    try {
      return await receiveMessages(this.options.sqs, this.options.queue.url, { max, waitSeconds });
    } catch (error) {
      await this.warn('Could not receive messages; polling again', { error: errorMessage(error) });
      return [];
    }
  }

  private async warn(message: string, details: Record<string, unknown>): Promise<void> {
    // Imported when needed, not at load: observability.ts creates the Metrics singleton from the environment
    // when imported, and tests importing this module set that environment afterwards.
    const logger = this.options.logger ?? (await import('../observability.js')).logger;
    logger.warn(message, { source: this.name, ...details });
  }

  private toRecord(message: Message): SQSRecord {
    return toSqsRecord(message, this.options.queue.arn, this.options.region);
  }

  private async delete(records: SQSRecord[]): Promise<void> {
    // Lambda does not fail the invocation for this; the message comes back and is processed again.
    let failures: Array<{ receiptHandle: string; error: string }>;
    try {
      failures = await deleteMessages(
        this.options.sqs,
        this.options.queue.url,
        records.map((r) => r.receiptHandle),
      );
    } catch (error) {
      failures = records.map((r) => ({ receiptHandle: r.receiptHandle, error: errorMessage(error) }));
    }
    if (failures.length > 0) {
      const byHandle = new Map(records.map((r) => [r.receiptHandle, r.messageId]));
      await this.warn('Could not delete processed messages; they will be delivered again', {
        failures: failures.map((f) => ({ messageId: byHandle.get(f.receiptHandle), error: f.error })),
      });
    }
  }
}

/** A received message as the record Lambda puts in an SQS event. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const record: SQSRecord = {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: lambdaMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody!,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

/** SQS API attribute values → the shape Lambda puts in the event (lower-case keys, base64 binaries, list fields). */
export function lambdaMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      stringValue: value.StringValue,
      binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: value.DataType!,
    };
    if (result[name].stringValue === undefined) delete result[name].stringValue;
    if (result[name].binaryValue === undefined) delete result[name].binaryValue;
  }
  return result;
}
