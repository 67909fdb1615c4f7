// How Lambda reads a function's partial batch response (ReportBatchItemFailures), for SQS and for streams.
import type { DynamoDBBatchResponse, SQSBatchResponse } from 'aws-lambda';
import { errorMessage } from '../errors.js';

/**
 * SQS: no response or no failures means all succeeded; an empty, null or unknown itemIdentifier makes the
 * whole batch a failure.
 */
export function failuresFrom(
  response: SQSBatchResponse | void | undefined | null,
  ids: string[],
): { failed: Set<string>; error?: string } {
  const items = response?.batchItemFailures ?? [];
  const known = new Set(ids);
  const failed = new Set<string>();
  for (const item of items) {
    const id = item?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !known.has(id)) {
      return {
        failed: new Set(ids),
        error: `invalid batchItemFailures entry ${JSON.stringify(item)}: whole batch failed`,
      };
    }
    failed.add(id);
  }
  return { failed };
}

/**
 * Streams: the lowest failed sequence number is where the retry starts; an empty, null or unknown
 * itemIdentifier fails the whole batch.
 */
export function firstFailure(
  response: DynamoDBBatchResponse | void | undefined | null,
  sequenceNumbers: string[],
): { failedAt: number; functionError: boolean; error?: string } {
  const items = response?.batchItemFailures ?? [];
  let failedAt = -1;
  for (const item of items) {
    const index =
      typeof item?.itemIdentifier === 'string' && item.itemIdentifier !== ''
        ? sequenceNumbers.indexOf(item.itemIdentifier)
        : -1;
    if (index === -1)
      return {
        failedAt: 0,
        functionError: true,
        error: `invalid batchItemFailures entry ${JSON.stringify(item)}: whole batch failed`,
      };
    if (failedAt === -1 || index < failedAt) failedAt = index;
  }
  return failedAt === -1
    ? { failedAt, functionError: false }
    : { failedAt, functionError: false, error: `batch item failure at ${sequenceNumbers[failedAt]}` };
}

/** The error a mapping records when the invocation itself failed (threw, timed out). */
export function invocationError(thrown: unknown): string {
  return `handler failed: ${errorMessage(thrown)}`;
}
