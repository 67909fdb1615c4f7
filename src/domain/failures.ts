// Why a queue record was not scored. Permanent failures can never succeed on retry, so the classify
// Lambda moves them to the DLQ itself (with the reason) instead of spending lastReceive invocations.

/** Can never succeed: sent to the DLQ at once and acknowledged. */
export const PERMANENT_FAILURES = ['not-json', 'schema-invalid', 'invalid-post'] as const;
/** May succeed later: reported as a batch item failure; on its last receive (lastReceive) the classify Lambda
 * dead-letters it with the reason (SQS's redrive, at maxReceiveCount, only if the function never answers). */
export const RETRYABLE_FAILURES = [
  'post-not-found',
  'post-read-failed',
  'model-error',
  'write-failed',
  'dlq-send-failed',
] as const;

export type PermanentFailureReason = (typeof PERMANENT_FAILURES)[number];
export type RetryableFailureReason = (typeof RETRYABLE_FAILURES)[number];
export type FailureReason = PermanentFailureReason | RetryableFailureReason;

/** Message attributes on every message the classify Lambda sends to the DLQ. */
export const DLQ_ATTRIBUTES = {
  reason: 'failureReason',
  detail: 'failureDetail',
  originalMessageId: 'originalMessageId',
  sourceQueueArn: 'sourceQueueArn',
  receiveCount: 'receiveCount',
  failedAt: 'failedAt',
} as const;

/** A record-level failure with its reason; thrown inside per-record processing so the batch utility reports it. */
export class RecordFailure extends Error {
  constructor(
    readonly reason: RetryableFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${message}`, options);
    this.name = 'RecordFailure';
  }
}

/**
 * Why the aggregate function did not apply a stream record (the RecordsFailed metric's reason dimension):
 * - `invalid-stream-record`: bad shape or image; can never be counted. Reported failed by its sequence
 *   number, so Lambda retries it and finally sends it to the stream-failure queue; the good records
 *   around it are applied all the same.
 * - `aggregate-write-failed`: its transaction was rejected, or still throttled or conflicting when the
 *   retries ran out.
 * - `aggregate-write-deferred`: not attempted because an earlier transaction of the same batch failed
 *   (stream order is kept); retried with it.
 */
export const AGGREGATE_FAILURES = [
  'invalid-stream-record',
  'aggregate-write-failed',
  'aggregate-write-deferred',
] as const;
export type AggregateFailureReason = (typeof AGGREGATE_FAILURES)[number];

/** A stream record the aggregate function did not apply, with its reason. */
export class AggregateRecordFailure extends Error {
  constructor(
    readonly reason: AggregateFailureReason,
    message: string,
  ) {
    super(`${reason}: ${message}`);
    this.name = 'AggregateRecordFailure';
  }
}
