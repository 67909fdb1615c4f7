// Classify a batch of queue records. The model is called once for the whole batch (and again, in halves, only
// for posts a failed call left unscored), so the work is in two stages: a batch stage (classify-outcomes.ts:
// validate, dead-letter malformed records, read the posts in bulk, score all texts) that decides each record's
// outcome, then the Powertools batch processor's per-record stage (write the result, or fail) that turns
// outcomes into the partial batch response. Failed records are settled in failed-records.ts: delayed with
// backoff, or on their last receive acknowledged as already scored or dead-lettered with their reason.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig, type Config } from '../config.js';
import { TABLES } from '../resources.js';
import { getClassifier } from '../classifier/index.js';
import type { Classifier } from '../domain/sentiment.js';
import { truncateDetail } from '../domain/messages.js';
import { RecordFailure, type FailureReason } from '../domain/failures.js';
import { putUnlessSameModel } from '../aws/dynamodb.js';
import { failWholeBatchIfUnnamed, recordsOf } from './batch-records.js';
import { decideOutcomes } from './classify-outcomes.js';
import { delayRetries, settleFailure, type RecordFailureInfo } from './failed-records.js';
import { TimeBudget } from './time-budget.js';
import { MetricName, MetricUnit, addCountWithDimension, logger, metrics } from '../observability.js';

export interface ClassifyOptions {
  /** Defaults to loadConfig() at each invocation (cheap; tests may point the environment at a new stage). */
  config?: Config;
  /** Defaults to the shared getClassifier(config). */
  classifier?: (config: Config) => Promise<Classifier>;
  now?: () => Date;
}

export type ClassifyBatch = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** Per-invocation counts for the metrics and the summary log line. */
class Tally {
  written = 0;
  unchanged = 0;
  readonly writtenByLabel = new Map<string, number>();
  /** Reported as batch item failures (retried later), by reason. */
  readonly retried: Array<{ messageId: string; reason: FailureReason; detail: string }> = [];
  /** Dead-lettered by the function (permanent at once, retryable on the last receive). */
  deadLettered = 0;
  retriesExhausted = 0;
  alreadyScored = 0;
  lastReceiveFallbacks = 0;
}

export function createClassifyBatch(options: ClassifyOptions = {}): ClassifyBatch {
  const classifierFor = options.classifier ?? getClassifier;
  const now = options.now ?? (() => new Date());

  return async (event, context) => {
    const config = options.config ?? loadConfig();
    const budget = TimeBudget.of(context);
    const { records, unusable } = recordsOf<SQSRecord>(event);
    metrics.addMetric(MetricName.BatchSize, MetricUnit.Count, records.length + unusable);
    const classifiedAt = now();
    const { outcomes, modelId } = await decideOutcomes(
      records,
      config,
      () => classifierFor(config),
      classifiedAt,
      budget,
    );
    const currentModels = new Set(
      [config.model.id, ...config.multilingualModelIds, modelId].filter((id): id is string => id !== undefined),
    );
    const writes = new Map<string, Promise<'written' | 'unchanged'>>();
    const tally = new Tally();
    tally.deadLettered = [...outcomes.values()].filter((o) => o.kind === 'dead-lettered').length;

    const fail = async (record: SQSRecord, failure: RecordFailureInfo, cause?: unknown): Promise<void> => {
      const settled = await settleFailure(record, failure, { config, currentModels, now: now() });
      if (settled === 'already-scored') tally.alreadyScored++;
      else if (settled === 'dead-lettered') {
        tally.deadLettered++;
        tally.retriesExhausted++;
      } else {
        tally.retried.push({ messageId: record.messageId, reason: failure.reason, detail: failure.detail });
        throw new RecordFailure(failure.reason, failure.detail, { cause });
      }
    };

    const finishRecord = async (record: SQSRecord): Promise<void> => {
      const outcome = outcomes.get(record)!;
      if (outcome.kind === 'dead-lettered') return; // acknowledged: the DLQ holds it with its reason
      if (outcome.kind === 'retry') return await fail(record, outcome);
      // Duplicates of one post in a batch share one conditional write.
      const { result } = outcome;
      let write = writes.get(result.postId);
      if (!write) {
        write = putUnlessSameModel(config.tables.results, TABLES.results.partitionKey, { ...result }, budget.backoff());
        writes.set(result.postId, write);
        write.then(
          (answer) => {
            // (A fallback found 'unchanged' was written by an attempt whose answer was lost: still this one's.)
            if (outcome.lastReceiveFallback) tally.lastReceiveFallbacks++;
            if (answer === 'written') {
              tally.written++;
              tally.writtenByLabel.set(result.label, (tally.writtenByLabel.get(result.label) ?? 0) + 1);
            } else tally.unchanged++;
          },
          () => undefined,
        );
      }
      try {
        await write;
      } catch (error) {
        const detail = truncateDetail((error as Error).message);
        await fail(record, { reason: 'write-failed', detail, postId: result.postId }, error);
      }
    };

    // A fresh processor per invocation: safe even if a local runner invokes the handler concurrently.
    const processed = await processPartialResponse(
      { Records: records },
      finishRecord,
      new BatchProcessor(EventType.SQS),
      {
        context,
        throwOnFullBatchFailure: false, // report every record as failed rather than throwing: same effect, clearer logs
      },
    );
    const response = failWholeBatchIfUnnamed(processed, unusable);
    const retried = new Set(tally.retried.map((f) => f.messageId));
    await delayRetries(
      records.filter((r) => retried.has(r.messageId)),
      config,
    );
    publish(tally, records.length + unusable, unusable, modelId);
    return response;
  };
}

function publish(tally: Tally, batchSize: number, unusable: number, modelId: string | undefined): void {
  const retriedByReason = new Map<FailureReason, number>();
  for (const { reason } of tally.retried) retriedByReason.set(reason, (retriedByReason.get(reason) ?? 0) + 1);
  for (const [reason, count] of retriedByReason)
    addCountWithDimension(MetricName.RecordsFailed, 'reason', reason, count);
  for (const [label, count] of tally.writtenByLabel)
    addCountWithDimension(MetricName.PostsScored, 'label', label, count);
  metrics.addMetric(MetricName.DuplicatesSkipped, MetricUnit.Count, tally.unchanged);
  metrics.addMetric(MetricName.DlqSends, MetricUnit.Count, tally.deadLettered);
  metrics.addMetric(MetricName.ScoredBeforeDeadLetter, MetricUnit.Count, tally.alreadyScored);
  metrics.addMetric(MetricName.LastReceiveFallbacks, MetricUnit.Count, tally.lastReceiveFallbacks);
  logger.info('Classified batch', {
    batchSize,
    unusableRecords: unusable || undefined,
    modelId,
    written: tally.written,
    alreadyScored: tally.unchanged,
    deadLettered: tally.deadLettered,
    retriesExhausted: tally.retriesExhausted || undefined,
    scoredBeforeDeadLetter: tally.alreadyScored || undefined,
    lastReceiveFallbacks: tally.lastReceiveFallbacks || undefined,
    failedByReason: Object.fromEntries(retriedByReason),
    failures: tally.retried.slice(0, 50),
  });
}
