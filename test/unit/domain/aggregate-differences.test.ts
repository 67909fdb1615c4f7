// What recount calls a difference: counters field by field, score sums up to floating-point rounding.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COUNTER_FIELDS, counterDifferences, countersOf } from '../../../src/domain/aggregate-differences.js';
import { recount, zeroCounters } from '../../../src/domain/aggregation.js';
import { LABELS } from '../../../src/domain/sentiment.js';

describe('aggregate differences', () => {
  it('knows every counter field: count, scoreSum and one per label', () => {
    assert.deepEqual([...COUNTER_FIELDS].sort(), ['count', 'scoreSum', ...LABELS].sort());
  });

  it('reads a stored item as counters, absent fields as zero', () => {
    assert.deepEqual(countersOf(undefined), zeroCounters());
    assert.deepEqual(countersOf({ pk: 'SOURCE#x', count: 2, positive: 2, scoreSum: 1.5, day: '2024-05-01' }), {
      ...zeroCounters(),
      count: 2,
      positive: 2,
      scoreSum: 1.5,
    });
  });

  it('lists each differing field with both values, and nothing for a recount of the same results', () => {
    const results = [
      { postId: 'a', label: 'positive' as const, score: 0.1, source: 's', day: '2024-05-01' },
      { postId: 'b', label: 'positive' as const, score: 0.2, source: 's', day: '2024-05-01' },
      { postId: 'c', label: 'negative' as const, score: -0.7, source: 's', day: '2024-05-01' },
    ];
    const [forwards] = [...recount(results).values()];
    const [backwards] = [...recount([...results].reverse()).values()];
    assert.deepEqual(
      counterDifferences(forwards.counters, backwards.counters),
      [],
      'the order of a float sum is not a difference',
    );
    const stored = { ...forwards.counters, count: 4, positive: 3, scoreSum: forwards.counters.scoreSum + 0.5 };
    assert.deepEqual(
      counterDifferences(stored, forwards.counters),
      [
        { field: 'count', stored: 4, recounted: 3 },
        { field: 'scoreSum', stored: stored.scoreSum, recounted: forwards.counters.scoreSum },
        { field: 'positive', stored: 3, recounted: 2 },
      ].sort((x, y) => COUNTER_FIELDS.indexOf(x.field as never) - COUNTER_FIELDS.indexOf(y.field as never)),
    );
  });
});
