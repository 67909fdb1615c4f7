// The producer: stores posts in the posts table and enqueues their IDs for classification.
// A post is enqueued only once it is stored (so the classifier finds it), and every row that is not
// stored and enqueued comes back in the summary with its reason.
import { batchGetByKey, batchWriteItems } from '../aws/dynamodb.js';
import { sendMessages } from '../aws/sqs.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from '../aws/backoff.js';
import { TABLES } from '../resources.js';
import { encodePostMessage } from '../domain/messages.js';
import { validatePostInput, type Post } from '../domain/posts.js';
import { SourceRow } from './post-files.js';

export { readPostsFile, readJsonl, readCsv, SourceRow, formatOf } from './post-files.js';

export interface RowProblem {
  /** Line in the file (SourceRow input) or 1-based position in the input. */
  row: number;
  postId?: string;
  reason: string;
}

export interface IngestSummary {
  /** Rows read from the input. */
  read: number;
  /** Posts written to the posts table. */
  stored: number;
  /** Post IDs sent to the classify queue. */
  enqueued: number;
  /** Rows that are not valid posts (missing postId/text, wrong types, bad createdAt, duplicates...). */
  rejected: RowProblem[];
  /** Valid posts that could not be stored or enqueued (AWS errors after retries); re-run to retry them. */
  failed: RowProblem[];
  /** The failed posts that are stored but not enqueued: resendPosts() (`ingest --resend`) enqueues just these. */
  notEnqueued: string[];
}

export interface IngestProgress {
  read: number;
  stored: number;
  enqueued: number;
  rejected: number;
  failed: number;
  /** Bytes of the input file read, when the rows come from readPostsFile. */
  bytesRead?: number;
}

export interface IngestOptions {
  postsTable: string;
  queueUrl: string;
  onProgress?: (progress: IngestProgress) => void;
  /** Posts written and enqueued per round. Default 500. */
  chunkSize?: number;
  /**
   * How long a batch call is retried, with backoff and jitter, while throttled or failing (whole calls
   * included) before its posts are reported as failed. Default 60 s: long enough to ride out throttling.
   */
  maxRetryMs?: number;
  now?: () => Date;
  /**
   * The rows come ordered by postId (a PostgreSQL source read in id order): a duplicate can only follow its first
   * row, so only the previous postId is remembered and memory stays flat however many rows there are.
   */
  orderedByPostId?: boolean;
  /**
   * Called after each round, when every row read so far is stored and enqueued, rejected or failed (a checkpoint
   * for --resume). Awaited before the next row is read.
   */
  onRound?: (summary: Readonly<IngestSummary>) => void | Promise<void>;
}

/** Default of IngestOptions.maxRetryMs. */
export const DEFAULT_MAX_RETRY_MS = 60_000;

function producerBackoff(maxRetryMs = DEFAULT_MAX_RETRY_MS): BackoffOptions {
  return { ...DEFAULT_BACKOFF, retryForMs: maxRetryMs };
}

type Pending = { row: number; post: Post };

/** The row each postId was first seen at: all of them, or only the last one for input ordered by postId. */
class FirstRows {
  private readonly rows = new Map<string, number>();
  constructor(private readonly ordered: boolean) {}

  get(postId: string): number | undefined {
    return this.rows.get(postId);
  }

  set(postId: string, row: number): void {
    if (this.ordered) this.rows.clear();
    this.rows.set(postId, row);
  }
}

/**
 * Ingests rows (plain objects, or SourceRows from readPostsFile): validates each, writes the posts with
 * BatchWriteItem (25 a call) and enqueues their IDs with SendMessageBatch (10 a call), both retrying
 * partial failures with backoff. A postId seen twice in one input keeps its first row.
 */
export async function ingestPosts(
  rows: Iterable<unknown> | AsyncIterable<unknown>,
  options: IngestOptions,
): Promise<IngestSummary> {
  const summary: IngestSummary = { read: 0, stored: 0, enqueued: 0, rejected: [], failed: [], notEnqueued: [] };
  const backoff = producerBackoff(options.maxRetryMs);
  const chunkSize = options.chunkSize ?? 500;
  const now = options.now ?? (() => new Date());
  const firstRowOf = new FirstRows(options.orderedByPostId ?? false);
  let pending: Pending[] = [];
  let bytesRead: number | undefined;

  const report = () =>
    options.onProgress?.({
      read: summary.read,
      stored: summary.stored,
      enqueued: summary.enqueued,
      rejected: summary.rejected.length,
      failed: summary.failed.length,
      bytesRead,
    });

  const flush = async () => {
    const batch = pending;
    pending = [];
    if (batch.length > 0) {
      const stored = await storePosts(options.postsTable, batch, summary, backoff);
      await enqueuePosts(options.queueUrl, stored, now(), summary, backoff);
      report();
    }
    await options.onRound?.(summary);
  };

  for await (const input of rows) {
    summary.read++;
    const source = input instanceof SourceRow ? input : new SourceRow(summary.read, input);
    if (input instanceof SourceRow) bytesRead = input.bytesRead;
    if (source.error !== undefined) {
      summary.rejected.push({ row: source.line, reason: source.error });
      continue;
    }
    const validation = validatePostInput(source.value);
    if (!validation.ok) {
      const postId = (source.value as { postId?: unknown } | null)?.postId;
      summary.rejected.push({
        row: source.line,
        postId: typeof postId === 'string' ? postId : undefined,
        reason: validation.reason,
      });
      continue;
    }
    const { post } = validation;
    const first = firstRowOf.get(post.postId);
    if (first !== undefined) {
      summary.rejected.push({
        row: source.line,
        postId: post.postId,
        reason: `duplicate postId (first at row ${first}; that row is kept)`,
      });
      continue;
    }
    firstRowOf.set(post.postId, source.line);
    pending.push({ row: source.line, post: { ...post, ingestedAt: now().toISOString() } });
    if (pending.length >= chunkSize) await flush();
    else if (summary.read % 1000 === 0) report();
  }
  await flush();
  report();
  return summary;
}

async function storePosts(
  table: string,
  batch: Pending[],
  summary: IngestSummary,
  backoff: BackoffOptions,
): Promise<Pending[]> {
  const failures = await batchWriteItems(
    table,
    batch.map(({ post }) => post),
    backoff,
  );
  const failedIds = new Map(failures.map(({ item, error }) => [String(item.postId), error]));
  const stored: Pending[] = [];
  for (const entry of batch) {
    const error = failedIds.get(entry.post.postId);
    if (error === undefined) stored.push(entry);
    else summary.failed.push({ row: entry.row, postId: entry.post.postId, reason: `not stored: ${error}` });
  }
  summary.stored += stored.length;
  return stored;
}

async function enqueuePosts(
  queueUrl: string,
  stored: Pending[],
  enqueuedAt: Date,
  summary: IngestSummary,
  backoff: BackoffOptions,
): Promise<void> {
  const messages = stored.map(({ post }) => ({
    body: encodePostMessage(post.postId, { source: post.source, enqueuedAt: enqueuedAt.toISOString() }),
  }));
  const failures = await sendMessages(queueUrl, messages, backoff);
  for (const { index, error } of failures) {
    const { row, post } = stored[index];
    summary.failed.push({ row, postId: post.postId, reason: `stored but not enqueued: ${error}` });
    summary.notEnqueued.push(post.postId);
  }
  summary.enqueued += stored.length - failures.length;
}

export interface ResendSummary {
  /** Post IDs asked for (duplicates removed). */
  requested: number;
  enqueued: number;
  /** Not in the posts table: these need their rows ingested again, not a resend. */
  missing: string[];
  /** Could not be read or enqueued, with the reason. */
  failed: Array<{ postId: string; reason: string }>;
}

/**
 * Enqueues stored posts again by ID (the ones an ingest reported stored but not enqueued). Each post is
 * read back from the posts table first, so only stored posts are sent and their source travels along.
 */
export async function resendPosts(
  postIds: Iterable<string>,
  options: Pick<IngestOptions, 'postsTable' | 'queueUrl' | 'maxRetryMs' | 'now'>,
): Promise<ResendSummary> {
  const ids = [...new Set(postIds)];
  const backoff = producerBackoff(options.maxRetryMs);
  const enqueuedAt = (options.now ?? (() => new Date()))().toISOString();
  const summary: ResendSummary = { requested: ids.length, enqueued: 0, missing: [], failed: [] };
  const lookup = await batchGetByKey(options.postsTable, TABLES.posts.partitionKey, ids, backoff);
  const found: Array<{ postId: string; source?: string }> = [];
  for (const postId of ids) {
    const reason = lookup.failed.get(postId);
    const item = lookup.found.get(postId);
    if (reason) summary.failed.push({ postId, reason: `not read: ${reason}` });
    else if (!item) summary.missing.push(postId);
    else found.push({ postId, source: typeof item.source === 'string' ? item.source : undefined });
  }
  const failures = await sendMessages(
    options.queueUrl,
    found.map(({ postId, source }) => ({ body: encodePostMessage(postId, { source, enqueuedAt }) })),
    backoff,
  );
  for (const { index, error } of failures)
    summary.failed.push({ postId: found[index].postId, reason: `not enqueued: ${error}` });
  summary.enqueued = found.length - failures.length;
  return summary;
}
