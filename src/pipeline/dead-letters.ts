// Moving queue records that can never succeed to the classify DLQ, with the reason as message attributes,
// so a poison message costs one invocation instead of lastReceive and its cause is on the message.
import type { SQSRecord } from 'aws-lambda';
import { DLQ_ATTRIBUTES, type FailureReason } from '../domain/failures.js';
import { sendMessages, type OutgoingMessage } from '../aws/sqs.js';
import { batchWriteItems } from '../aws/dynamodb.js';
import { parsePostMessage } from '../domain/messages.js';
import type { FailureRecord } from '../domain/failure-records.js';

export interface DeadLetter {
  record: SQSRecord;
  /** Permanent failures on first sight; retryable ones on the record's last allowed receive. */
  reason: FailureReason;
  detail: string;
}

export interface DeadLetterFailure {
  record: SQSRecord;
  error: string;
}

/** The original body when SQS could carry it again; otherwise a JSON note of what it was. */
function bodyOf(record: SQSRecord): string {
  const body: unknown = record?.body;
  if (typeof body === 'string' && body.length > 0) return body;
  return JSON.stringify({ unusableBody: body === undefined ? 'missing' : body === '' ? 'empty' : typeof body });
}

export function deadLetterMessage({ record, reason, detail }: DeadLetter, failedAt: Date): OutgoingMessage {
  const attributes: Record<string, string> = {
    [DLQ_ATTRIBUTES.reason]: reason,
    [DLQ_ATTRIBUTES.detail]: detail || reason,
    [DLQ_ATTRIBUTES.failedAt]: failedAt.toISOString(),
  };
  // SQS rejects empty attribute values, so optional ones are set only when present.
  const optional: Record<string, unknown> = {
    [DLQ_ATTRIBUTES.originalMessageId]: record?.messageId,
    [DLQ_ATTRIBUTES.sourceQueueArn]: record?.eventSourceARN,
    [DLQ_ATTRIBUTES.receiveCount]: record?.attributes?.ApproximateReceiveCount,
  };
  for (const [name, value] of Object.entries(optional))
    if (typeof value === 'string' && value) attributes[name] = value;
  return { body: bodyOf(record), attributes };
}

/**
 * Sends the records to the DLQ. Answers the ones that could not be sent: the caller must then NOT
 * acknowledge them (they stay on the queue and reach the DLQ by redrive at worst). With a failures table, each
 * letter naming a post is first recorded there (the PostgreSQL sink's source of "failed, and why"); a letter
 * that could not be recorded is not sent either, so a retry does both.
 */
export async function sendToDlq(
  dlqUrl: string | undefined,
  letters: readonly DeadLetter[],
  failedAt: Date,
  failuresTable?: string,
): Promise<DeadLetterFailure[]> {
  if (letters.length === 0) return [];
  if (!dlqUrl) return letters.map(({ record }) => ({ record, error: 'DLQ_URL is not configured' }));
  const unrecorded = failuresTable ? await recordFailures(failuresTable, letters, failedAt) : [];
  const sendable = letters.filter((letter) => !unrecorded.some((u) => u.record === letter.record));
  const failures = await sendMessages(
    dlqUrl,
    sendable.map((letter) => deadLetterMessage(letter, failedAt)),
  );
  return [...unrecorded, ...failures.map(({ index, error }) => ({ record: sendable[index].record, error }))];
}

/** Puts a failure record for each letter whose message names a post; answers the letters it could not record. */
async function recordFailures(
  table: string,
  letters: readonly DeadLetter[],
  failedAt: Date,
): Promise<DeadLetterFailure[]> {
  const named = letters.flatMap((letter) => {
    const parsed = parsePostMessage(letter.record?.body);
    return parsed.ok ? [{ postId: parsed.message.postId, letter }] : [];
  });
  // One item per post (BatchWriteItem refuses a key twice in a call); the last letter's reason.
  const items = new Map<string, FailureRecord>(
    named.map(({ postId, letter }) => [
      postId,
      { postId, reason: letter.reason, detail: letter.detail || letter.reason, failedAt: failedAt.toISOString() },
    ]),
  );
  const failed = await batchWriteItems(table, [...items.values()]);
  return failed.flatMap(({ item, error }) =>
    named.filter(({ postId }) => postId === item.postId).map(({ letter }) => ({ record: letter.record, error })),
  );
}
