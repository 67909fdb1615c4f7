import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResult, CountedResultSchema } from '../../../src/domain/results.js';
import type { Sentiment } from '../../../src/domain/sentiment.js';

const sentiment: Sentiment = {
  label: 'negative',
  score: -0.6,
  probabilities: { negative: 0.7, neutral: 0.2, positive: 0.1 },
  modelId: 'm1',
  method: 'transformer',
  flags: { language: 'eng' },
};

test('a result carries the sentiment, the post source and the post UTC day', () => {
  const at = new Date('2024-06-01T12:00:00Z');
  const result = buildResult(
    { postId: 'p', text: 'bad', createdAt: '2024-05-31T23:00:00.000Z', source: 'news' },
    sentiment,
    at,
  );
  assert.deepEqual(result, {
    postId: 'p',
    label: 'negative',
    score: -0.6,
    probabilities: sentiment.probabilities,
    modelId: 'm1',
    method: 'transformer',
    flags: { language: 'eng' },
    source: 'news',
    day: '2024-05-31',
    createdAt: '2024-05-31T23:00:00.000Z',
    classifiedAt: '2024-06-01T12:00:00.000Z',
  });
  assert.equal(CountedResultSchema.safeParse(result).success, true);
});

test('a post without a source is counted under "unknown"', () => {
  const result = buildResult({ postId: 'p', text: 'x', createdAt: '2024-05-31T23:00:00.000Z' }, sentiment, new Date());
  assert.equal(result.source, 'unknown');
});

test('stream images that cannot be counted are rejected', () => {
  const good = { postId: 'p', label: 'neutral', score: 0, source: 's', day: '2024-01-01' };
  assert.equal(CountedResultSchema.safeParse(good).success, true);
  for (const bad of [
    { ...good, label: 'meh' },
    { ...good, score: 2 },
    { ...good, score: '0.1' },
    { ...good, day: '2024-1-1' },
    { ...good, source: '' },
    { label: 'neutral' },
  ]) {
    assert.equal(CountedResultSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});
