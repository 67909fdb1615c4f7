// A long-running classify worker for EC2/Fargate: the same poll -> invoke -> delete-successes loop as
// Lambda's SQS event source (the runtime's SqsEventSource, which the local runner uses too), plus what
// a process outside Lambda needs: visibility kept extended while a batch is in hand, and a graceful stop.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { sqsClient } from '../aws/clients.js';
import { changeVisibility } from '../aws/sqs-queues.js';
import { FUNCTIONS } from '../resources.js';
import { SqsEventSource, type SqsHandler } from '../event-sources/sqs-event-source.js';
import { logger } from '../observability.js';
import type { QueueInfo } from './queues.js';

export interface WorkerOptions {
  queue: QueueInfo;
  region: string;
  handler: SqsHandler;
  /** Stop receiving when aborted; the batch in hand is finished and its successes deleted. */
  signal: AbortSignal;
  /** Default: the classify function's batch size and batching window (resources.json). */
  batchSize?: number;
  maximumBatchingWindowSeconds?: number;
  /** Long-poll wait per receive (1..20). Stopping can take this long plus the batching window. Default 10. */
  waitSeconds?: number;
  /** Longest a batch may take; past it the batch counts as failed (its messages reappear). Default 900. */
  timeoutSeconds?: number;
  sqs?: SQSClient;
}

export interface WorkerStats {
  batches: number;
  succeeded: number;
  failed: number;
  /** Polls that failed as a whole (receive or delete errors), retried after a pause. */
  pollErrors: number;
}

const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Keeps a batch's messages invisible while the handler runs: every third of the visibility timeout it
 * resets their timeout to the queue's, so a batch slower than the timeout is not delivered twice, while
 * a batch that ends (or a worker that dies) leaves failures to reappear within one timeout, as Lambda does.
 */
export function withVisibilityHeartbeat(
  handler: SqsHandler,
  queue: QueueInfo,
  sqs: SQSClient,
  timeoutSeconds: number,
): SqsHandler {
  const extendTo = Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, queue.visibilityTimeoutSeconds));
  const everyMs = Math.max(500, (extendTo * 1000) / 3);
  return async (event, context) => {
    const handles = event.Records.map((r) => r.receiptHandle);
    logger.info('Worker batch started', {
      messages: handles.length,
      messageIds: event.Records.map((r) => r.messageId),
    });
    // Past the batch timeout the batch counts as failed: stop extending so a hung handler's messages reappear.
    const giveUpAt = Date.now() + timeoutSeconds * 1000;
    const timer = setInterval(() => {
      if (Date.now() > giveUpAt) return clearInterval(timer);
      void extendVisibility(sqs, queue.url, handles, extendTo).catch((error) => {
        logger.warn('Could not extend the visibility of the batch in hand; it may be delivered twice', {
          error: error as Error,
        });
      });
    }, everyMs);
    try {
      return await handler(event, context);
    } finally {
      clearInterval(timer);
    }
  };
}

async function extendVisibility(sqs: SQSClient, queueUrl: string, handles: string[], seconds: number): Promise<void> {
  const failed = await changeVisibility(sqs, queueUrl, handles, seconds);
  if (failed.length > 0)
    throw new Error(`${failed.length} visibility change(s) failed: ${failed.map((f) => f.error).join('; ')}`);
}

/** Polls until the signal aborts; resolves after the batch in hand is finished and its successes deleted. */
export async function runWorker(options: WorkerOptions): Promise<WorkerStats> {
  const sqs = options.sqs ?? sqsClient();
  const batchSize = options.batchSize ?? FUNCTIONS.classify.batchSize;
  const timeoutSeconds = options.timeoutSeconds ?? 900;
  const source = new SqsEventSource({
    sqs,
    queue: options.queue,
    region: options.region,
    handler: withVisibilityHeartbeat(options.handler, options.queue, sqs, timeoutSeconds),
    batchSize,
    maximumBatchingWindowSeconds:
      options.maximumBatchingWindowSeconds ?? FUNCTIONS.classify.maximumBatchingWindowSeconds,
    pollWaitSeconds: options.waitSeconds ?? 10,
    function: { name: `${options.queue.name}-worker`, timeoutSeconds },
    logger,
  });
  const stats: WorkerStats = { batches: 0, succeeded: 0, failed: 0, pollErrors: 0 };
  logger.info('Worker started', {
    queueUrl: options.queue.url,
    batchSize,
    visibilityTimeoutSeconds: options.queue.visibilityTimeoutSeconds,
  });
  let consecutiveErrors = 0;
  while (!options.signal.aborted) {
    try {
      // One poll = receive a batch, invoke, delete the successes: it is never cut short by a stop.
      const result = await source.pollOnce();
      consecutiveErrors = 0;
      if (!result) continue;
      stats.batches += 1;
      stats.succeeded += result.succeeded.length;
      stats.failed += result.failed.length;
      const log = result.failed.length > 0 ? logger.warn.bind(logger) : logger.info.bind(logger);
      log('Worker batch done', {
        messages: result.messageIds.length,
        deleted: result.succeeded.length,
        failed: result.failed.length,
        error: result.error,
      });
    } catch (error) {
      // SQS unreachable, credentials expiring...: pause (up to a minute) and try again rather than exit.
      stats.pollErrors += 1;
      consecutiveErrors += 1;
      const pauseMs = Math.min(60_000, 1000 * 2 ** Math.min(consecutiveErrors, 6));
      logger.error('Worker poll failed; retrying', { error: error as Error, pauseMs });
      await abortableSleep(pauseMs, options.signal);
    }
  }
  logger.info('Worker stopped', { ...stats });
  return stats;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
