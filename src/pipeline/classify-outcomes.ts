// The batch stage of classify: every record gets an outcome; nothing here throws for a record's sake.
// Validate, dead-letter malformed records, read the posts in bulk (retrying unprocessed keys and failed calls
// within the invocation), score them (see score-posts.ts), and on a record's last receive score a post whose
// model still failed with the lexicon instead of dead-lettering it.
import type { SQSRecord } from 'aws-lambda';
import type { Config } from '../config.js';
import { TABLES } from '../resources.js';
import type { Classifier, Sentiment } from '../domain/sentiment.js';
import { parsePostMessage, truncateDetail } from '../domain/messages.js';
import { StoredPostSchema, type StoredPost } from '../domain/posts.js';
import { buildResult, type ResultItem } from '../domain/results.js';
import type { PermanentFailureReason, RetryableFailureReason } from '../domain/failures.js';
import { batchGetByKey } from '../aws/dynamodb.js';
import { errorMessage } from '../errors.js';
import { logger } from '../observability.js';
import { sendToDlq } from './dead-letters.js';
import { isLastReceive } from './failed-records.js';
import { scorePosts } from './score-posts.js';
import type { TimeBudget } from './time-budget.js';

/** What the batch stage decided for one record. */
export type Outcome =
  | { kind: 'dead-lettered'; reason: PermanentFailureReason }
  | { kind: 'retry'; reason: RetryableFailureReason; detail: string; postId?: string }
  | { kind: 'score'; result: ResultItem; lastReceiveFallback?: true };

type Rejected = { record: SQSRecord; reason: PermanentFailureReason; detail: string };

/** Share of the time left that reading the posts may spend on retries (scoring and writing come after). */
const READ_SHARE = 0.3;

export async function decideOutcomes(
  records: SQSRecord[],
  config: Config,
  loadClassifier: () => Promise<Classifier>,
  classifiedAt: Date,
  budget: TimeBudget,
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
      budget.backoff(READ_SHARE),
    );
    for (const { record, postId } of wanted) {
      const failed = lookup.failed.get(postId);
      const item = lookup.found.get(postId);
      if (failed) outcomes.set(record, { kind: 'retry', reason: 'post-read-failed', detail: failed, postId });
      else if (!item)
        outcomes.set(record, {
          kind: 'retry',
          reason: 'post-not-found',
          detail: `post ${postId} is not in the posts table (yet)`,
          postId,
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

  const scoring = await scorePosts(posts, loadClassifier, budget);
  const lastChance = wanted.filter(
    ({ record, postId }) => !outcomes.has(record) && scoring.failed.has(postId) && isLastReceive(record),
  );
  const fallback = await lexiconScores(
    lastChance.map((w) => posts.get(w.postId)!),
    config,
  );
  for (const { record, postId } of wanted) {
    if (outcomes.has(record) || !posts.has(postId)) continue;
    const sentiment = scoring.sentiments.get(postId);
    const rescued = fallback.get(postId);
    if (sentiment)
      outcomes.set(record, { kind: 'score', result: buildResult(posts.get(postId)!, sentiment, classifiedAt) });
    else if (rescued)
      outcomes.set(record, {
        kind: 'score',
        result: buildResult(posts.get(postId)!, rescued, classifiedAt),
        lastReceiveFallback: true,
      });
    else outcomes.set(record, { kind: 'retry', reason: 'model-error', detail: scoring.failed.get(postId)!, postId });
  }
  return { outcomes, modelId: scoring.modelId };
}

/**
 * The lexicon's scores for posts on their last receive whose model kept failing: a flagged result
 * (method 'lexicon', which `rescore` brings back to the model) rather than a post in the DLQ.
 */
async function lexiconScores(posts: StoredPost[], config: Config): Promise<Map<string, Sentiment>> {
  if (posts.length === 0) return new Map();
  try {
    // Imported here: the AFINN tables cost a cold start that never needs them.
    const { LexiconClassifier } = await import('../classifier/lexicon.js');
    const lexicon = new LexiconClassifier({ scoreUnsupportedLanguages: config.scoreUnsupportedLanguages });
    const sentiments = await lexicon.classify(posts.map((p) => p.text));
    logger.warn('Last receive: scored with the lexicon after the model failed', { posts: posts.length });
    return new Map(posts.map((post, i) => [post.postId, sentiments[i]]));
  } catch (error) {
    logger.error('Lexicon fallback failed', { error: errorMessage(error) });
    return new Map();
  }
}
