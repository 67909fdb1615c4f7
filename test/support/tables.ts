// Reading tables back in tests: every item, the results by postId, the aggregates' exactly-once markers.
import { scanItems } from '../../src/aws/dynamodb.js';
import { isMarkerKey } from '../../src/domain/aggregation.js';
import type { ResultItem } from '../../src/domain/results.js';

export async function readAll<T = Record<string, unknown>>(table: string): Promise<T[]> {
  const items: T[] = [];
  for await (const item of scanItems(table)) items.push(item as T);
  return items;
}

export async function readResults(table: string): Promise<Map<string, ResultItem>> {
  const results = new Map<string, ResultItem>();
  for await (const item of scanItems(table)) results.set(String(item.postId), item as unknown as ResultItem);
  return results;
}

export async function countMarkers(table: string): Promise<number> {
  return (await readAll<{ pk: string; sk: string }>(table)).filter((item) => isMarkerKey(item)).length;
}
