// Reading tables back in tests: every item, the results by postId, the aggregates' exactly-once bookkeeping
// (per-record markers, per-shard checkpoints).
import { scanItems } from '../../src/aws/dynamodb.js';
import { markerKey, shardCheckpointKey } from '../../src/domain/aggregation.js';
import { APPLIED_THROUGH } from '../../src/aws/fenced-transaction.js';
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

const MARKER_PK_PREFIX = markerKey('').pk;
const CHECKPOINT_PK_PREFIX = shardCheckpointKey('', '').pk;

export async function countMarkers(table: string): Promise<number> {
  return (await readAll<{ pk: string }>(table)).filter((item) => item.pk.startsWith(MARKER_PK_PREFIX)).length;
}

/** The shard checkpoints: shard id -> the sequence number (as sequenceOrder() gives it) applied through. */
export async function readCheckpoints(table: string): Promise<Map<string, string>> {
  const checkpoints = new Map<string, string>();
  for (const item of await readAll<{ pk: string }>(table))
    if (item.pk.startsWith(CHECKPOINT_PK_PREFIX))
      checkpoints.set(
        item.pk.slice(CHECKPOINT_PK_PREFIX.length),
        String((item as Record<string, unknown>)[APPLIED_THROUGH]),
      );
  return checkpoints;
}
