// Scoring a batch's posts: one model call for all of them first; the posts a failed call left unscored (a
// model that failed to load or answer, or one model of a routed batch) are tried again within the invocation,
// in halves, so one failed call does not fail the posts around it. While halves keep succeeding the failing
// ones are split further, down to the one text that breaks the model; when every call of a round fails (the
// model is down), it stops after MODEL_ATTEMPTS rounds. Always within the invocation's time budget.
import type { Classifier, Sentiment } from '../domain/sentiment.js';
import type { StoredPost } from '../domain/posts.js';
import { truncateDetail } from '../domain/messages.js';
import { PartialScoringError } from '../classifier/batch.js';
import { errorMessage } from '../errors.js';
import { MetricName, MetricUnit, logger, metrics } from '../observability.js';
import type { TimeBudget } from './time-budget.js';

/** Rounds when no call succeeds: the whole batch, then its failed posts in halves, twice. */
export const MODEL_ATTEMPTS = 3;

export interface Scoring {
  sentiments: Map<string, Sentiment>;
  /** Posts still unscored, with the last error. */
  failed: Map<string, string>;
  /** The batch classifier's model id, once one loaded. */
  modelId?: string;
}

export async function scorePosts(
  posts: ReadonlyMap<string, StoredPost>,
  loadClassifier: () => Promise<Classifier>,
  budget: TimeBudget,
): Promise<Scoring> {
  const scoring: Scoring = { sentiments: new Map(), failed: new Map() };
  const timing = { ms: 0, posts: 0, slowestMs: 0 };
  let groups = posts.size > 0 ? [[...posts.keys()]] : [];
  // Enough rounds to halve a batch down to single posts.
  const maxRounds = MODEL_ATTEMPTS + Math.ceil(Math.log2(Math.max(1, posts.size)));
  for (let round = 1; groups.length > 0; round++) {
    const unscored: string[][] = [];
    let someScored = false;
    for (const ids of groups) {
      const started = performance.now();
      const call = await scoreOnce(ids, posts, loadClassifier);
      const elapsed = performance.now() - started;
      timing.slowestMs = Math.max(timing.slowestMs, elapsed);
      if (call.sentiments.size > 0) {
        timing.ms += elapsed;
        timing.posts += ids.length;
      }
      scoring.modelId ??= call.modelId;
      if (call.sentiments.size > 0) someScored = true;
      for (const [id, sentiment] of call.sentiments) {
        scoring.sentiments.set(id, sentiment);
        scoring.failed.delete(id);
      }
      const left = ids.filter((id) => !call.sentiments.has(id));
      for (const id of left) scoring.failed.set(id, call.error ?? 'not scored');
      if (left.length > 0) unscored.push(left);
    }
    const narrowing = someScored && unscored.some((ids) => ids.length > 1);
    if (round >= maxRounds || (round >= MODEL_ATTEMPTS && !narrowing)) break;
    if (budget.leftMs() < 2 * timing.slowestMs) break;
    groups = unscored.flatMap(halves);
  }
  if (timing.posts > 0)
    metrics.addMetric(MetricName.InferenceMsPerPost, MetricUnit.Milliseconds, timing.ms / timing.posts);
  const lexicon = [...scoring.sentiments.values()].filter((s) => s.method === 'lexicon').length;
  metrics.addMetric(MetricName.LexiconFallbackPosts, MetricUnit.Count, lexicon);
  if (scoring.failed.size > 0)
    logger.error('Model calls failed; those posts will be retried', {
      posts: scoring.failed.size,
      error: [...scoring.failed.values()][0],
    });
  return scoring;
}

/** One call for `ids`: what it scored (all, none, or the part a routed batch's working model scored). */
async function scoreOnce(
  ids: string[],
  posts: ReadonlyMap<string, StoredPost>,
  loadClassifier: () => Promise<Classifier>,
): Promise<{ sentiments: Map<string, Sentiment>; modelId?: string; error?: string }> {
  const sentiments = new Map<string, Sentiment>();
  let modelId: string | undefined;
  try {
    const classifier = await loadClassifier();
    modelId = classifier.modelId;
    let answers: ReadonlyArray<Sentiment | undefined>;
    let partFailed: unknown;
    try {
      answers = await classifier.classify(ids.map((id) => posts.get(id)!.text));
    } catch (error) {
      if (!(error instanceof PartialScoringError)) throw error;
      answers = error.answers as ReadonlyArray<Sentiment | undefined>;
      partFailed = error.cause;
    }
    if (!Array.isArray(answers) || answers.length !== ids.length) {
      throw new Error(
        `classifier answered ${Array.isArray(answers) ? answers.length : typeof answers} sentiments ` +
          `for ${ids.length} texts`,
      );
    }
    answers.forEach((sentiment, i) => sentiment && sentiments.set(ids[i], sentiment));
    if (partFailed === undefined) return { sentiments, modelId };
    return { sentiments, modelId, error: truncateDetail(errorMessage(partFailed)) };
  } catch (error) {
    logger.warn('Model call failed', { error: errorMessage(error), posts: ids.length });
    return { sentiments: new Map(), modelId, error: truncateDetail(errorMessage(error)) };
  }
}

function halves(ids: string[]): string[][] {
  if (ids.length < 2) return [ids];
  const middle = Math.ceil(ids.length / 2);
  return [ids.slice(0, middle), ids.slice(middle)];
}
