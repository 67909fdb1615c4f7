// Aggregation maths and the aggregates table's schema, written once: keys, counter fields, the update
// that adds a delta, and the decoder of a stored row all derive from LABELS and the key helpers here.
// Every result counts in two aggregates: its (source, day) and (all sources, day). A change of a result
// is a delta: subtract the old image, add the new one.
import { z } from 'zod';
import { LABELS } from './sentiment.js';
import type { CountedResult } from './results.js';

export interface AggregateKey {
  pk: string;
  sk: string;
}

/** Counter attributes of an aggregate item: how many results, the sum of their scores, and one per label. */
export const COUNTER_FIELDS = ['count', 'scoreSum', ...LABELS] as const;
export type CounterField = (typeof COUNTER_FIELDS)[number];
/** The counters that hold whole counts (everything but scoreSum): compared exactly, never up to rounding. */
export const COUNT_FIELDS = COUNTER_FIELDS.filter(
  (field): field is Exclude<CounterField, 'scoreSum'> => field !== 'scoreSum',
);

export type Counters = Record<CounterField, number>;

export interface AggregateDelta {
  key: AggregateKey;
  /** The source this aggregate is for; undefined for the all-sources aggregate. */
  source?: string;
  day: string;
  counters: Counters;
}

/**
 * "All sources", spelled one way: the `pk` of the all-sources aggregates. Source aggregates use
 * `SOURCE#<source>`, so no source can collide with it. In code the all-sources aggregate has `source`
 * undefined, and its item carries no `source` attribute.
 */
export const ALL_SOURCES_PK = 'ALL';
const SOURCE_PREFIX = 'SOURCE#';
const DAY_PREFIX = 'DAY#';
const MARKER_PREFIX = 'MARKER#';
const CHECKPOINT_PREFIX = 'CHECKPOINT#';

/** Query a source's days with `pk = SOURCE#<source>` and `sk BETWEEN DAY#<from> AND DAY#<to>`. */
export function sourceDayKey(source: string, day: string): AggregateKey {
  return { pk: `${SOURCE_PREFIX}${source}`, sk: `${DAY_PREFIX}${day}` };
}

export function allSourcesDayKey(day: string): AggregateKey {
  return { pk: ALL_SOURCES_PK, sk: `${DAY_PREFIX}${day}` };
}

/** The aggregate key of a (source, day), or of (all sources, day) when source is undefined. */
export function aggregateKey(source: string | undefined, day: string): AggregateKey {
  return source === undefined ? allSourcesDayKey(day) : sourceDayKey(source, day);
}

/** The `pk` prefix of every source aggregate (a Scan for all sources filters on it). */
export const SOURCE_PK_PREFIX = SOURCE_PREFIX;
/** `sk` of a day: range conditions on days compare these. */
export function daySortKey(day: string): string {
  return `${DAY_PREFIX}${day}`;
}

/** The idempotency marker of one stream record (lives in the aggregates table, expires by TTL). */
export function markerKey(eventId: string): AggregateKey {
  return { pk: `${MARKER_PREFIX}${eventId}`, sk: 'MARKER' };
}

/**
 * The checkpoint of one stream shard: the last sequence number applied from it. Shard ids are unique
 * within a stream, so the stream ARN is part of the key (a re-created stream starts afresh).
 */
export function shardCheckpointKey(streamArn: string, shardId: string): AggregateKey {
  return { pk: `${CHECKPOINT_PREFIX}${shardId}`, sk: streamArn };
}

/** The exactly-once bookkeeping (markers and shard checkpoints), as opposed to the aggregates themselves. */
export function isBookkeepingKey(key: AggregateKey): boolean {
  return key.pk.startsWith(MARKER_PREFIX) || key.pk.startsWith(CHECKPOINT_PREFIX);
}

/** Stream sequence numbers are decimal strings of up to 40 digits. */
const SEQUENCE_DIGITS = 40;

/**
 * A sequence number as a fixed-width string, so that string order (DynamoDB's `<` on strings, and
 * JavaScript's) is numeric order; undefined when it is not a stream sequence number.
 */
export function sequenceOrder(sequenceNumber: unknown): string | undefined {
  if (typeof sequenceNumber !== 'string' || !/^\d{1,40}$/.test(sequenceNumber)) return undefined;
  return sequenceNumber.padStart(SEQUENCE_DIGITS, '0');
}

/** A stable string for a key, to merge and compare aggregates. */
export function keyId(key: AggregateKey): string {
  return `${key.pk}\u0000${key.sk}`;
}

export function zeroCounters(): Counters {
  return Object.fromEntries(COUNTER_FIELDS.map((field) => [field, 0])) as Counters;
}

export function isZero(counters: Counters): boolean {
  return COUNTER_FIELDS.every((field) => counters[field] === 0);
}

/** target += counters, field by field. */
export function addCounters(target: Counters, counters: Counters): void {
  for (const field of COUNTER_FIELDS) target[field] += counters[field];
}

function addInto(target: Counters, result: CountedResult, sign: 1 | -1): void {
  target.count += sign;
  target[result.label] += sign;
  target.scoreSum += sign * result.score;
}

/** Adds (sign 1) or subtracts (sign -1) one result into a map of deltas keyed by keyId. */
function accumulate(deltas: Map<string, AggregateDelta>, result: CountedResult, sign: 1 | -1): void {
  for (const source of [result.source, undefined]) {
    const key = aggregateKey(source, result.day);
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
export function deltasForChange(
  oldResult: CountedResult | undefined,
  newResult: CountedResult | undefined,
): AggregateDelta[] {
  const deltas = new Map<string, AggregateDelta>();
  if (oldResult) accumulate(deltas, oldResult, -1);
  if (newResult) accumulate(deltas, newResult, 1);
  return [...deltas.values()].filter((delta) => !isZero(delta.counters));
}

/** Sums deltas per aggregate key (in first-seen order) and drops the sums that cancel out. */
export function mergeDeltas(deltas: Iterable<AggregateDelta>): AggregateDelta[] {
  const merged = new Map<string, AggregateDelta>();
  for (const delta of deltas) {
    const id = keyId(delta.key);
    const sum = merged.get(id);
    if (sum) addCounters(sum.counters, delta.counters);
    else merged.set(id, { ...delta, counters: { ...delta.counters } });
  }
  return [...merged.values()].filter((delta) => !isZero(delta.counters));
}

/** The aggregates computed from scratch from a set of results (checks, repairs and tests). */
export function recount(results: Iterable<CountedResult>): Map<string, AggregateDelta> {
  const totals = new Map<string, AggregateDelta>();
  for (const result of results) accumulate(totals, result, 1);
  return totals;
}

/** One aggregate as stored: its key, scope, day and counters. */
export type AggregateRow = AggregateDelta;

const CounterValues = z.object(
  Object.fromEntries(COUNTER_FIELDS.map((field) => [field, z.number().finite().default(0)])) as Record<
    CounterField,
    z.ZodDefault<z.ZodNumber>
  >,
);

/**
 * Reads an item of the aggregates table: an AggregateRow for a (source, day) or (all sources, day) item,
 * undefined for anything else (idempotency markers). Scope and day come from the key, never from the
 * informational attributes. Throws when an aggregate item's counters are not numbers.
 */
export function decodeAggregateRow(item: Record<string, unknown>): AggregateRow | undefined {
  const key = { pk: String(item.pk), sk: String(item.sk) };
  if (!key.sk.startsWith(DAY_PREFIX)) return undefined;
  const day = key.sk.slice(DAY_PREFIX.length);
  let source: string | undefined;
  if (key.pk.startsWith(SOURCE_PREFIX)) source = key.pk.slice(SOURCE_PREFIX.length);
  else if (key.pk !== ALL_SOURCES_PK) return undefined;
  const parsed = CounterValues.safeParse(item);
  if (!parsed.success)
    throw new Error(
      `aggregate ${key.pk} ${key.sk}: ` +
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  return { key, source, day, counters: parsed.data as Counters };
}

/** Attribute names of the informational (non-counter) attributes every aggregate item carries. */
const INFO_ATTRIBUTES = { day: 'day', source: 'source', updatedAt: 'updatedAt' } as const;

export interface CounterUpdate {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * The UpdateExpression of one aggregate item: `add` adds the delta's counters to what is stored (the
 * stream path), `set` overwrites them (a rebuild from a recount). Both set day, source (source items
 * only) and updatedAt. Derived from COUNTER_FIELDS: a new label needs no change here.
 */
export function counterUpdateExpression(
  delta: AggregateDelta,
  updatedAt: Date,
  mode: 'add' | 'set' = 'add',
): CounterUpdate {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const counterParts = COUNTER_FIELDS.map((field, i) => {
    names[`#c${i}`] = field;
    values[`:c${i}`] = delta.counters[field];
    return mode === 'add' ? `#c${i} :c${i}` : `#c${i} = :c${i}`;
  });
  const info: Array<[keyof typeof INFO_ATTRIBUTES, unknown]> = [
    ['day', delta.day],
    ['updatedAt', updatedAt.toISOString()],
  ];
  if (delta.source !== undefined) info.push(['source', delta.source]);
  const infoParts = info.map(([attribute, value]) => {
    names[`#${attribute}`] = INFO_ATTRIBUTES[attribute];
    values[`:${attribute}`] = value;
    return `#${attribute} = :${attribute}`;
  });
  const UpdateExpression =
    mode === 'add'
      ? `ADD ${counterParts.join(', ')} SET ${infoParts.join(', ')}`
      : `SET ${[...counterParts, ...infoParts].join(', ')}`;
  return { UpdateExpression, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

/** The whole item of an aggregate (a Put that replaces it, e.g. a rebuild). */
export function aggregateItem(row: AggregateRow, updatedAt: Date): Record<string, unknown> {
  return {
    ...row.key,
    ...row.counters,
    day: row.day,
    updatedAt: updatedAt.toISOString(),
    ...(row.source !== undefined ? { source: row.source } : {}),
  };
}
