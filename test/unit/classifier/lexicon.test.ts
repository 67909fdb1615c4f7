import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LEXICON_MODEL_ID, LexiconClassifier, lexiconProbabilities } from '../../../src/classifier/lexicon.js';
import { UNAMBIGUOUS } from '../../fixtures/sentences.js';

describe('lexiconProbabilities', () => {
  it('is fully neutral at zero and sums to one everywhere', () => {
    assert.deepEqual(lexiconProbabilities(0), { negative: 0, neutral: 1, positive: 0 });
    for (let c = -5; c <= 5; c += 0.25) {
      const p = lexiconProbabilities(c);
      assert.ok(Math.abs(p.negative + p.neutral + p.positive - 1) < 1e-12, `c=${c}`);
    }
  });

  it('is monotone: the score P(pos) - P(neg) never falls as the comparative score rises', () => {
    let previous = -Infinity;
    for (let c = -3; c <= 3; c += 0.01) {
      const p = lexiconProbabilities(c);
      const score = p.positive - p.negative;
      assert.ok(score >= previous, `score fell at c=${c.toFixed(2)}`);
      previous = score;
    }
  });

  it('stays neutral near zero and turns polar for clearly scored text', () => {
    const near = lexiconProbabilities(0.05);
    assert.ok(near.neutral > near.positive);
    const positive = lexiconProbabilities(0.5);
    assert.ok(positive.positive > positive.neutral && positive.negative === 0);
    const negative = lexiconProbabilities(-0.5);
    assert.ok(negative.negative > negative.neutral && negative.positive === 0);
  });

  it('treats a non-finite comparative score as neutral', () => {
    assert.deepEqual(lexiconProbabilities(Number.NaN), { negative: 0, neutral: 1, positive: 0 });
  });
});

describe('LexiconClassifier', () => {
  const lexicon = new LexiconClassifier();

  it('answers in input order with method lexicon', async () => {
    const texts = ['I love this, it is wonderful!', 'The train leaves at noon.', 'This is awful, I hate it.'];
    const results = await lexicon.classify(texts);
    assert.deepEqual(
      results.map((r) => r.label),
      ['positive', 'neutral', 'negative'],
    );
    for (const r of results) {
      assert.equal(r.method, 'lexicon');
      assert.equal(r.modelId, LEXICON_MODEL_ID);
      assert.ok(Math.abs(r.score - (r.probabilities.positive - r.probabilities.negative)) < 1e-12);
    }
  });

  it('gets most clearly polar sentences right (a weak baseline, so no neutral requirement)', async () => {
    const polar = UNAMBIGUOUS.filter((s) => s.label !== 'neutral');
    const results = await lexicon.classify(polar.map((s) => s.text));
    const right = results.filter((r, i) => r.label === polar[i].label).length;
    assert.ok(right / polar.length >= 0.75, `${right}/${polar.length}`);
  });

  it('survives bad input in the same batch as good input', async () => {
    const results = await lexicon.classify([
      '',
      '\uD800abc',
      'x'.repeat(1_000_000),
      7 as unknown as string,
      'Great job!',
    ]);
    assert.equal(results.length, 5);
    assert.equal(results[0].flags.empty, true);
    assert.equal(results[1].flags.repairedEncoding, true);
    assert.equal(results[2].flags.truncated, true);
    assert.equal(results[3].flags.invalidInput, true);
    assert.equal(results[4].label, 'positive');
  });

  it('rejects a non-array argument with a TypeError', async () => {
    await assert.rejects(lexicon.classify('just a string' as unknown as string[]), TypeError);
  });

  it('answers neutral and skipped for unsupported languages when scoring them is off', async () => {
    const strict = new LexiconClassifier({ scoreUnsupportedLanguages: false });
    const [result] = await strict.classify(['Çok kötü bir hizmet, hiç memnun kalmadım']);
    assert.equal(result.label, 'neutral');
    assert.equal(result.flags.skipped, true);
    assert.equal(result.flags.unsupportedLanguage, true);
  });
});
