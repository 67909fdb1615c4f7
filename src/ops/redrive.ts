// Redrive: bring classify DLQ messages back to the classify queue once their cause is fixed.
// On AWS the service moves them (StartMessageMoveTask, progress via ListMessageMoveTasks). SQS emulators
// lack that API, and a move task cannot stop after N messages, so there (and with --limit) the messages
// are moved by hand: receive -> send to the queue -> delete, at least once, never lost.
import type { ListMessageMoveTasksResultEntry, Message } from '@aws-sdk/client-sqs';
import { sqsClient } from '../aws/clients.js';
import { sendMessages, type OutgoingMessage } from '../aws/sqs.js';
import * as queues from '../aws/sqs-queues.js';
import { batchGetByKey } from '../aws/dynamodb.js';
import type { Config } from '../config.js';
import { TABLES } from '../resources.js';
import { DLQ_ATTRIBUTES } from '../domain/failures.js';
import { parsePostMessage } from '../domain/messages.js';
import type { QueueInfo } from './queues.js';

/** Long enough to list or move one receive's messages; a crash leaves them hidden only this long. */
const HOLD_SECONDS = 60;
/** An empty long poll of this length ends a listing or a move: the queue is drained (or has nothing visible). */
const DRAIN_WAIT_SECONDS = 2;
/** Attributes the classify pipeline adds when it dead-letters a message: dropped when it goes back. */
const FAILURE_ATTRIBUTES = new Set<string>(Object.values(DLQ_ATTRIBUTES));

export interface DeadLetterEntry {
  messageId: string;
  /** From the body, when it is a valid message. */
  postId?: string;
  /** failureReason written by the classify Lambda, or `max-receives-exceeded` for SQS's own redrive. */
  reason: string;
  detail?: string;
  /** ApproximateReceiveCount as SQS reports it (every receive so far, this listing's included). */
  receiveCount: number;
  failedAt?: string;
  /** When the message was first sent (to the classify queue). */
  sentAt?: string;
}

function receive(queue: QueueInfo, max: number): Promise<Message[]> {
  return queues.receiveMessages(sqsClient(), queue.url, {
    max,
    waitSeconds: DRAIN_WAIT_SECONDS,
    visibilityTimeoutSeconds: HOLD_SECONDS,
  });
}

function stringAttribute(message: Message, name: string): string | undefined {
  return message.MessageAttributes?.[name]?.StringValue;
}

function toEntry(message: Message): DeadLetterEntry {
  const parsed = parsePostMessage(message.Body);
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    messageId: message.MessageId!,
    postId: parsed.ok ? parsed.message.postId : undefined,
    reason: stringAttribute(message, DLQ_ATTRIBUTES.reason) ?? 'max-receives-exceeded',
    detail: stringAttribute(message, DLQ_ATTRIBUTES.detail),
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    failedAt: stringAttribute(message, DLQ_ATTRIBUTES.failedAt),
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined,
  };
}

/** Makes messages visible again at once (dry run: look, don't take). */
async function release(queue: QueueInfo, messages: readonly Message[]): Promise<void> {
  // One not released reappears after HOLD_SECONDS anyway.
  await queues.changeVisibility(
    sqsClient(),
    queue.url,
    messages.map((m) => m.ReceiptHandle!),
    0,
  );
}

/**
 * Lists up to `limit` DLQ messages without moving them: received with a short visibility timeout, then
 * released. Messages SQS redrove itself carry no reason; for those the posts and results tables are
 * consulted so the listing still says what is wrong.
 */
export async function listDeadLetters(config: Config, dlq: QueueInfo, limit = Infinity): Promise<DeadLetterEntry[]> {
  const held: Message[] = [];
  const seen = new Set<string>();
  try {
    while (held.length < limit) {
      const messages = (await receive(dlq, limit - held.length)).filter((m) => !seen.has(m.MessageId!));
      if (messages.length === 0) break;
      for (const m of messages) seen.add(m.MessageId!);
      held.push(...messages);
    }
  } finally {
    await release(dlq, held);
  }
  const entries = held.map(toEntry);
  await diagnose(
    config,
    entries.filter((e) => e.postId !== undefined && e.reason === 'max-receives-exceeded'),
  );
  return entries;
}

/** Explains retryable failures from the tables' current state (the reason itself is only in the logs). */
async function diagnose(config: Config, entries: DeadLetterEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const ids = entries.map((e) => e.postId!);
  const [posts, results] = await Promise.all([
    batchGetByKey(config.tables.posts, TABLES.posts.partitionKey, ids),
    batchGetByKey(config.tables.results, TABLES.results.partitionKey, ids),
  ]);
  for (const entry of entries) {
    const id = entry.postId!;
    const result = results.found.get(id);
    if (posts.failed.has(id)) entry.detail = `could not check the posts table: ${posts.failed.get(id)}`;
    else if (!posts.found.has(id))
      entry.detail = `post-not-found: post ${id} is not in the posts table (write it, then redrive)`;
    else if (result) entry.detail = `already scored by ${String(result.modelId)}; redriving is harmless`;
    else
      entry.detail =
        'post exists but was never scored: a retryable failure (model-error, write-failed...); see the classify logs';
  }
}

/** The message as it goes back: same body, same attributes minus the failure ones. */
export function redrivenMessage(message: Message): OutgoingMessage {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    // The SQS adapter sends String attributes; Number ones keep their value as text.
    if (!FAILURE_ATTRIBUTES.has(name) && value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  return { body: message.Body ?? '', attributes: Object.keys(attributes).length > 0 ? attributes : undefined };
}

export interface ManualMoveResult {
  moved: number;
  /** Sent but not deleted from the DLQ: they will be redriven again (harmless: classify is idempotent). */
  notDeleted: number;
  /** Not sent: still in the DLQ, visible again after a minute. */
  failed: Array<{ messageId: string; error: string }>;
}

/** Receive -> send to the queue -> delete, until the DLQ is drained or `limit` messages are moved. */
export async function moveDeadLettersManually(
  dlq: QueueInfo,
  target: QueueInfo,
  limit = Infinity,
  onProgress?: (moved: number) => void,
): Promise<ManualMoveResult> {
  const result: ManualMoveResult = { moved: 0, notDeleted: 0, failed: [] };
  const seen = new Set<string>();
  while (result.moved + result.failed.length < limit) {
    const messages = (await receive(dlq, limit - result.moved - result.failed.length)).filter(
      (m) => !seen.has(m.MessageId!),
    );
    if (messages.length === 0) break;
    for (const m of messages) seen.add(m.MessageId!);
    const failures = await sendMessages(target.url, messages.map(redrivenMessage));
    const failedAt = new Set(failures.map((f) => f.index));
    for (const { index, error } of failures) result.failed.push({ messageId: messages[index].MessageId!, error });
    const sent = messages.filter((_, i) => !failedAt.has(i));
    // Deleted only after the send succeeded: a crash in between duplicates a message, never loses one.
    result.notDeleted += (
      await queues.deleteMessages(
        sqsClient(),
        dlq.url,
        sent.map((m) => m.ReceiptHandle!),
      )
    ).length;
    result.moved += sent.length;
    onProgress?.(result.moved);
  }
  return result;
}

/** Starts an SQS message move task DLQ -> classify queue; answers its task handle. */
export function startMoveTask(dlq: QueueInfo, target: QueueInfo, maxPerSecond?: number): Promise<string> {
  return queues.startMoveTask(sqsClient(), dlq.arn, target.arn, maxPerSecond);
}

/** The DLQ's move tasks, most recent first (SQS keeps them 14 days). */
export function listMoveTasks(dlq: QueueInfo): Promise<ListMessageMoveTasksResultEntry[]> {
  return queues.listMoveTasks(sqsClient(), dlq.arn);
}

export function describeMoveTask(task: ListMessageMoveTasksResultEntry): string {
  const started = task.StartedTimestamp ? new Date(task.StartedTimestamp).toISOString() : '?';
  const moved = task.ApproximateNumberOfMessagesMoved ?? 0;
  const progress = `${moved}/${task.ApproximateNumberOfMessagesToMove ?? '?'} moved`;
  const failure = task.FailureReason ? `, failure: ${task.FailureReason}` : '';
  return `${task.Status ?? 'UNKNOWN'} started ${started}, ${progress}${failure}`;
}
