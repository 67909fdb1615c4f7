// SQS adapter: sending messages in batches (SendMessageBatch, 10 entries a call), retrying the entries
// that failed for the service's reasons and reporting the ones that cannot be sent.
import {
  SendMessageBatchCommand,
  type MessageAttributeValue,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import { sqsClient } from './clients.js';
import { errorMessage } from '../errors.js';
import { DEFAULT_BACKOFF, RetrySchedule, isTransientCallError, type BackoffOptions } from './backoff.js';
import { mapWithConcurrency } from '../collections.js';

export const SEND_BATCH_LIMIT = 10;
/** Total payload of one SendMessageBatch call (bodies and attributes), 256 KiB. */
export const SEND_BATCH_BYTES = 262_144;
const PARALLEL_CALLS = 4;

export interface OutgoingMessage {
  body: string;
  /** String message attributes (e.g. a failure reason). */
  attributes?: Record<string, string>;
}

export interface SendFailure {
  /** Index of the message in the list given to sendMessages. */
  index: number;
  error: string;
}

function messageBytes(message: OutgoingMessage): number {
  let bytes = Buffer.byteLength(message.body);
  for (const [name, value] of Object.entries(message.attributes ?? {}))
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value) + 6; // + 'String'
  return bytes;
}

/** Groups messages into SendMessageBatch calls: at most 10 entries and 256 KiB each. */
function batches(messages: readonly OutgoingMessage[]): number[][] {
  const result: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  messages.forEach((message, index) => {
    const size = messageBytes(message);
    if (current.length > 0 && (current.length === SEND_BATCH_LIMIT || bytes + size > SEND_BATCH_BYTES)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length > 0) result.push(current);
  return result;
}

function toEntry(message: OutgoingMessage, index: number): SendMessageBatchRequestEntry {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.attributes ?? {}))
    attributes[name] = { DataType: 'String', StringValue: value };
  return { Id: `m${index}`, MessageBody: message.body, MessageAttributes: message.attributes ? attributes : undefined };
}

/**
 * Sends messages with SendMessageBatch. Entries the service failed on its side, and calls that failed as
 * a whole for a passing reason (throttling beyond the SDK's own attempts, a service fault, the network),
 * are retried with backoff and jitter until `backoff` runs out (attempts, or `retryForMs`). Entries
 * rejected as the sender's fault (e.g. too large), calls that cannot succeed (e.g. no such queue) and
 * whatever still fails then are answered as failures. Never throws.
 */
export async function sendMessages(
  queueUrl: string,
  messages: readonly OutgoingMessage[],
  backoff: BackoffOptions = DEFAULT_BACKOFF,
): Promise<SendFailure[]> {
  const failures = await mapWithConcurrency(batches(messages), PARALLEL_CALLS, async (indices) => {
    const failed: SendFailure[] = [];
    const schedule = new RetrySchedule(backoff);
    let pending = indices;
    // Each entry's own last error: a retried entry must never be reported with another entry's message.
    const lastErrors = new Map<number, string>();
    while (pending.length > 0) {
      try {
        const answer = await sqsClient().send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: pending.map((index) => toEntry(messages[index], index)),
          }),
        );
        const retry: number[] = [];
        for (const entry of answer.Failed ?? []) {
          const index = Number(entry.Id?.slice(1));
          const error = `${entry.Code}: ${entry.Message ?? ''}`.trim();
          if (entry.SenderFault) failed.push({ index, error });
          else {
            retry.push(index);
            lastErrors.set(index, error);
          }
        }
        pending = retry;
      } catch (error) {
        const message = errorMessage(error);
        if (!isTransientCallError(error)) {
          for (const index of pending) failed.push({ index, error: message });
          break;
        }
        for (const index of pending) lastErrors.set(index, message);
      }
      if (pending.length > 0 && !(await schedule.beforeRetry())) {
        for (const index of pending)
          failed.push({
            index,
            error: `still failing after ${schedule.describe()} of SendMessageBatch: ${lastErrors.get(index)}`,
          });
        break;
      }
    }
    return failed;
  });
  return failures.flat();
}
