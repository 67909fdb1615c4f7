// The aggregates table read back and checked against a recount of the results table, for every test
// that needs it. Field lists come from the domain (COUNTER_FIELDS), so a new label needs no change here.
import assert from 'node:assert/strict';
import { scanItems } from '../../src/aws/dynamodb.js';
import {
  COUNT_FIELDS,
  decodeAggregateRow,
  keyId,
  recount,
  sequenceOrder,
  zeroCounters,
  type Counters,
} from '../../src/domain/aggregation.js';
import type { Fence } from '../../src/domain/aggregate-batch.js';
import { CountedResultSchema } from '../../src/domain/results.js';
import type { DeliveredBatch } from '../../src/event-sources/stream-event-source.js';
import { countMarkers, readCheckpoints, readResults } from './tables.js';

/** An aggregate item as stored: its key and counters (plus whatever else the item holds). */
export type StoredAggregate = Counters & { pk: string; sk: string; [attribute: string]: unknown };

/** The counter items of the aggregates table (markers left out), by keyId. */
export async function readAggregates(table: string): Promise<Map<string, StoredAggregate>> {
  const rows = new Map<string, StoredAggregate>();
  for await (const item of scanItems(table)) {
    const row = decodeAggregateRow(item);
    if (row) rows.set(keyId(row.key), { ...item, ...row.counters, ...row.key });
  }
  return rows;
}

/** Counters equal: whole counts exactly, the score sum up to rounding. */
export function assertCountersEqual(actual: Counters, expected: Counters, what: string): void {
  for (const field of COUNT_FIELDS) assert.equal(actual[field], expected[field], `${what} ${field}`);
  assert.ok(
    Math.abs(actual.scoreSum - expected.scoreSum) < 1e-9,
    `${what} scoreSum ${actual.scoreSum} vs recount ${expected.scoreSum}`,
  );
}

/**
 * The aggregates table equals a recount from the results table: same keys (an aggregate whose results
 * all moved away may remain at zero), same counters. `exclude`: results that cannot be counted (written
 * behind the pipeline's back by a test). Answers how many results were counted.
 */
export async function assertAggregatesMatchResults(
  resultsTable: string,
  aggregatesTable: string,
  options: { exclude?: Set<string> } = {},
): Promise<number> {
  const results = [...(await readResults(resultsTable)).values()]
    .filter((r) => !options.exclude?.has(r.postId))
    .map((r) => CountedResultSchema.parse(r));
  const expected = recount(results);
  const actual = await readAggregates(aggregatesTable);
  for (const [id, { counters }] of expected) {
    const row = actual.get(id);
    assert.ok(row, `aggregate ${id.replace('\u0000', ' ')} is missing`);
    assertCountersEqual(row, counters, id.replace('\u0000', ' '));
  }
  for (const [id, row] of actual) {
    if (!expected.has(id))
      assertCountersEqual(
        row,
        zeroCounters(),
        `aggregate ${id.replace('\u0000', ' ')} counts results that do not exist:`,
      );
  }
  return results.length;
}

/** What each shard's checkpoint must say once everything delivered is applied: its highest sequence number. */
export function lastSequencePerShard(history: readonly DeliveredBatch[]): Map<string, string> {
  const last = new Map<string, string>();
  for (const { event } of history) {
    const { shardId } = event as { shardId?: string };
    assert.ok(shardId, 'the mapping names the shard, as a tumbling-window mapping does');
    for (const record of event.Records) {
      const sequence = sequenceOrder(record.dynamodb?.SequenceNumber) ?? '';
      if (sequence > (last.get(shardId) ?? '')) last.set(shardId, sequence);
    }
  }
  return last;
}

/**
 * The exactly-once bookkeeping a run left behind: under the checkpoint fence one checkpoint per shard at
 * its last delivered record and no markers; under the markers fence one marker per stream record.
 */
export async function assertFenceBookkeeping(
  table: string,
  fence: Fence,
  expected: { history: readonly DeliveredBatch[]; records: number },
): Promise<void> {
  if (fence === 'markers') {
    assert.equal(await countMarkers(table), expected.records, 'one marker per stream record');
    assert.equal((await readCheckpoints(table)).size, 0, 'no checkpoints');
    return;
  }
  assert.equal(await countMarkers(table), 0, 'no per-record markers: each event names its shard');
  assert.deepEqual(
    await readCheckpoints(table),
    lastSequencePerShard(expected.history),
    'one checkpoint per shard, at its last record',
  );
}
