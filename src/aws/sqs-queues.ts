// SQS adapter, the consuming and managing side (sqs.ts sends): receive, delete, change visibility, queue
// depth and attributes, queue lookup and message move tasks. Each call takes the client to use (the
// production one, sqsClient(), or one aimed at an emulator).
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { chunk } from '../collections.js';
import type { OutgoingMessage } from './sqs.js';

/** A queue as the code refers to it. */
export interface QueueRef {
  name: string;
  url: string;
  arn: string;
}

/** Entries per ReceiveMessage / DeleteMessageBatch / ChangeMessageVisibilityBatch call. */
export const RECEIVE_LIMIT = 10;
const ENTRY_LIMIT = 10;

export interface ReceiveOptions {
  /** At most this many messages (capped at the API's 10 a call). */
  max: number;
  /** Long-poll wait (0..20 s). */
  waitSeconds: number;
  /** Hide what is received for this long instead of the queue's visibility timeout. */
  visibilityTimeoutSeconds?: number;
}

/** One ReceiveMessage call, with every system and message attribute. */
export async function receiveMessages(sqs: SQSClient, queueUrl: string, options: ReceiveOptions): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.min(RECEIVE_LIMIT, options.max),
      WaitTimeSeconds: options.waitSeconds,
      VisibilityTimeout: options.visibilityTimeoutSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages;
}

/** An entry of a batch call that SQS did not carry out: the receipt handle and why. */
export interface EntryFailure {
  receiptHandle: string;
  error: string;
}

/** Deletes by receipt handle, 10 a call; answers the entries SQS refused (the call itself may throw). */
export async function deleteMessages(
  sqs: SQSClient,
  queueUrl: string,
  receiptHandles: readonly string[],
): Promise<EntryFailure[]> {
  const failures: EntryFailure[] = [];
  for (const part of chunk(receiptHandles, ENTRY_LIMIT)) {
    const { Failed = [] } = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: part.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle })),
      }),
    );
    for (const f of Failed)
      failures.push({ receiptHandle: part[Number(f.Id)], error: `${f.Code}: ${f.Message ?? ''}`.trim() });
  }
  return failures;
}

/** Sets the visibility timeout of received messages (0: visible again at once), 10 a call. */
export function changeVisibility(
  sqs: SQSClient,
  queueUrl: string,
  receiptHandles: readonly string[],
  seconds: number,
): Promise<EntryFailure[]> {
  return changeVisibilities(
    sqs,
    queueUrl,
    receiptHandles.map((receiptHandle) => ({ receiptHandle, seconds })),
  );
}

/** Sets each received message's own visibility timeout, 10 a call; answers the entries SQS refused. */
export async function changeVisibilities(
  sqs: SQSClient,
  queueUrl: string,
  entries: ReadonlyArray<{ receiptHandle: string; seconds: number }>,
): Promise<EntryFailure[]> {
  const failures: EntryFailure[] = [];
  for (const part of chunk(entries, ENTRY_LIMIT)) {
    const { Failed = [] } = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: part.map((entry, i) => ({
          Id: String(i),
          ReceiptHandle: entry.receiptHandle,
          VisibilityTimeout: entry.seconds,
        })),
      }),
    );
    for (const f of Failed)
      failures.push({ receiptHandle: part[Number(f.Id)].receiptHandle, error: `${f.Code}: ${f.Message ?? ''}`.trim() });
  }
  return failures;
}

/** The URL of a queue on AWS from its ARN (arn:aws:sqs:REGION:ACCOUNT:NAME). */
export function queueUrlFromArn(arn: string): string | undefined {
  const [, partition, service, region, account, name] = arn.split(':');
  if (service !== 'sqs' || !region || !account || !name) return undefined;
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

/** One message with string attributes (sendMessages in sqs.ts batches many). */
export async function sendMessage(sqs: SQSClient, queueUrl: string, message: OutgoingMessage): Promise<void> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.attributes ?? {}))
    attributes[name] = { DataType: 'String', StringValue: value };
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: message.body,
      MessageAttributes: message.attributes ? attributes : undefined,
    }),
  );
}

export interface QueueDepth {
  /** ApproximateNumberOfMessages: receivable now. */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible: received, not yet deleted (or waiting out a failure). */
  inFlight: number;
  /** ApproximateNumberOfMessagesDelayed. */
  delayed: number;
}

/** The queue's approximate message counts: the one place they are read. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

export interface QueueSettings {
  arn: string;
  visibilityTimeoutSeconds: number;
  /** The queue's redrive policy, when it has a DLQ. */
  redrivePolicy?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

export async function queueSettings(sqs: SQSClient, queueUrl: string): Promise<QueueSettings> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['QueueArn', 'VisibilityTimeout', 'RedrivePolicy'],
    }),
  );
  if (!Attributes.QueueArn) throw new Error(`queue ${queueUrl} has no QueueArn`);
  const settings: QueueSettings = {
    arn: Attributes.QueueArn,
    visibilityTimeoutSeconds: Number(Attributes.VisibilityTimeout ?? 30),
  };
  if (Attributes.RedrivePolicy) settings.redrivePolicy = JSON.parse(Attributes.RedrivePolicy);
  return settings;
}

export async function queueUrlOf(sqs: SQSClient, name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`no QueueUrl for queue "${name}"`);
  return QueueUrl;
}

/** Starts an SQS message move task (e.g. DLQ -> its source queue); answers its task handle. */
export async function startMoveTask(
  sqs: SQSClient,
  sourceArn: string,
  destinationArn: string,
  maxPerSecond?: number,
): Promise<string> {
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: sourceArn,
      DestinationArn: destinationArn,
      MaxNumberOfMessagesPerSecond: maxPerSecond,
    }),
  );
  if (!TaskHandle) throw new Error('StartMessageMoveTask returned no task handle');
  return TaskHandle;
}

/** A source queue's move tasks, most recent first (SQS keeps them 14 days). */
export async function listMoveTasks(sqs: SQSClient, sourceArn: string): Promise<ListMessageMoveTasksResultEntry[]> {
  const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }));
  return Results;
}
