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
const optionalString = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((v) => v ?? undefined);

/** A day is YYYY-MM-DD: the UTC year of a post must have four digits (results, aggregate keys, reports). */
export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;

/**
 * PostgreSQL's timestamptz text (`2026-11-20 13:11:04.861168+00`, what `\copy ... csv` writes with the default
 * DateStyle): a space for the `T`, an offset of hours alone or without its colon.
 */
const POSTGRES_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|([+-]\d{2})(?::?(\d{2}))?)$/;

/** ISO 8601 for PostgreSQL's timestamptz text (offset as ±HH:MM); any other text unchanged (the schema judges it). */
export function fromPostgresTimestamp(value: string): string {
  const match = POSTGRES_TIMESTAMP.exec(value);
  if (!match) return value;
  const [, date, time, zone, hours, minutes] = match;
  return `${date}T${time}${zone === 'Z' ? 'Z' : `${hours}:${minutes ?? '00'}`}`;
}

const CREATED_AT_FORMAT = 'createdAt must be an ISO 8601 date-time with Z or an offset';

/**
 * ISO 8601 date-time with Z or an offset (a local time is ambiguous), or PostgreSQL's timestamptz text, normalised
 * to UTC `...Z`. Its UTC year must be 0001..9999: `9999-12-31T23:30-05:00` is year 10000 in UTC and has no
 * YYYY-MM-DD day.
 */
export const CreatedAtSchema = z
  .string({ error: CREATED_AT_FORMAT })
  .transform(fromPostgresTimestamp)
  .pipe(z.iso.datetime({ offset: true, error: CREATED_AT_FORMAT }))
  .transform((value, context) => {
    const date = new Date(value);
    const year = date.getUTCFullYear();
    if (Number.isNaN(year)) {
      context.addIssue({ code: 'custom', message: `createdAt ${value} is not a real date-time` });
      return z.NEVER;
    }
    if (year < MIN_YEAR || year > MAX_YEAR) {
      context.addIssue({
        code: 'custom',
        message: `createdAt ${value} is in UTC year ${year}; the year must be 0001..9999 (a post's day is YYYY-MM-DD)`,
      });
      return z.NEVER;
    }
    return date.toISOString();
  });

const PostTextSchema = z
  .string()
  .min(1, 'text must not be empty')
  .max(MAX_TEXT_LENGTH, `text must be at most ${MAX_TEXT_LENGTH} characters`);
const SourceSchema = z
  .string()
  .min(1)
  .max(256)
  .nullish()
  .transform((v) => v ?? UNKNOWN_SOURCE);

/** One input row (JSONL object or CSV record). Unknown extra fields are kept with the post. */
export const PostInputSchema = z.looseObject({
  postId: PostIdSchema,
  text: PostTextSchema,
  createdAt: CreatedAtSchema,
  source: SourceSchema,
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

/**
 * The fields the classifier needs from a stored post, checked with the very schemas ingest used, so a
 * post ingest accepted is never dead-lettered as invalid-post (createdAt is stored normalised and parses
 * again). Anything else stored is ignored.
 */
export const StoredPostSchema = z.object({
  postId: PostIdSchema,
  text: PostTextSchema,
  createdAt: CreatedAtSchema,
  source: SourceSchema,
});

/** A stored post as the classifier uses it (source may be absent: it defaults to unknown). */
export type StoredPost = z.input<typeof StoredPostSchema>;

/** The post's day, UTC, as YYYY-MM-DD (the aggregation bucket). */
export function dayOf(createdAt: string): string {
  const date = new Date(createdAt);
  if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${createdAt}`);
  return date.toISOString().slice(0, 10);
}
