// Aggregation maths and aggregate-table keys. Every result counts in two aggregates: its (source, day)
// and (all sources, day). A change of a result is a delta: subtract the old image, add the new one.
import { LABELS, type Label } from './sentiment.js';
import type { CountedResult } from './results.js';

export interface AggregateKey {
  pk: string;
  sk: string;
}

/** Counters kept per aggregate: how many results, how many per label, and the sum of their scores. */
export type Counters = { count: number; scoreSum: number } & Record<Label, number>;

export interface AggregateDelta {
  key: AggregateKey;
  /** The source this aggregate is for; undefined for the all-sources aggregate. */
  source?: string;
  day: string;
  counters: Counters;
}

/** `pk` of the all-sources aggregates. Source aggregates use `SOURCE#<source>`, so no source can collide with it. */
export const ALL_SOURCES_PK = 'ALL';
const SOURCE_PREFIX = 'SOURCE#';
const DAY_PREFIX = 'DAY#';
const MARKER_PREFIX = 'MARKER#';

/** Query a source's days with `pk = SOURCE#<source>` and `sk BETWEEN DAY#<from> AND DAY#<to>`. */
export function sourceDayKey(source: string, day: string): AggregateKey {
  return { pk: `${SOURCE_PREFIX}${source}`, sk: `${DAY_PREFIX}${day}` };
}

export function allSourcesDayKey(day: string): AggregateKey {
  return { pk: ALL_SOURCES_PK, sk: `${DAY_PREFIX}${day}` };
}

/** The idempotency marker of one stream record (lives in the aggregates table, expires by TTL). */
export function markerKey(eventId: string): AggregateKey {
  return { pk: `${MARKER_PREFIX}${eventId}`, sk: 'MARKER' };
}

export function isMarkerKey(key: AggregateKey): boolean {
  return key.pk.startsWith(MARKER_PREFIX);
}

/** A stable string for a key, to merge and compare aggregates. */
export function keyId(key: AggregateKey): string {
  return `${key.pk}\u0000${key.sk}`;
}

export function zeroCounters(): Counters {
  return { count: 0, scoreSum: 0, negative: 0, neutral: 0, positive: 0 };
}

function isZero(counters: Counters): boolean {
  return counters.count === 0 && counters.scoreSum === 0 && LABELS.every((label) => counters[label] === 0);
}

function addInto(target: Counters, result: CountedResult, sign: 1 | -1): void {
  target.count += sign;
  target[result.label] += sign;
  target.scoreSum += sign * result.score;
}

/** Adds (sign 1) or subtracts (sign -1) one result into a map of deltas keyed by keyId. */
function accumulate(deltas: Map<string, AggregateDelta>, result: CountedResult, sign: 1 | -1): void {
  const targets: Array<{ key: AggregateKey; source?: string }> = [
    { key: sourceDayKey(result.source, result.day), source: result.source },
    { key: allSourcesDayKey(result.day) },
  ];
  for (const { key, source } of targets) {
    const id = keyId(key);
    let delta = deltas.get(id);
    if (!delta) {
      delta = { key, source, day: result.day, counters: zeroCounters() };
      deltas.set(id, delta);
    }
    addInto(delta.counters, result, sign);
  }
}

/**
 * The aggregate changes one stream record causes: INSERT (new only), MODIFY (old and new), REMOVE (old only).
 * Deltas are merged per aggregate key (a DynamoDB transaction may touch an item once) and deltas that
 * cancel out entirely are dropped, so a rescore that changes nothing the aggregates see writes nothing.
 */
export function deltasForChange(oldResult: CountedResult | undefined, newResult: CountedResult | undefined): AggregateDelta[] {
  const deltas = new Map<string, AggregateDelta>();
  if (oldResult) accumulate(deltas, oldResult, -1);
  if (newResult) accumulate(deltas, newResult, 1);
  return [...deltas.values()].filter((delta) => !isZero(delta.counters));
}

/** The aggregates computed from scratch from a set of results (checks, repairs and tests). */
export function recount(results: Iterable<CountedResult>): Map<string, AggregateDelta> {
  const totals = new Map<string, AggregateDelta>();
  for (const result of results) accumulate(totals, result, 1);
  return totals;
}
