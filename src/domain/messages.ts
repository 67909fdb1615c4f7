// The classify queue's message: what producers send and what the classify Lambda accepts.
// Versioned so the format can evolve: a consumer rejects versions it does not know (they go to the DLQ
// with a reason) instead of guessing. Exported for the README's schema documentation.
import { z } from 'zod';

export const POST_MESSAGE_VERSION = 1;

/** DynamoDB allows 2,048-byte partition keys; we keep IDs far shorter and free of control characters. */
export const MAX_POST_ID_LENGTH = 512;

export const PostIdSchema = z
  .string()
  .min(1, 'postId must not be empty')
  .max(MAX_POST_ID_LENGTH, `postId must be at most ${MAX_POST_ID_LENGTH} characters`)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'postId must not contain control characters')
  .refine((id) => id.trim() === id, 'postId must not have leading or trailing whitespace');

/**
 * Version 1 of the classify queue message body (JSON):
 * `{ "v": 1, "postId": "abc", "source": "twitter", "enqueuedAt": "2024-05-01T12:00:00.000Z" }`.
 * Only `v` and `postId` are required; the post itself is read from the posts table. Unknown extra fields
 * are ignored (a producer may add fields without breaking consumers); a different `v` is rejected.
 */
export const PostMessageSchema = z.object({
  v: z.literal(POST_MESSAGE_VERSION),
  postId: PostIdSchema,
  /** Informational (logs); the results use the source stored with the post. */
  source: z.string().min(1).max(256).optional(),
  /** When the producer enqueued the message (ISO 8601), for latency tracking. */
  enqueuedAt: z.iso.datetime({ offset: true }).optional(),
});

export type PostMessage = z.infer<typeof PostMessageSchema>;

/** The message schema as JSON Schema (for the README and for producers in other languages). */
export function postMessageJsonSchema(): Record<string, unknown> {
  // io 'input': what a producer may send (unknown extra fields are allowed and ignored).
  return z.toJSONSchema(PostMessageSchema, { io: 'input' }) as Record<string, unknown>;
}

export type MessageRejection = { reason: 'not-json' | 'schema-invalid'; detail: string };
export type ParsedMessage = { ok: true; message: PostMessage } | ({ ok: false } & MessageRejection);

/** Longest failure detail kept: it travels as an SQS message attribute, which counts toward the size limit. */
const MAX_DETAIL = 1000;

export function truncateDetail(detail: string, max = MAX_DETAIL): string {
  return detail.length <= max ? detail : `${detail.slice(0, max - 1)}…`;
}

/** Parses and validates a queue message body. Never throws: a bad body is an answer, not an error. */
export function parsePostMessage(body: unknown): ParsedMessage {
  if (typeof body !== 'string')
    return { ok: false, reason: 'not-json', detail: `body is ${typeof body}, not a string` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: 'not-json', detail: truncateDetail((error as Error).message) };
  }
  const parsed = PostMessageSchema.safeParse(json);
  if (!parsed.success)
    return { ok: false, reason: 'schema-invalid', detail: truncateDetail(z.prettifyError(parsed.error)) };
  return { ok: true, message: parsed.data };
}

export function encodePostMessage(postId: string, extra: { source?: string; enqueuedAt?: string } = {}): string {
  const message: PostMessage = { v: POST_MESSAGE_VERSION, postId, ...extra };
  return JSON.stringify(message);
}
