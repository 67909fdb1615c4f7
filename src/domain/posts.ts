// A post as the producer accepts it and as the posts table stores it.
import { z } from 'zod';
import { PostIdSchema } from './messages.js';

/** Posts without a source are aggregated under this one. */
export const UNKNOWN_SOURCE = 'unknown';

/** Keeps a post well under DynamoDB's 400 KB item limit even in 4-byte UTF-8. */
export const MAX_TEXT_LENGTH = 50_000;
/** Upper bound for a whole post item (JSON size as an estimate of the DynamoDB item size). */
export const MAX_POST_BYTES = 350_000;

/** Optional string fields: null (common in exports) counts as absent; any other non-string is a wrong type. */
const optionalString = (max: number) => z.string().max(max).nullish().transform((v) => v ?? undefined);

/** ISO 8601 date-time with Z or an offset (a local time is ambiguous), normalised to UTC `...Z`. */
export const CreatedAtSchema = z
  .iso.datetime({ offset: true, error: 'createdAt must be an ISO 8601 date-time with Z or an offset' })
  .transform((value) => new Date(value).toISOString());

/** One input row (JSONL object or CSV record). Unknown extra fields are kept with the post. */
export const PostInputSchema = z.looseObject({
  postId: PostIdSchema,
  text: z.string().min(1, 'text must not be empty').max(MAX_TEXT_LENGTH, `text must be at most ${MAX_TEXT_LENGTH} characters`),
  createdAt: CreatedAtSchema,
  source: z.string().min(1).max(256).nullish().transform((v) => v ?? UNKNOWN_SOURCE),
  author: optionalString(1024),
  url: optionalString(4096),
});

export type PostInput = z.infer<typeof PostInputSchema>;

/** What the posts table holds. */
export type Post = PostInput & { ingestedAt: string };

export type PostValidation = { ok: true; post: PostInput } | { ok: false; reason: string };

/** Validates one input row, answering every problem in one reason string (never throws). */
export function validatePostInput(row: unknown): PostValidation {
  const parsed = PostInputSchema.safeParse(row);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .map((issue) => `${issue.path.length ? issue.path.join('.') : 'row'}: ${issue.message}`)
      .join('; ');
    return { ok: false, reason };
  }
  const bytes = Buffer.byteLength(JSON.stringify(parsed.data));
  if (bytes > MAX_POST_BYTES) return { ok: false, reason: `row: post is ${bytes} bytes, more than ${MAX_POST_BYTES}` };
  return { ok: true, post: parsed.data };
}

/** The fields the classifier needs from a stored post; anything else stored is ignored. */
export const StoredPostSchema = z.object({
  postId: z.string(),
  text: z.string(),
  createdAt: CreatedAtSchema,
  source: z.string().min(1).optional(),
});

export type StoredPost = z.infer<typeof StoredPostSchema>;

/** The post's day, UTC, as YYYY-MM-DD (the aggregation bucket). */
export function dayOf(createdAt: string): string {
  const date = new Date(createdAt);
  if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${createdAt}`);
  return date.toISOString().slice(0, 10);
}
