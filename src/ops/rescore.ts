// Rescore: re-enqueue the posts whose stored result came from another model (or from the lexicon
// fallback). The classify function, deployed with MODEL_ID=<model>, scores them again and replaces the
// results; the aggregates follow through the stream's MODIFY records (old counts out, new counts in).
import { scanPages } from '../aws/dynamodb.js';
import { sendMessages } from '../aws/sqs.js';
import type { Config } from '../config.js';
import { LEXICON_MODEL_ID } from '../classifier/lexicon.js';
import { encodePostMessage } from '../domain/messages.js';
import type { QueueInfo } from './queues.js';

export interface RescoreOptions {
  /** The model that should have scored every post. */
  modelId: string;
  /**
   * Models whose results are current too: the routed models classify sends posts to by language. Without them,
   * every post routed there would be re-enqueued by every rescore, and scored by it again (an unchanged write).
   */
  alsoCurrent?: string[];
  /** Only posts whose day (UTC, YYYY-MM-DD) is on or after this one. */
  since?: string;
  /** Count, enqueue nothing. */
  dryRun?: boolean;
  onProgress?: (progress: RescoreResult) => void;
}

export interface RescoreResult {
  /** Results scanned (read by the scan, before the filter). */
  scanned: number;
  /** Posts that need the model (enqueued unless dry run). */
  matched: number;
  enqueued: number;
  failed: Array<{ postId: string; error: string }>;
  /** How many matched results each model or method produced. */
  byModel: Record<string, number>;
}

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The scan filter: results from another model, or from the lexicon fallback, optionally since a day. */
export function rescoreFilter(options: Pick<RescoreOptions, 'modelId' | 'alsoCurrent' | 'since'>) {
  const names: Record<string, string> = { '#modelId': 'modelId' };
  const values: Record<string, unknown> = { ':model': options.modelId };
  const notCurrent = ['#modelId <> :model'];
  (options.alsoCurrent ?? [])
    .filter((id) => id !== options.modelId)
    .forEach((id, i) => {
      values[`:current${i}`] = id;
      notCurrent.push(`#modelId <> :current${i}`);
    });
  let expression = notCurrent.length === 1 ? notCurrent[0] : `(${notCurrent.join(' AND ')})`;
  if (options.modelId !== LEXICON_MODEL_ID) {
    names['#method'] = 'method';
    values[':lexicon'] = 'lexicon';
    expression = `(${expression} OR #method = :lexicon)`;
  }
  if (options.since !== undefined) {
    names['#day'] = 'day';
    values[':since'] = options.since;
    expression += ' AND #day >= :since';
  }
  return { FilterExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

/**
 * Scans the results table (paginated, filtered server-side) and enqueues each page's posts with
 * SendMessageBatch as it goes, so memory stays flat however large the table is.
 */
export async function rescore(
  config: Config,
  queue: QueueInfo | undefined,
  options: RescoreOptions,
): Promise<RescoreResult> {
  if (options.since !== undefined && !DAY_PATTERN.test(options.since))
    throw new Error(`--since must be YYYY-MM-DD, got "${options.since}"`);
  if (!options.dryRun && !queue) throw new Error('no classify queue to enqueue to');
  const result: RescoreResult = { scanned: 0, matched: 0, enqueued: 0, failed: [], byModel: {} };
  const enqueuedAt = new Date().toISOString();
  const pages = scanPages({
    TableName: config.tables.results,
    ProjectionExpression: 'postId, #source, #modelId, #method',
    ...withProjectionNames(rescoreFilter(options)),
  });
  for await (const page of pages) {
    result.scanned += page.scannedCount;
    const items = page.items as Array<{ postId: string; source?: string; modelId?: string; method?: string }>;
    result.matched += items.length;
    for (const item of items) {
      const key = item.method === 'lexicon' ? `${item.modelId} (lexicon)` : String(item.modelId);
      result.byModel[key] = (result.byModel[key] ?? 0) + 1;
    }
    if (!options.dryRun && items.length > 0) {
      const messages = items.map((item) => ({
        body: encodePostMessage(item.postId, { source: item.source, enqueuedAt }),
      }));
      const failures = await sendMessages(queue!.url, messages);
      for (const { index, error } of failures) result.failed.push({ postId: items[index].postId, error });
      result.enqueued += items.length - failures.length;
    }
    options.onProgress?.(result);
  }
  return result;
}

/** `source` and `method` are DynamoDB reserved words: the projection names them through placeholders. */
function withProjectionNames(filter: ReturnType<typeof rescoreFilter>) {
  return {
    ...filter,
    ExpressionAttributeNames: {
      ...filter.ExpressionAttributeNames,
      '#source': 'source',
      '#modelId': 'modelId',
      '#method': 'method',
    },
  };
}
