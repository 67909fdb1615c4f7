import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  binaryProbabilities,
  labelSchemeFromConfig,
  softmax,
  UnsupportedLabelsError,
} from '../../../src/domain/labels.js';
import { argmaxLabel, type Probabilities } from '../../../src/domain/sentiment.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/label-configs/${name}.json`, import.meta.url), 'utf8'));

const MARGIN = 0.2;
const schemeFor = (name: string, margin = MARGIN) =>
  labelSchemeFromConfig(fixture(name), { binaryNeutralMargin: margin, source: name });

function assertSumsToOne(p: Probabilities): void {
  assert.ok(Math.abs(p.negative + p.neutral + p.positive - 1) < 1e-9, `sums to ${p.negative + p.neutral + p.positive}`);
}

describe('labelSchemeFromConfig', () => {
  it('maps the shipped negative/neutral/positive head by index', () => {
    const scheme = schemeFor('three-class');
    assert.equal(scheme.kind, 'three-class');
    assert.deepEqual(scheme.toProbabilities([0.1, 0.3, 0.6]), { negative: 0.1, neutral: 0.3, positive: 0.6 });
  });

  it('follows id2label order and ignores case (Positive, Negative, Neutral)', () => {
    const scheme = schemeFor('three-class-shuffled-case');
    assert.deepEqual(scheme.indices, { positive: 0, negative: 1, neutral: 2 });
    assert.deepEqual(scheme.toProbabilities([0.7, 0.2, 0.1]), { negative: 0.2, neutral: 0.1, positive: 0.7 });
  });

  it('reads LABEL_0..2 with the cardiffnlp convention (0 negative, 1 neutral, 2 positive)', () => {
    const scheme = schemeFor('generic-label-n');
    assert.deepEqual(scheme.indices, { negative: 0, neutral: 1, positive: 2 });
    assert.equal(argmaxLabel(scheme.toProbabilities([0.05, 0.15, 0.8])), 'positive');
  });

  it('recognises a binary POSITIVE/NEGATIVE head', () => {
    const scheme = schemeFor('binary-sst2');
    assert.equal(scheme.kind, 'binary');
    assert.deepEqual(scheme.indices, { negative: 0, positive: 1 });
    const confident = scheme.toProbabilities([0.02, 0.98]);
    assert.equal(argmaxLabel(confident), 'positive');
    assertSumsToOne(confident);
  });

  it('sums a 1-5 star head into 1-2 negative, 3 neutral, 4-5 positive', () => {
    const scheme = schemeFor('star-rating');
    assert.equal(scheme.kind, 'star-rating');
    assert.deepEqual(scheme.indices, { negative: [0, 1], neutral: [2], positive: [3, 4] });
    const p = scheme.toProbabilities([0.05, 0.1, 0.15, 0.3, 0.4]);
    assert.ok(
      Math.abs(p.negative - 0.15) < 1e-12 && Math.abs(p.neutral - 0.15) < 1e-12 && Math.abs(p.positive - 0.7) < 1e-12,
    );
    assert.equal(
      argmaxLabel(scheme.toProbabilities([0.3, 0.3, 0.35, 0.05, 0])),
      'negative',
      '1+2 stars outweigh 3 stars',
    );
    assert.equal(argmaxLabel(scheme.toProbabilities([0.1, 0.1, 0.6, 0.1, 0.1])), 'neutral');
    assertSumsToOne(p);
  });

  it('reads star labels in any order and case', () => {
    const scheme = labelSchemeFromConfig(
      { id2label: { 0: '3 Stars', 1: '2 stars', 2: '1 STAR' } },
      { binaryNeutralMargin: MARGIN },
    );
    assert.deepEqual(scheme.indices, { negative: [2], neutral: [1], positive: [0] });
  });

  for (const [name, pattern] of [
    ['four-stars', /Unsupported label set \[1 star, 2 stars, 3 stars, 4 stars\]/],
    ['unknown-emotions', /Unsupported label set \[anger, joy, optimism, sadness\]/],
    ['ambiguous-binary-label-n', /Unsupported label set \[LABEL_0, LABEL_1\]/],
    ['duplicate-labels', /Unsupported label set/],
    ['no-id2label', /has no id2label/],
  ] as const) {
    it(`fails clearly at load time for ${name}`, () => {
      assert.throws(() => schemeFor(name), pattern);
    });
  }

  it('names the config file in the error', () => {
    assert.throws(
      () => schemeFor('unknown-emotions'),
      (error: unknown) => {
        assert.ok(error instanceof UnsupportedLabelsError);
        assert.match(error.message, /unknown-emotions/);
        return true;
      },
    );
  });
});

describe('binaryProbabilities', () => {
  it('is neutral exactly when |P(pos) - P(neg)| is below the margin', () => {
    for (let pPos = 0; pPos <= 1.0001; pPos += 0.01) {
      const p = binaryProbabilities(pPos, 1 - pPos, MARGIN);
      const d = Math.abs(2 * pPos - 1);
      const label = argmaxLabel(p);
      if (d < MARGIN - 1e-9) assert.equal(label, 'neutral', `P(pos)=${pPos.toFixed(2)}`);
      else if (d > MARGIN + 1e-9)
        assert.equal(label, pPos > 0.5 ? 'positive' : 'negative', `P(pos)=${pPos.toFixed(2)}`);
      assertSumsToOne(p);
    }
  });

  it('keeps the model sign in the score and grows with confidence', () => {
    let previous = -Infinity;
    for (let pPos = 0.5; pPos <= 1.0001; pPos += 0.05) {
      const p = binaryProbabilities(pPos, 1 - pPos, MARGIN);
      const score = p.positive - p.negative;
      assert.ok(score >= 0 && score > previous - 1e-12, `score ${score} after ${previous}`);
      previous = score;
    }
    const negative = binaryProbabilities(0.1, 0.9, MARGIN);
    assert.ok(negative.positive - negative.negative < 0);
  });

  it('gives a certain model no neutral share, and an undecided one mostly neutral', () => {
    assert.deepEqual(binaryProbabilities(1, 0, MARGIN), { negative: 0, neutral: 0, positive: 1 });
    const undecided = binaryProbabilities(0.5, 0.5, MARGIN);
    assert.equal(undecided.positive, undecided.negative);
    assert.ok(undecided.neutral > 0.4);
  });

  it('honours other margins, including 0 (never neutral)', () => {
    assert.equal(argmaxLabel(binaryProbabilities(0.7, 0.3, 0.5)), 'neutral');
    assert.equal(argmaxLabel(binaryProbabilities(0.7, 0.3, 0.3)), 'positive');
    assert.equal(argmaxLabel(binaryProbabilities(0.7, 0.3, 0.9)), 'neutral');
    assert.equal(binaryProbabilities(0.51, 0.49, 0).neutral, 0);
  });
});

describe('softmax', () => {
  it('matches exp/sum and stays finite for large logits', () => {
    const out = softmax([1, 2, 3]);
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    assert.ok(Math.abs(out[2] - Math.exp(3) / z) < 1e-12);
    const big = softmax([1000, 1001, 999]);
    assert.ok(big.every(Number.isFinite));
    assert.ok(Math.abs(big[0] + big[1] + big[2] - 1) < 1e-12);
  });

  it('reads one row of a row-major batch', () => {
    const row = softmax(new Float32Array([9, 9, 9, 0, 0, Math.log(2)]), 3, 3);
    assert.ok(Math.abs(row[2] - 0.5) < 1e-6);
  });
});
