// What becomes of a record that could not be scored. Before its last receive: reported failed, and hidden
// for a backoff that grows with its receive count (ChangeMessageVisibility) so a burst of failures is not
// retried into at the same pace. On its last receive (`lastReceive`) or any after it: acknowledged if another
// delivery already scored the post (one GetItem), otherwise dead-lettered by the function itself with its reason.
// SQS's own redrive (`maxReceiveCount`, a few receives later) is the safety net for a record whose answer never
// arrived: a DLQ send that failed, or an acknowledgement lost on the last receive (a failed delete, a crash after
// the write), which would otherwise put a post that is already scored in the DLQ with no reason.
import type { SQSRecord } from 'aws-lambda';
import type { Config } from '../config.js';
import { QUEUES, TABLES } from '../resources.js';
import type { RetryableFailureReason } from '../domain/failures.js';
import { truncateDetail } from '../domain/messages.js';
import { answersMessage } from '../domain/results.js';
import { retryVisibilitySeconds } from '../domain/retry-visibility.js';
import { getItemByKey } from '../aws/dynamodb.js';
import { sqsClient } from '../aws/clients.js';
import { changeVisibilities, queueUrlFromArn } from '../aws/sqs-queues.js';
import { errorMessage } from '../errors.js';
import { logger } from '../observability.js';
import { sendToDlq } from './dead-letters.js';

export interface RecordFailureInfo {
  reason: RetryableFailureReason;
  detail: string;
  /** The post the message asked for, when it was readable. */
  postId?: string;
}

/** 'retry': report it failed; the others acknowledge it. */
export type Settlement = 'retry' | 'dead-lettered' | 'already-scored';

export function receiveCountOf(record: SQSRecord): number {
  return Number(record.attributes?.ApproximateReceiveCount);
}

/** True from the receive on which the function stops retrying a record (before SQS's redrive would move it). */
export function isLastReceive(record: SQSRecord): boolean {
  return receiveCountOf(record) >= QUEUES.classify.lastReceive;
}

export async function settleFailure(
  record: SQSRecord,
  failure: RecordFailureInfo,
  options: { config: Config; currentModels: ReadonlySet<string>; now: Date },
): Promise<Settlement> {
  if (!isLastReceive(record)) return 'retry';
  if (failure.postId !== undefined && (await alreadyScored(record, failure.postId, options))) return 'already-scored';
  const detail = truncateDetail(`gave up after ${receiveCountOf(record)} receives: ${failure.detail}`);
  const { config } = options;
  const letter = { record, reason: failure.reason, detail };
  const [unsent] = await sendToDlq(config.dlqUrl, [letter], options.now, config.tables.failures);
  return unsent ? 'retry' : 'dead-lettered';
}

/** One strongly consistent GetItem: does the post have a result that answers this message? */
async function alreadyScored(
  record: SQSRecord,
  postId: string,
  { config, currentModels }: { config: Config; currentModels: ReadonlySet<string> },
): Promise<boolean> {
  const read = await getItemByKey(config.tables.results, TABLES.results.partitionKey, postId);
  if ('error' in read) {
    logger.warn('Could not check for a result before dead-lettering; dead-lettering', { postId, error: read.error });
    return false;
  }
  const sent = Number(record.attributes?.SentTimestamp);
  return read.item !== undefined && answersMessage(read.item, sent > 0 ? new Date(sent) : undefined, currentModels);
}

/**
 * Hides each failed record for its backoff (by receive count, with jitter). A change that fails leaves the
 * queue's own visibility timeout in force: logged, never fatal.
 */
export async function delayRetries(records: readonly SQSRecord[], config: Config): Promise<void> {
  const byQueue = new Map<string, Array<{ receiptHandle: string; seconds: number }>>();
  for (const record of records) {
    const url = queueUrlOf(record, config);
    if (!url || !record.receiptHandle) continue;
    const seconds = retryVisibilitySeconds(receiveCountOf(record), config.retryVisibility);
    byQueue.set(url, [...(byQueue.get(url) ?? []), { receiptHandle: record.receiptHandle, seconds }]);
  }
  for (const [url, entries] of byQueue) {
    try {
      const refused = await changeVisibilities(sqsClient(), url, entries);
      if (refused.length > 0)
        logger.warn('Could not delay some retries', { refused: refused.length, error: refused[0].error });
    } catch (error) {
      logger.warn('Could not delay retries; the queue visibility timeout applies', {
        records: entries.length,
        error: errorMessage(error),
      });
    }
  }
}

/**
 * QUEUE_URL when it names the record's queue, else the AWS URL from its ARN; none against an emulator whose
 * URL for that queue is unknown (an AWS URL would leave the machine).
 */
function queueUrlOf(record: SQSRecord, config: Config): string | undefined {
  const arn = record.eventSourceARN ?? '';
  const name = arn.split(':').at(-1);
  if (config.queueUrl && name && config.queueUrl.endsWith(`/${name}`)) return config.queueUrl;
  return config.sqsEndpoint ? undefined : queueUrlFromArn(arn);
}
