// Classify a batch of queue records. The model is called ONCE for the whole batch, so the work is in two
// stages: a batch stage (validate, send malformed records to the DLQ, read the posts in bulk, score all
// texts) that decides each record's outcome, then the Powertools batch processor's per-record stage
// (write the result, or fail) that turns outcomes into the partial batch response.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig, type Config } from '../config.js';
import { QUEUES, TABLES } from '../resources.js';
import { getClassifier } from '../classifier/index.js';
import type { Classifier, Sentiment } from '../domain/sentiment.js';
import { parsePostMessage, truncateDetail } from '../domain/messages.js';
import { StoredPostSchema, type StoredPost } from '../domain/posts.js';
import { buildResult, type ResultItem } from '../domain/results.js';
import {
  RecordFailure,
  type FailureReason,
  type PermanentFailureReason,
  type RetryableFailureReason,
} from '../domain/failures.js';
import { batchGetByKey, putUnlessSameModel } from '../aws/dynamodb.js';
import { sendToDlq } from './dead-letters.js';
import { errorMessage } from '../errors.js';
import { failWholeBatchIfUnnamed, recordsOf } from './batch-records.js';
import { MetricName, MetricUnit, addCountWithDimension, logger, metrics } from '../observability.js';

/** What the batch stage decided for one record. */
type Outcome =
  | { kind: 'dead-lettered'; reason: PermanentFailureReason }
  | { kind: 'retry'; reason: RetryableFailureReason; detail: string }
  | { kind: 'score'; result: ResultItem };

type Rejected = { record: SQSRecord; reason: PermanentFailureReason; detail: string };

export interface ClassifyOptions {
  /** Defaults to loadConfig() at each invocation (cheap; tests may point the environment at a new stage). */
  config?: Config;
  /** Defaults to the shared getClassifier(config). */
  classifier?: (config: Config) => Promise<Classifier>;
  now?: () => Date;
}

export type ClassifyBatch = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

export function createClassifyBatch(options: ClassifyOptions = {}): ClassifyBatch {
  const classifierFor = options.classifier ?? getClassifier;
  const now = options.now ?? (() => new Date());

  return async (event, context) => {
    const config = options.config ?? loadConfig();
    const { records, unusable } = recordsOf<SQSRecord>(event);
    metrics.addMetric(MetricName.BatchSize, MetricUnit.Count, records.length + unusable);
    const { outcomes, modelId } = await decideOutcomes(records, config, () => classifierFor(config), now());
    const writes = new Map<string, Promise<'written' | 'unchanged'>>();
    const tally = { written: 0, unchanged: 0 };
    const writtenByLabel = new Map<string, number>();

    const failures: Array<{ messageId: string; reason: FailureReason; detail: string }> = [];
    let gaveUp = 0;
    const fail = async (
      record: SQSRecord,
      reason: RetryableFailureReason,
      detail: string,
      cause?: unknown,
    ): Promise<void> => {
      failures.push({ messageId: record.messageId, reason, detail });
      // On its last allowed receive, SQS would redrive the record with no reason attached: dead-letter it
      // ourselves, with the reason, and acknowledge it. If that send fails, redrive remains the safety net.
      const receives = Number(record.attributes?.ApproximateReceiveCount);
      if (receives >= QUEUES.classify.maxReceiveCount) {
        const retriesExhausted = `gave up after ${receives} receives: ${detail}`;
        const [unsent] = await sendToDlq(
          config.dlqUrl,
          [{ record, reason, detail: truncateDetail(retriesExhausted) }],
          now(),
          config.tables.failures,
        );
        if (!unsent) {
          gaveUp++;
          return;
        }
      }
      throw new RecordFailure(reason, detail, { cause });
    };

    const finishRecord = async (record: SQSRecord): Promise<void> => {
      const outcome = outcomes.get(record)!;
      if (outcome.kind === 'dead-lettered') return; // acknowledged: the DLQ holds it with its reason
      if (outcome.kind === 'retry') return await fail(record, outcome.reason, outcome.detail);
      // Duplicates of one post in a batch share one conditional write.
      const { result } = outcome;
      let write = writes.get(result.postId);
      if (!write) {
        write = putUnlessSameModel(config.tables.results, TABLES.results.partitionKey, { ...result });
        writes.set(result.postId, write);
        write.then(
          (answer) => {
            tally[answer]++;
            if (answer === 'written') writtenByLabel.set(result.label, (writtenByLabel.get(result.label) ?? 0) + 1);
          },
          () => undefined,
        );
      }
      try {
        await write;
      } catch (error) {
        await fail(record, 'write-failed', truncateDetail((error as Error).message), error);
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

    const failedByReason = new Map<FailureReason, number>();
    for (const { reason } of failures) failedByReason.set(reason, (failedByReason.get(reason) ?? 0) + 1);
    for (const [reason, count] of failedByReason)
      addCountWithDimension(MetricName.RecordsFailed, 'reason', reason, count);
    for (const [label, count] of writtenByLabel) addCountWithDimension(MetricName.PostsScored, 'label', label, count);
    metrics.addMetric(MetricName.DuplicatesSkipped, MetricUnit.Count, tally.unchanged);
    const deadLettered = [...outcomes.values()].filter((o) => o.kind === 'dead-lettered');
    metrics.addMetric(MetricName.DlqSends, MetricUnit.Count, deadLettered.length + gaveUp);
    logger.info('Classified batch', {
      batchSize: records.length + unusable,
      unusableRecords: unusable || undefined,
      modelId,
      written: tally.written,
      alreadyScored: tally.unchanged,
      deadLettered: deadLettered.length,
      retriesExhausted: gaveUp || undefined,
      failedByReason: Object.fromEntries(failedByReason),
      failures: failures.slice(0, 50),
    });
    return response;
  };
}

/** The batch stage: every record gets an outcome; nothing here throws for a record's sake. */
async function decideOutcomes(
  records: SQSRecord[],
  config: Config,
  loadClassifier: () => Promise<Classifier>,
  classifiedAt: Date,
) {
  const outcomes = new Map<SQSRecord, Outcome>();
  const rejected: Rejected[] = [];
  const wanted: Array<{ record: SQSRecord; postId: string }> = [];

  for (const record of records) {
    const parsed = parsePostMessage(record?.body);
    if (parsed.ok) wanted.push({ record, postId: parsed.message.postId });
    else rejected.push({ record, reason: parsed.reason, detail: parsed.detail });
  }

  const posts = new Map<string, StoredPost>();
  if (wanted.length > 0) {
    const lookup = await batchGetByKey(
      config.tables.posts,
      TABLES.posts.partitionKey,
      wanted.map((w) => w.postId),
    );
    for (const { record, postId } of wanted) {
      const failed = lookup.failed.get(postId);
      const item = lookup.found.get(postId);
      if (failed) outcomes.set(record, { kind: 'retry', reason: 'post-read-failed', detail: failed });
      else if (!item)
        outcomes.set(record, {
          kind: 'retry',
          reason: 'post-not-found',
          detail: `post ${postId} is not in the posts table (yet)`,
        });
      else {
        const post = StoredPostSchema.safeParse(item);
        if (post.success) posts.set(postId, post.data);
        else
          rejected.push({
            record,
            reason: 'invalid-post',
            detail: truncateDetail(
              `post ${postId}: ${post.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
            ),
          });
      }
    }
  }

  for (const failure of await sendToDlq(config.dlqUrl, rejected, classifiedAt, config.tables.failures)) {
    outcomes.set(failure.record, { kind: 'retry', reason: 'dlq-send-failed', detail: failure.error });
  }
  for (const { record, reason } of rejected)
    if (!outcomes.has(record)) outcomes.set(record, { kind: 'dead-lettered', reason });

  const scored = await scoreAll(posts, loadClassifier);
  for (const { record, postId } of wanted) {
    if (outcomes.has(record) || !posts.has(postId)) continue;
    if ('error' in scored) {
      outcomes.set(record, { kind: 'retry', reason: 'model-error', detail: scored.error });
    } else {
      const sentiment = scored.sentiments.get(postId)!;
      outcomes.set(record, { kind: 'score', result: buildResult(posts.get(postId)!, sentiment, classifiedAt) });
    }
  }
  return { outcomes, modelId: 'error' in scored ? undefined : scored.modelId };
}

type Scores = { sentiments: Map<string, Sentiment>; modelId?: string } | { error: string };

/** One model call for every distinct post of the batch. */
async function scoreAll(posts: Map<string, StoredPost>, loadClassifier: () => Promise<Classifier>): Promise<Scores> {
  if (posts.size === 0) return { sentiments: new Map() };
  const ids = [...posts.keys()];
  try {
    const classifier = await loadClassifier();
    const started = performance.now();
    const sentiments = await classifier.classify(ids.map((id) => posts.get(id)!.text));
    const elapsed = performance.now() - started;
    if (!Array.isArray(sentiments) || sentiments.length !== ids.length) {
      throw new Error(
        `classifier answered ${Array.isArray(sentiments) ? sentiments.length : typeof sentiments} sentiments ` +
          `for ${ids.length} texts`,
      );
    }
    metrics.addMetric(MetricName.InferenceMsPerPost, MetricUnit.Milliseconds, elapsed / ids.length);
    metrics.addMetric(
      MetricName.LexiconFallbackPosts,
      MetricUnit.Count,
      sentiments.filter((s) => s.method === 'lexicon').length,
    );
    return { sentiments: new Map(ids.map((id, i) => [id, sentiments[i]])), modelId: classifier.modelId };
  } catch (error) {
    logger.error("Model call failed; the batch's posts will be retried", { error: error as Error, posts: ids.length });
    return { error: truncateDetail(errorMessage(error)) };
  }
}
