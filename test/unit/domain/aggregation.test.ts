import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALL_SOURCES_PK,
  COUNTER_FIELDS,
  aggregateItem,
  allSourcesDayKey,
  counterUpdateExpression,
  decodeAggregateRow,
  deltasForChange,
  isBookkeepingKey,
  keyId,
  markerKey,
  mergeDeltas,
  recount,
  sequenceOrder,
  shardCheckpointKey,
  sourceDayKey,
  zeroCounters,
  type AggregateDelta,
  type Counters,
} from '../../../src/domain/aggregation.js';
import { LABELS } from '../../../src/domain/sentiment.js';
import type { CountedResult } from '../../../src/domain/results.js';
import { TABLES } from '../../../src/resources.js';

const result = (over: Partial<CountedResult> = {}): CountedResult => ({
  postId: 'p1',
  label: 'positive',
  score: 0.75,
  source: 'twitter',
  day: '2024-05-01',
  ...over,
});

/** Deltas as { keyId: counters } for order-independent comparison. */
function byKey(deltas: AggregateDelta[]): Record<string, Counters> {
  return Object.fromEntries(deltas.map((d) => [`${d.key.pk}|${d.key.sk}`, d.counters]));
}

const c = (over: Partial<Counters>): Counters => ({
  count: 0,
  scoreSum: 0,
  negative: 0,
  neutral: 0,
  positive: 0,
  ...over,
});

test('keys: per source and day, per day for all sources, and markers, all distinct', () => {
  assert.deepEqual(sourceDayKey('twitter', '2024-05-01'), { pk: 'SOURCE#twitter', sk: 'DAY#2024-05-01' });
  assert.deepEqual(allSourcesDayKey('2024-05-01'), { pk: ALL_SOURCES_PK, sk: 'DAY#2024-05-01' });
  // A source literally named like the all-sources key still gets its own aggregate.
  assert.notEqual(keyId(sourceDayKey(ALL_SOURCES_PK, '2024-05-01')), keyId(allSourcesDayKey('2024-05-01')));
  assert.deepEqual(markerKey('evt-1'), { pk: 'MARKER#evt-1', sk: 'MARKER' });
  assert.equal(isBookkeepingKey(markerKey('e')), true);
  assert.equal(isBookkeepingKey(sourceDayKey('MARKER', 'd')), false);
  const checkpoint = shardCheckpointKey('arn:aws:dynamodb:r:1:table/t/stream/2024', 'shardId-0001');
  assert.deepEqual(checkpoint, { pk: 'CHECKPOINT#shardId-0001', sk: 'arn:aws:dynamodb:r:1:table/t/stream/2024' });
  assert.equal(isBookkeepingKey(checkpoint), true);
  assert.equal(decodeAggregateRow({ ...checkpoint, appliedThrough: '1' }), undefined, 'not an aggregate row');
  // Sort keys order days chronologically, so a range query by day works.
  assert.ok(sourceDayKey('s', '2024-01-31').sk < sourceDayKey('s', '2024-02-01').sk);
});

test('sequence numbers become fixed-width strings whose order is numeric order; anything else is refused', () => {
  assert.equal(sequenceOrder('123'), '123'.padStart(40, '0'));
  assert.ok(sequenceOrder('99')! < sequenceOrder('100')!, 'numeric, not lexicographic, order');
  assert.ok(sequenceOrder('4'.repeat(40))! > sequenceOrder('3'.repeat(39))!);
  for (const bad of ['', '12a', '-1', '1.5', '1'.repeat(41), 12, undefined, null])
    assert.equal(sequenceOrder(bad), undefined, String(bad));
});

test('INSERT adds the result to its source-day and all-sources-day aggregates', () => {
  assert.deepEqual(byKey(deltasForChange(undefined, result())), {
    'SOURCE#twitter|DAY#2024-05-01': c({ count: 1, positive: 1, scoreSum: 0.75 }),
    'ALL|DAY#2024-05-01': c({ count: 1, positive: 1, scoreSum: 0.75 }),
  });
});

test('REMOVE subtracts the old result', () => {
  assert.deepEqual(byKey(deltasForChange(result({ label: 'negative', score: -0.5 }), undefined)), {
    'SOURCE#twitter|DAY#2024-05-01': c({ count: -1, negative: -1, scoreSum: 0.5 }),
    'ALL|DAY#2024-05-01': c({ count: -1, negative: -1, scoreSum: 0.5 }),
  });
});

test('MODIFY with a new label moves one count between labels; the count stays', () => {
  const deltas = byKey(
    deltasForChange(result({ label: 'negative', score: -0.5 }), result({ label: 'positive', score: 0.25 })),
  );
  assert.deepEqual(deltas, {
    'SOURCE#twitter|DAY#2024-05-01': c({ negative: -1, positive: 1, scoreSum: 0.75 }),
    'ALL|DAY#2024-05-01': c({ negative: -1, positive: 1, scoreSum: 0.75 }),
  });
});

test('MODIFY moving source and day touches four aggregates, each once', () => {
  const deltas = deltasForChange(
    result({ source: 'twitter', day: '2024-05-01', label: 'neutral', score: 0 }),
    result({ source: 'reddit', day: '2024-05-02', label: 'positive', score: 0.5 }),
  );
  assert.equal(new Set(deltas.map((d) => keyId(d.key))).size, deltas.length);
  assert.deepEqual(byKey(deltas), {
    'SOURCE#twitter|DAY#2024-05-01': c({ count: -1, neutral: -1 }),
    'ALL|DAY#2024-05-01': c({ count: -1, neutral: -1 }),
    'SOURCE#reddit|DAY#2024-05-02': c({ count: 1, positive: 1, scoreSum: 0.5 }),
    'ALL|DAY#2024-05-02': c({ count: 1, positive: 1, scoreSum: 0.5 }),
  });
  const reddit = deltas.find((d) => d.key.pk === 'SOURCE#reddit')!;
  assert.equal(reddit.source, 'reddit');
  assert.equal(reddit.day, '2024-05-02');
  assert.equal(deltas.find((d) => d.key.pk === ALL_SOURCES_PK)!.source, undefined);
});

test('MODIFY moving source only: the all-sources aggregate nets out (score change only)', () => {
  const deltas = byKey(deltasForChange(result({ source: 'a', score: 0.5 }), result({ source: 'b', score: 0.75 })));
  assert.deepEqual(deltas, {
    'SOURCE#a|DAY#2024-05-01': c({ count: -1, positive: -1, scoreSum: -0.5 }),
    'SOURCE#b|DAY#2024-05-01': c({ count: 1, positive: 1, scoreSum: 0.75 }),
    'ALL|DAY#2024-05-01': c({ scoreSum: 0.25 }),
  });
});

test('MODIFY that changes nothing counted yields no deltas at all', () => {
  assert.deepEqual(deltasForChange(result(), result({ postId: 'p1' })), []);
  assert.deepEqual(deltasForChange(undefined, undefined), []);
});

test('applying deltas of a history of changes equals a recount of the final results', () => {
  // Random history over a few posts: inserts, rescoring (label/score/source/day changes) and removals.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const labels = ['negative', 'neutral', 'positive'] as const;
  const current = new Map<string, CountedResult>();
  const applied = new Map<string, Counters>();
  for (let step = 0; step < 2000; step++) {
    const postId = `p${Math.floor(random() * 30)}`;
    const before = current.get(postId);
    const after =
      random() < 0.15
        ? undefined
        : result({
            postId,
            label: pick(labels),
            score: Math.round((random() * 2 - 1) * 1000) / 1000,
            source: pick(['twitter', 'reddit', 'news']),
            day: pick(['2024-05-01', '2024-05-02']),
          });
    for (const delta of deltasForChange(before, after)) {
      const id = keyId(delta.key);
      const total = applied.get(id) ?? c({});
      for (const field of Object.keys(total) as Array<keyof Counters>) total[field] += delta.counters[field];
      applied.set(id, total);
    }
    if (after) current.set(postId, after);
    else current.delete(postId);
  }
  const expected = recount(current.values());
  for (const [id, total] of applied) {
    const want = expected.get(id)?.counters ?? c({});
    assert.equal(total.count, want.count, id);
    assert.equal(total.negative, want.negative, id);
    assert.equal(total.neutral, want.neutral, id);
    assert.equal(total.positive, want.positive, id);
    assert.ok(Math.abs(total.scoreSum - want.scoreSum) < 1e-9, `${id}: ${total.scoreSum} vs ${want.scoreSum}`);
  }
  for (const id of expected.keys()) assert.ok(applied.has(id), id);
  // Every all-sources aggregate is the sum of its day's source aggregates.
  for (const [id, delta] of expected) {
    if (delta.key.pk !== ALL_SOURCES_PK) continue;
    const parts = [...expected.values()].filter((d) => d.key.pk !== ALL_SOURCES_PK && d.day === delta.day);
    assert.equal(
      parts.reduce((sum, d) => sum + d.counters.count, 0),
      delta.counters.count,
      id,
    );
  }
});

test('aggregate keys use the aggregates table key attributes of resources.json', () => {
  const key = sourceDayKey('s', '2024-01-01');
  assert.deepEqual(Object.keys(key).sort(), [TABLES.aggregates.partitionKey, TABLES.aggregates.sortKey].sort());
  assert.deepEqual(Object.keys(markerKey('e')).sort(), Object.keys(key).sort());
});

test('the counter fields are count, scoreSum and one per label, derived from LABELS', () => {
  assert.deepEqual([...COUNTER_FIELDS], ['count', 'scoreSum', ...LABELS]);
  assert.deepEqual(Object.keys(zeroCounters()), [...COUNTER_FIELDS]);
});

test('the ADD update names every counter field once, and sets day, source and updatedAt', () => {
  const delta: AggregateDelta = {
    key: sourceDayKey('twitter', '2024-05-01'),
    source: 'twitter',
    day: '2024-05-01',
    counters: c({ count: 2, positive: 2, scoreSum: 1.5 }),
  };
  const update = counterUpdateExpression(delta, new Date('2024-05-02T00:00:00Z'));
  assert.match(update.UpdateExpression, /^ADD (#c\d+ :c\d+, ){4}#c\d+ :c\d+ SET /);
  const byName = Object.fromEntries(
    Object.entries(update.ExpressionAttributeNames).map(([placeholder, name]) => [
      name,
      update.ExpressionAttributeValues[`:${placeholder.slice(1)}`],
    ]),
  );
  assert.deepEqual(byName, {
    count: 2,
    scoreSum: 1.5,
    negative: 0,
    neutral: 0,
    positive: 2,
    day: '2024-05-01',
    updatedAt: '2024-05-02T00:00:00.000Z',
    source: 'twitter',
  });
  for (const placeholder of [
    ...Object.keys(update.ExpressionAttributeNames),
    ...Object.keys(update.ExpressionAttributeValues),
  ]) {
    assert.ok(update.UpdateExpression.includes(placeholder), `${placeholder} unused`);
  }
  // The all-sources item is spelled by its key alone: no source attribute.
  const all = counterUpdateExpression(
    { ...delta, key: allSourcesDayKey('2024-05-01'), source: undefined },
    new Date(0),
    'set',
  );
  assert.match(all.UpdateExpression, /^SET /);
  assert.ok(!Object.values(all.ExpressionAttributeNames).includes('source'));
});

test('decodeAggregateRow reads source and all-sources items by their key, and skips markers', () => {
  const at = new Date('2024-05-02T00:00:00Z');
  const row = {
    key: sourceDayKey('SOURCE#odd', '2024-05-01'),
    source: 'SOURCE#odd',
    day: '2024-05-01',
    counters: c({ count: 3, neutral: 3 }),
  };
  assert.deepEqual(decodeAggregateRow(aggregateItem(row, at)), row);
  const all = {
    key: allSourcesDayKey('2024-05-01'),
    source: undefined,
    day: '2024-05-01',
    counters: c({ count: 1, negative: 1, scoreSum: -1 }),
  };
  assert.deepEqual(
    decodeAggregateRow({ ...aggregateItem(all, at), source: '*' }),
    all,
    "an old item's source attribute is ignored",
  );
  assert.equal(decodeAggregateRow({ ...markerKey('e'), expiresAt: 1 }), undefined);
  // Counters an item lacks (an aggregate written before a label existed) read as 0; non-numbers are an error.
  assert.deepEqual(decodeAggregateRow({ ...sourceDayKey('s', '2024-05-01'), count: 1 })?.counters, c({ count: 1 }));
  assert.throws(() => decodeAggregateRow({ ...sourceDayKey('s', '2024-05-01'), count: 'many' }), /count/);
});

test('mergeDeltas sums per key in first-seen order and drops what cancels out', () => {
  const insert = deltasForChange(undefined, result());
  const remove = deltasForChange(result(), undefined);
  assert.deepEqual(mergeDeltas([...insert, ...remove]), []);
  const twice = mergeDeltas([...insert, ...insert]);
  assert.deepEqual(
    twice.map((d) => d.key),
    insert.map((d) => d.key),
  );
  assert.deepEqual(twice[0].counters, c({ count: 2, positive: 2, scoreSum: 1.5 }));
  assert.deepEqual(insert[0].counters, c({ count: 1, positive: 1, scoreSum: 0.75 }), 'inputs are not changed');
});
