// Recount: rebuild the stored aggregates of a day range from the results table (after stream records were
// lost to the stream-failure queue, or to check the aggregates at all). Safe while the pipeline runs:
// 1. The stored aggregates are read first, then the results are scanned (a parallel Scan).
// 2. Each corrected item is written only if it is still exactly what step 1 read (a condition on every
//    attribute, updatedAt and the counters included). If the aggregate handler wrote it in between, the
//    write is refused and that item is recounted again from a fresh read and scan (up to maxRounds).
// 3. What a condition cannot see is a stream record still in flight: its result is in the scan, its delta
//    not yet in the aggregate, and applying it after the recount would count it twice. So an item is only
//    written when every result of its day was classified more than `settleSeconds` ago (the stream has had
//    that long to apply them); newer days are reported as not settled and left alone.
import {
  ALL_SOURCES_PK,
  SOURCE_PK_PREFIX,
  allSourcesDayKey,
  keyId,
  recount,
  sourceDayKey,
  zeroCounters,
  type AggregateKey,
  type Counters,
} from '../domain/aggregation.js';
import { counterDifferences, countersOf, type FieldDifference } from '../domain/aggregate-differences.js';
import { CountedResultSchema, type CountedResult } from '../domain/results.js';
import {
  approximateItemCount,
  queryRangeExact,
  scanInSegments,
  scanInSegmentsExact,
  updateIfUnchanged,
  type ReadItem,
} from '../aws/aggregates-table.js';
import type { Config } from '../config.js';
import { TABLES } from '../resources.js';
import { DAY_PATTERN } from './rescore.js';

export interface RecountOptions {
  /** First and last day (UTC, YYYY-MM-DD), inclusive. */
  from: string;
  to: string;
  /** Only this source's aggregates (the all-sources ones need every source, so they are left alone). */
  source?: string;
  /** Report the differences, write nothing. */
  check?: boolean;
  /** Parallel Scan segments. Default 4. */
  segments?: number;
  /** Only days whose newest result is older than this are written. Default 15 minutes. */
  settleSeconds?: number;
  /** Recount rounds for items the pipeline wrote while they were being recounted. Default 3. */
  maxRounds?: number;
  now?: () => Date;
  onProgress?: (progress: ScanProgress) => void;
  /** Called just before each conditional write (tests interleave a concurrent aggregate write here). */
  beforeWrite?: (key: AggregateKey) => Promise<void>;
}

export interface ScanProgress {
  /** Results read by the scan so far (before the day filter), and the table's approximate size. */
  scanned: number;
  total?: number;
  /** Results in range. */
  matched: number;
}

/**
 * fixed: written; found: differs (--check); not-settled: differs, but results of its day are too recent to
 * be sure no stream record is still in flight; conflict: changed under every round's write, not written.
 */
export type DifferenceStatus = 'fixed' | 'found' | 'not-settled' | 'conflict';

export interface ItemDifference {
  key: AggregateKey;
  day: string;
  /** Whether the item existed (a missing item reads as zeros). */
  existed: boolean;
  fields: FieldDifference[];
  status: DifferenceStatus;
}

export interface RecountResult {
  /** Results read by the (last full) scan, and those in range. */
  scanned: number;
  counted: number;
  /** Results in range that cannot be counted (the aggregate handler rejects them too). */
  invalid: Array<{ postId: string; error: string }>;
  /** Aggregate items compared (stored or recounted). */
  compared: number;
  differences: ItemDifference[];
  rounds: number;
}

export const DEFAULT_SEGMENTS = 4;
export const DEFAULT_SETTLE_SECONDS = 15 * 60;
const DEFAULT_ROUNDS = 3;

export function validateRecountOptions(
  options: Pick<RecountOptions, 'from' | 'to' | 'segments' | 'settleSeconds'>,
): void {
  for (const [flag, day] of [
    ['--from', options.from],
    ['--to', options.to],
  ] as const) {
    if (day === undefined) throw new Error(`recount needs ${flag} YYYY-MM-DD`);
    if (
      !DAY_PATTERN.test(day) ||
      Number.isNaN(Date.parse(`${day}T00:00:00Z`)) ||
      new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day
    ) {
      throw new Error(`${flag} must be a date YYYY-MM-DD, got "${day}"`);
    }
  }
  if (options.from > options.to) throw new Error(`--from ${options.from} is after --to ${options.to}`);
  if (
    options.segments !== undefined &&
    !(Number.isInteger(options.segments) && options.segments >= 1 && options.segments <= 1_000_000)
  ) {
    throw new Error(`--segments must be an integer from 1 to 1000000, got ${options.segments}`);
  }
  if (options.settleSeconds !== undefined && !(options.settleSeconds >= 0))
    throw new Error(`the settle time must be >= 0, got ${options.settleSeconds}`);
}

/** The aggregate items (not markers) a recount owns: per-source and all-sources days. */
function isAggregateItem(item: Record<string, unknown>): boolean {
  const pk = String(item[TABLES.aggregates.partitionKey]);
  return pk === ALL_SOURCES_PK || pk.startsWith(SOURCE_PK_PREFIX);
}

interface Snapshot {
  stored: Map<string, ReadItem>;
  recounted: Map<string, { key: AggregateKey; day: string; counters: Counters; source?: string }>;
  /** Newest classifiedAt (epoch ms) of the results of each day. */
  newestByDay: Map<string, number>;
  scanned: number;
  counted: number;
  invalid: RecountResult['invalid'];
}

async function readStored(config: Config, options: RecountOptions, segments: number): Promise<Map<string, ReadItem>> {
  const { partitionKey: pk, sortKey: sk } = TABLES.aggregates;
  const from = allSourcesDayKey(options.from).sk;
  const to = allSourcesDayKey(options.to).sk;
  const items =
    options.source !== undefined
      ? await queryRangeExact(config.tables.aggregates, { pk, sk }, sourceDayKey(options.source, '').pk, from, to)
      : // Every source's items: only a scan finds sources that have no results left (markers are filtered out).
        await scanInSegmentsExact(
          {
            TableName: config.tables.aggregates,
            ConsistentRead: true,
            FilterExpression: '#sk BETWEEN :from AND :to AND (begins_with(#pk, :source) OR #pk = :all)',
            ExpressionAttributeNames: { '#pk': pk, '#sk': sk },
            ExpressionAttributeValues: {
              ':from': { S: from },
              ':to': { S: to },
              ':source': { S: SOURCE_PK_PREFIX },
              ':all': { S: ALL_SOURCES_PK },
            },
          },
          segments,
        );
  return new Map(
    items
      .filter(({ item }) => isAggregateItem(item))
      .map((read) => [keyId({ pk: String(read.item[pk]), sk: String(read.item[sk]) }), read]),
  );
}

async function scanResults(
  config: Config,
  options: RecountOptions,
  segments: number,
): Promise<Omit<Snapshot, 'stored'>> {
  const counted: CountedResult[] = [];
  const invalid: RecountResult['invalid'] = [];
  const newestByDay = new Map<string, number>();
  let scanned = 0;
  const total = options.onProgress ? await approximateItemCount(config.tables.results) : undefined;
  const values: Record<string, string> = { ':from': options.from, ':to': options.to };
  if (options.source !== undefined) values[':source'] = options.source;
  await scanInSegments(
    {
      TableName: config.tables.results,
      ConsistentRead: true,
      ProjectionExpression: 'postId, #source, #day, #label, #score, #classifiedAt',
      FilterExpression: `#day BETWEEN :from AND :to${options.source !== undefined ? ' AND #source = :source' : ''}`,
      ExpressionAttributeNames: {
        '#source': 'source',
        '#day': 'day',
        '#label': 'label',
        '#score': 'score',
        '#classifiedAt': 'classifiedAt',
      },
      ExpressionAttributeValues: values,
    },
    segments,
    (items, pageScanned) => {
      scanned += pageScanned;
      for (const item of items) {
        const parsed = CountedResultSchema.safeParse(item);
        if (!parsed.success) {
          invalid.push({
            postId: String(item.postId),
            error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          });
          continue;
        }
        counted.push(parsed.data);
        // A result without a readable classifiedAt could be brand new: its day counts as not settled.
        const at = Date.parse(String(item.classifiedAt));
        const newest = Number.isNaN(at) ? Number.POSITIVE_INFINITY : at;
        newestByDay.set(parsed.data.day, Math.max(newestByDay.get(parsed.data.day) ?? 0, newest));
      }
      options.onProgress?.({ scanned, total, matched: counted.length + invalid.length });
    },
  );
  const sourcePk = options.source !== undefined ? sourceDayKey(options.source, '').pk : undefined;
  const recounted = new Map(
    [...recount(counted)].filter(([, delta]) => sourcePk === undefined || delta.key.pk === sourcePk),
  );
  return { recounted, newestByDay, scanned, counted: counted.length, invalid };
}

/** Compares the stored aggregates of the range with a recount of its results and (unless check) corrects them. */
export async function recountAggregates(config: Config, options: RecountOptions): Promise<RecountResult> {
  validateRecountOptions(options);
  const segments = options.segments ?? DEFAULT_SEGMENTS;
  const settleMs = (options.settleSeconds ?? DEFAULT_SETTLE_SECONDS) * 1000;
  const maxRounds = options.maxRounds ?? DEFAULT_ROUNDS;
  const now = options.now ?? (() => new Date());
  const { partitionKey, sortKey } = TABLES.aggregates;
  const differences = new Map<string, ItemDifference>();
  let pending: Set<string> | undefined; // undefined: every item (the first round)
  let last: Snapshot | undefined;
  let compared = 0;
  let rounds = 0;
  while (rounds < maxRounds && (pending === undefined || pending.size > 0)) {
    rounds += 1;
    // Stored first, results second: a delta applied after this read changes the item, so its write is refused.
    const stored = await readStored(config, options, segments);
    const snapshot: Snapshot = { stored, ...(await scanResults(config, options, segments)) };
    last = snapshot;
    const ids = [...new Set([...snapshot.stored.keys(), ...snapshot.recounted.keys()])].filter(
      (id) => pending === undefined || pending.has(id),
    );
    if (pending === undefined) compared = ids.length;
    const conflicts = new Set<string>();
    const settledBefore = now().getTime() - settleMs;
    for (const id of ids.sort()) {
      const read = snapshot.stored.get(id);
      const recounted = snapshot.recounted.get(id);
      const key: AggregateKey = recounted?.key ?? {
        pk: String(read!.item[partitionKey]),
        sk: String(read!.item[sortKey]),
      };
      const day = recounted?.day ?? String(read!.item.day ?? key.sk.slice(allSourcesDayKey('').sk.length));
      const target = recounted?.counters ?? zeroCounters();
      const fields = counterDifferences(countersOf(read?.item), target);
      if (fields.length === 0) {
        differences.delete(id);
        continue;
      }
      const difference: ItemDifference = { key, day, existed: read !== undefined, fields, status: 'found' };
      differences.set(id, difference);
      if ((snapshot.newestByDay.get(day) ?? 0) > settledBefore) difference.status = 'not-settled';
      if (options.check || difference.status === 'not-settled') continue;
      await options.beforeWrite?.(key);
      const at = now().toISOString();
      // The all-sources items carry no source attribute (the key says what they are), as the handler writes them.
      const source =
        key.pk === ALL_SOURCES_PK
          ? {}
          : { source: recounted?.source ?? String(read?.item.source ?? key.pk.slice(SOURCE_PK_PREFIX.length)) };
      const outcome = await updateIfUnchanged(
        config.tables.aggregates,
        { [partitionKey]: key.pk, [sortKey]: key.sk },
        read?.raw,
        {
          ...target,
          day,
          ...source,
          updatedAt: at,
          recountedAt: at,
        },
      );
      if (outcome === 'written') difference.status = 'fixed';
      else {
        difference.status = 'conflict';
        conflicts.add(id);
      }
    }
    pending = conflicts;
  }
  return {
    scanned: last!.scanned,
    counted: last!.counted,
    invalid: last!.invalid,
    compared,
    differences: [...differences.values()].sort((a, b) => keyId(a.key).localeCompare(keyId(b.key))),
    rounds,
  };
}

function formatNumber(field: string, value: number): string {
  return field === 'scoreSum' ? String(Number(value.toFixed(6))) : String(value);
}

/** One line per item: what it was fixed (or found) from and to, field by field. */
export function describeDifference(difference: ItemDifference): string {
  const verb: Record<DifferenceStatus, string> = {
    fixed: 'fixed',
    found: 'differs',
    'not-settled': 'not settled',
    conflict: 'conflict',
  };
  const zeroed = difference.fields.every((f) => f.recounted === 0);
  const what = !difference.existed ? ' (missing)' : zeroed ? ' (no results: zero)' : '';
  const fields = difference.fields
    .map((f) => `${f.field} ${formatNumber(f.field, f.stored)} -> ${formatNumber(f.field, f.recounted)}`)
    .join(', ');
  return `${verb[difference.status].padEnd(11)} ${difference.key.pk} ${difference.key.sk}${what}: ${fields}`;
}
