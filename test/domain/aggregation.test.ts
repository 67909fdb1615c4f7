import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALL_SOURCES_PK, allSourcesDayKey, deltasForChange, isMarkerKey, keyId, markerKey, recount, sourceDayKey,
  type AggregateDelta, type Counters,
} from '../../src/domain/aggregation.js';
import type { CountedResult } from '../../src/domain/results.js';
import { TABLES } from '../../src/resources.js';

const result = (over: Partial<CountedResult> = {}): CountedResult => ({
  postId: 'p1', label: 'positive', score: 0.75, source: 'twitter', day: '2024-05-01', ...over,
});

/** Deltas as { keyId: counters } for order-independent comparison. */
function byKey(deltas: AggregateDelta[]): Record<string, Counters> {
  return Object.fromEntries(deltas.map((d) => [`${d.key.pk}|${d.key.sk}`, d.counters]));
}

const c = (over: Partial<Counters>): Counters => ({ count: 0, scoreSum: 0, negative: 0, neutral: 0, positive: 0, ...over });

test('keys: per source and day, per day for all sources, and markers, all distinct', () => {
  assert.deepEqual(sourceDayKey('twitter', '2024-05-01'), { pk: 'SOURCE#twitter', sk: 'DAY#2024-05-01' });
  assert.deepEqual(allSourcesDayKey('2024-05-01'), { pk: ALL_SOURCES_PK, sk: 'DAY#2024-05-01' });
  // A source literally named like the all-sources key still gets its own aggregate.
  assert.notEqual(keyId(sourceDayKey(ALL_SOURCES_PK, '2024-05-01')), keyId(allSourcesDayKey('2024-05-01')));
  assert.deepEqual(markerKey('evt-1'), { pk: 'MARKER#evt-1', sk: 'MARKER' });
  assert.equal(isMarkerKey(markerKey('e')), true);
  assert.equal(isMarkerKey(sourceDayKey('MARKER', 'd')), false);
  // Sort keys order days chronologically, so a range query by day works.
  assert.ok(sourceDayKey('s', '2024-01-31').sk < sourceDayKey('s', '2024-02-01').sk);
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
  const deltas = byKey(deltasForChange(result({ label: 'negative', score: -0.5 }), result({ label: 'positive', score: 0.25 })));
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
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const labels = ['negative', 'neutral', 'positive'] as const;
  const current = new Map<string, CountedResult>();
  const applied = new Map<string, Counters>();
  for (let step = 0; step < 2000; step++) {
    const postId = `p${Math.floor(random() * 30)}`;
    const before = current.get(postId);
    const after = random() < 0.15 ? undefined : result({
      postId, label: pick(labels), score: Math.round((random() * 2 - 1) * 1000) / 1000,
      source: pick(['twitter', 'reddit', 'news']), day: pick(['2024-05-01', '2024-05-02']),
    });
    for (const delta of deltasForChange(before, after)) {
      const id = keyId(delta.key);
      const total = applied.get(id) ?? c({});
      for (const field of Object.keys(total) as Array<keyof Counters>) total[field] += delta.counters[field];
      applied.set(id, total);
    }
    if (after) current.set(postId, after); else current.delete(postId);
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
    assert.equal(parts.reduce((sum, d) => sum + d.counters.count, 0), delta.counters.count, id);
  }
});

test('aggregate keys use the aggregates table key attributes of resources.json', () => {
  const key = sourceDayKey('s', '2024-01-01');
  assert.deepEqual(Object.keys(key).sort(), [TABLES.aggregates.partitionKey, TABLES.aggregates.sortKey].sort());
  assert.deepEqual(Object.keys(markerKey('e')).sort(), Object.keys(key).sort());
});
