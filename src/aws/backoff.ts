// Exponential backoff with full jitter, for the parts of AWS batch APIs the SDK does not retry itself
// (UnprocessedItems / UnprocessedKeys of BatchWriteItem / BatchGetItem, failed SendMessageBatch entries).

export interface BackoffOptions {
  /** Attempts in total, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { attempts: 8, baseMs: 50, maxMs: 5_000 };

/** Delay before retry number `retry` (1-based): random in [0, min(max, base * 2^retry)). */
export function backoffDelay(retry: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  return Math.random() * Math.min(options.maxMs, options.baseMs * 2 ** retry);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Splits a list into chunks of at most `size` items. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Runs `task` over items with at most `limit` running at once; results in input order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
