import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binaryPrediction, computeMetrics } from '../../../src/classifier/metrics.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

describe('computeMetrics', () => {
  // gold:      neg neg neg neu neu pos pos pos pos pos
  // predicted: neg neg neu neu pos pos pos pos neg neu
  const gold = [
    'negative',
    'negative',
    'negative',
    'neutral',
    'neutral',
    'positive',
    'positive',
    'positive',
    'positive',
    'positive',
  ] as const;
  const predicted = [
    'negative',
    'negative',
    'neutral',
    'neutral',
    'positive',
    'positive',
    'positive',
    'positive',
    'negative',
    'neutral',
  ] as const;
  const labels = ['negative', 'neutral', 'positive'] as const;
  const m = computeMetrics(gold, predicted, labels);

  it('counts the confusion matrix by gold row and predicted column', () => {
    assert.deepEqual(m.confusion, {
      negative: { negative: 2, neutral: 1, positive: 0 },
      neutral: { negative: 0, neutral: 1, positive: 1 },
      positive: { negative: 1, neutral: 1, positive: 3 },
    });
  });

  it('computes accuracy, per-class recall/precision/F1 and the macro averages', () => {
    close(m.accuracy, 6 / 10, 'accuracy');
    close(m.perClass.negative.recall, 2 / 3, 'neg recall');
    close(m.perClass.negative.precision, 2 / 3, 'neg precision');
    close(m.perClass.neutral.recall, 1 / 2, 'neu recall');
    close(m.perClass.neutral.precision, 1 / 3, 'neu precision');
    close(m.perClass.positive.recall, 3 / 5, 'pos recall');
    close(m.perClass.positive.precision, 3 / 4, 'pos precision');
    close(m.perClass.neutral.f1, (2 * (1 / 3) * (1 / 2)) / (1 / 3 + 1 / 2), 'neu f1');
    close(m.macroRecall, (2 / 3 + 1 / 2 + 3 / 5) / 3, 'macro recall');
    const f1s = [m.perClass.negative.f1, m.perClass.neutral.f1, m.perClass.positive.f1];
    close(m.macroF1, f1s.reduce((a, b) => a + b) / 3, 'macro F1');
    assert.equal(m.n, 10);
    assert.deepEqual([m.perClass.negative.support, m.perClass.neutral.support, m.perClass.positive.support], [3, 2, 5]);
  });

  it('scores a class that is never predicted as precision 0 and F1 0', () => {
    const r = computeMetrics(['negative', 'positive'], ['positive', 'positive'], ['negative', 'positive']);
    assert.equal(r.perClass.negative.precision, 0);
    assert.equal(r.perClass.negative.f1, 0);
    close(r.macroRecall, 0.5, 'macro recall');
  });

  it('rejects labels outside the evaluation and mismatched lengths', () => {
    assert.throws(
      () => computeMetrics(['negative'], ['neutral'], ['negative', 'positive']),
      /predicted label "neutral"/,
    );
    assert.throws(() => computeMetrics(['negative', 'positive'], ['negative'], ['negative', 'positive']), /2 labels/);
  });
});

describe('binaryPrediction', () => {
  it('folds neutral away: positive iff P(pos) >= P(neg)', () => {
    assert.equal(binaryPrediction({ negative: 0.2, neutral: 0.7, positive: 0.1 }), 'negative');
    assert.equal(binaryPrediction({ negative: 0.1, neutral: 0.8, positive: 0.1 }), 'positive');
    assert.equal(binaryPrediction({ negative: 0.3, neutral: 0.3, positive: 0.4 }), 'positive');
  });
});
