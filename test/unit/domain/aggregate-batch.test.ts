import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  deltasForChange,
  keyId,
  recount,
  addCounters,
  zeroCounters,
  type Counters,
} from '../../../src/domain/aggregation.js';
import {
  planTransactions,
  transactionItems,
  transactionOf,
  TRANSACTION_ITEM_LIMIT,
  type PlannedRecord,
} from '../../../src/domain/aggregate-batch.js';
import type { CountedResult } from '../../../src/domain/results.js';
import { seededRandom } from '../../../src/local/seeded-random.js';

const result = (over: Partial<CountedResult> = {}): CountedResult => ({
  postId: 'p1',
  label: 'positive',
  score: 0.5,
  source: 'twitter',
  day: '2024-05-01',
  ...over,
});
/** Stream sequence numbers in the order records are made, as sequenceOrder() gives them. */
let lastSequence = 0;
const nextSequence = () => String(++lastSequence).padStart(40, '0');
const insert = (id: string, over: Partial<CountedResult> = {}): PlannedRecord<string> => ({
  eventId: id,
  sequence: nextSequence(),
  deltas: deltasForChange(undefined, result(over)),
  ref: id,
});
const modify = (id: string, before: Partial<CountedResult>, after: Partial<CountedResult>): PlannedRecord<string> => ({
  eventId: id,
  sequence: nextSequence(),
  deltas: deltasForChange(result(before), result(after)),
  ref: id,
});

/** Sum of every transaction's merged deltas, per aggregate key. */
function applied(plan: ReturnType<typeof planTransactions>): Map<string, Counters> {
  const totals = new Map<string, Counters>();
  for (const transaction of plan) {
    for (const delta of transaction.deltas) {
      const total = totals.get(keyId(delta.key)) ?? zeroCounters();
      addCounters(total, delta.counters);
      totals.set(keyId(delta.key), total);
    }
  }
  return totals;
}

test('a batch on one source and day merges into one transaction: every marker plus two updates', () => {
  const records = Array.from({ length: 40 }, (_, i) =>
    insert(`e${i}`, { postId: `p${i}`, label: i % 2 ? 'negative' : 'positive', score: i % 2 ? -0.5 : 0.5 }),
  );
  const plan = planTransactions(records, 'markers');
  assert.equal(plan.length, 1);
  assert.equal(plan[0].records.length, 40);
  assert.equal(plan[0].deltas.length, 2, 'the source-day item and the all-sources item, once each');
  const all = plan[0].deltas.find((d) => d.source === undefined)!;
  assert.deepEqual(all.counters, { count: 40, scoreSum: 0, negative: 20, neutral: 0, positive: 20 });
  assert.equal(transactionItems(plan[0], 'markers'), 42);
});

test('a batch needing more than 100 items is split in stream order, each transaction within the limit', () => {
  const random = seededRandom(3);
  const sources = ['a', 'b', 'c', 'd'];
  const days = ['2024-05-01', '2024-05-02', '2024-05-03'];
  const results = Array.from({ length: 350 }, (_, i) =>
    result({
      postId: `p${i}`,
      source: sources[Math.floor(random() * 4)],
      day: days[Math.floor(random() * 3)],
      score: Math.round(random() * 100) / 100,
    }),
  );
  const records = results.map((r, i) => ({
    eventId: `e${i}`,
    sequence: nextSequence(),
    deltas: deltasForChange(undefined, r),
    ref: `e${i}`,
  }));
  const plan = planTransactions(records, 'markers');
  assert.ok(plan.length >= 4, `${plan.length} transactions for 350 markers`);
  for (const transaction of plan)
    assert.ok(
      transactionItems(transaction, 'markers') <= TRANSACTION_ITEM_LIMIT,
      `${transactionItems(transaction, 'markers')} items`,
    );
  assert.ok(transactionItems(plan[0], 'markers') >= 90, 'transactions are filled, not cut early');
  // Consecutive and complete: the transactions hold the records in stream order, each once.
  assert.deepEqual(
    plan.flatMap((t) => t.records.map((r) => r.eventId)),
    records.map((r) => r.eventId),
  );
  // Applied one after another they equal a recount.
  const totals = applied(plan);
  const expected = recount(results);
  assert.deepEqual([...totals.keys()].sort(), [...expected.keys()].sort());
  for (const [id, { counters }] of expected) {
    const got = totals.get(id)!;
    assert.deepEqual({ ...got, scoreSum: 0 }, { ...counters, scoreSum: 0 }, id);
    assert.ok(Math.abs(got.scoreSum - counters.scoreSum) < 1e-9, id);
  }
});

test('a record never straddles transactions: its marker goes with all of its deltas', () => {
  // MODIFYs moving source and day touch four items each; a small limit forces many cuts.
  const records = Array.from({ length: 30 }, (_, i) =>
    modify(
      `m${i}`,
      { postId: `p${i}`, source: `s${i}`, day: '2024-05-01' },
      { postId: `p${i}`, source: `t${i}`, day: '2024-05-02' },
    ),
  );
  const plan = planTransactions(records, 'markers', 12);
  for (const transaction of plan) {
    assert.ok(transactionItems(transaction, 'markers') <= 12);
    const keys = new Set(transaction.deltas.map((d) => keyId(d.key)));
    for (const record of transaction.records)
      for (const delta of record.deltas)
        if (delta.source !== undefined) assert.ok(keys.has(keyId(delta.key)), record.eventId);
  }
  assert.deepEqual(
    plan.flatMap((t) => t.records.map((r) => r.eventId)),
    records.map((r) => r.eventId),
  );
});

test('MODIFY after INSERT of the same post in one batch: merged, the post counts once with its new label', () => {
  const plan = planTransactions(
    [
      insert('i1', { label: 'positive', score: 0.5 }),
      modify('m1', { label: 'positive', score: 0.5 }, { label: 'negative', score: -0.25 }),
    ],
    'markers',
  );
  assert.equal(plan.length, 1);
  assert.deepEqual(
    plan[0].deltas.map((d) => d.counters),
    [
      { count: 1, scoreSum: -0.25, negative: 1, neutral: 0, positive: 0 },
      { count: 1, scoreSum: -0.25, negative: 1, neutral: 0, positive: 0 },
    ],
  );
  // Split between transactions, the INSERT comes first.
  const split = planTransactions(
    [insert('i1'), insert('i2', { source: 'x' }), modify('m1', {}, { label: 'neutral', score: 0 })],
    'markers',
    5,
  );
  assert.deepEqual(
    split.map((t) => t.records.map((r) => r.eventId)),
    [['i1', 'i2'], ['m1']],
  );
});

test('deltas that cancel out within a batch write nothing but the markers', () => {
  const plan = planTransactions(
    [
      insert('i1'),
      { eventId: 'r1', sequence: nextSequence(), deltas: deltasForChange(result(), undefined), ref: 'r1' },
    ],
    'markers',
  );
  assert.equal(plan.length, 1);
  assert.deepEqual(plan[0].deltas, []);
  assert.equal(transactionItems(plan[0], 'markers'), 2);
});

test('dropping records already applied re-merges the rest', () => {
  const records = [
    insert('a', { postId: 'a' }),
    insert('b', { postId: 'b', label: 'neutral', score: 0 }),
    insert('c', { postId: 'c', source: 'news' }),
  ];
  const rest = transactionOf(records.filter((r) => r.eventId !== 'b'));
  const twitter = rest.deltas.find((d) => d.source === 'twitter')!;
  assert.deepEqual(twitter.counters, { count: 1, scoreSum: 0.5, negative: 0, neutral: 0, positive: 1 });
  assert.equal(rest.deltas.find((d) => d.source === undefined)!.counters.count, 2);
});

test('plans reject duplicate eventIDs and limits too small for one record', () => {
  const x = insert('x');
  assert.throws(() => planTransactions([x, x], 'markers'), /twice/);
  assert.throws(() => planTransactions([insert('x')], 'markers', 4), RangeError);
  assert.deepEqual(planTransactions([], 'checkpoint'), []);
});

test('under a shard checkpoint a transaction is one fence action plus its items, however many records', () => {
  const sources = ['a', 'b', 'c', 'd'];
  const days = ['2024-05-01', '2024-05-02', '2024-05-03'];
  const records = Array.from({ length: 1000 }, (_, i) =>
    insert(`c${i}`, { postId: `p${i}`, source: sources[i % 4], day: days[i % 3] }),
  );
  const [only, ...more] = planTransactions(records, 'checkpoint');
  assert.equal(more.length, 0, 'a batch of 1,000 on 12 (source, day) pairs is one transaction');
  assert.equal(only.records.length, 1000);
  assert.equal(transactionItems(only, 'checkpoint'), 1 + 12 + 3, 'the checkpoint, 12 source-days, 3 all-sources days');
  assert.equal(transactionItems(only, 'markers'), 1000 + 15, 'what markers would take (so 12 transactions)');
  assert.equal(planTransactions(records, 'markers').length, 12);
});

test('under a checkpoint, more than 99 aggregate items split in stream order, each within the limit', () => {
  const records = Array.from({ length: 300 }, (_, i) => insert(`w${i}`, { postId: `p${i}`, source: `s${i}` }));
  const plan = planTransactions(records, 'checkpoint');
  for (const transaction of plan) assert.ok(transactionItems(transaction, 'checkpoint') <= TRANSACTION_ITEM_LIMIT);
  assert.deepEqual(
    plan.map((t) => t.records.length),
    [98, 98, 98, 6],
    'the checkpoint, the all-sources item and 98 sources each',
  );
  assert.deepEqual(
    plan.flatMap((t) => t.records.map((r) => r.eventId)),
    records.map((r) => r.eventId),
  );
});

test('a checkpointed plan refuses records out of stream order (the checkpoint could only move back)', () => {
  const first = insert('first');
  const second = insert('second');
  assert.throws(() => planTransactions([second, first], 'checkpoint'), /stream order/);
  assert.equal(planTransactions([second, first], 'markers').length, 1, 'markers do not depend on order');
});
