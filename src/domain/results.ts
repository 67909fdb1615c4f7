// A scored post as the results table stores it (one item per postId, replaced when another model rescores it).
import { z } from 'zod';
import { LABELS, type Sentiment } from './sentiment.js';
import { UNKNOWN_SOURCE, dayOf, type StoredPost } from './posts.js';

export interface ResultItem {
  postId: string;
  label: Sentiment['label'];
  score: number;
  probabilities: Sentiment['probabilities'];
  modelId: string;
  method: Sentiment['method'];
  flags: Sentiment['flags'];
  source: string;
  /** UTC day of the post's createdAt, YYYY-MM-DD. */
  day: string;
  createdAt: string;
  classifiedAt: string;
}

export function buildResult(post: StoredPost, sentiment: Sentiment, classifiedAt: Date): ResultItem {
  return {
    postId: post.postId,
    label: sentiment.label,
    score: sentiment.score,
    probabilities: sentiment.probabilities,
    modelId: sentiment.modelId,
    method: sentiment.method,
    flags: sentiment.flags,
    source: post.source ?? UNKNOWN_SOURCE,
    day: dayOf(post.createdAt),
    createdAt: post.createdAt,
    classifiedAt: classifiedAt.toISOString(),
  };
}

/** The part of a result the aggregates depend on; validated on every stream image before counting it. */
export const CountedResultSchema = z.object({
  postId: z.string().min(1),
  label: z.enum(LABELS),
  score: z.number().min(-1).max(1),
  source: z.string().min(1),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'day must be YYYY-MM-DD'),
});

export type CountedResult = z.infer<typeof CountedResultSchema>;

/** The part of a result the PostgreSQL sink writes. */
export const SinkResultSchema = z.object({
  postId: z.string().min(1),
  label: z.enum(LABELS),
  score: z.number().min(-1).max(1),
  modelId: z.string().min(1),
  classifiedAt: z.string().min(1),
});

/**
 * Whether a stored result already answers a queue message sent at `sentAt`: it was classified after the
 * message was sent, or by one of `currentModels` (not the lexicon fallback, which `rescore` brings back).
 * A message failing on its last receive whose post has such a result is a duplicate, not a post to dead-letter.
 */
export function answersMessage(
  stored: Record<string, unknown>,
  sentAt: Date | undefined,
  currentModels: ReadonlySet<string>,
): boolean {
  const classifiedAt = typeof stored.classifiedAt === 'string' ? Date.parse(stored.classifiedAt) : Number.NaN;
  if (sentAt && classifiedAt >= sentAt.getTime()) return true;
  return stored.method !== 'lexicon' && typeof stored.modelId === 'string' && currentModels.has(stored.modelId);
}
