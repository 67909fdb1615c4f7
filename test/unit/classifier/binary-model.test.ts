// The binary label map end to end through transformers.js, on the hand-built fixture model made by
// make-tiny-binary-model.py (logits = summed per-word weights; max 16 tokens).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadTransformerClassifier } from '../../../src/classifier/transformer.js';
import { loadConfig } from '../../../src/config.js';

const fixtureDir = fileURLToPath(new URL('../../fixtures/label-configs/', import.meta.url));
const load = (env: Record<string, string> = {}) =>
  loadTransformerClassifier(
    loadConfig({ MODEL_DIR: fixtureDir, MODEL_ID: 'tiny-binary-model', ORT_THREADS: '1', ...env }),
  );

describe('binary model through transformers.js', () => {
  it('maps POSITIVE/NEGATIVE outputs to our labels, with neutral inside the margin', async () => {
    const classifier = await load();
    assert.equal(classifier.scheme.kind, 'binary');
    const [great, awful, okay, mixed] = await classifier.classify([
      'This movie is great!',
      'It was awful.',
      'okay',
      'good bad',
    ]);
    assert.equal(great.label, 'positive');
    assert.equal(awful.label, 'negative');
    assert.ok(great.score > 0.8 && awful.score < -0.8);
    assert.equal(okay.label, 'neutral', 'P(pos) - P(neg) is about 0.1, under the 0.2 margin');
    assert.ok(okay.score > 0, 'neutral keeps the lean of the model in the score');
    assert.equal(mixed.label, 'neutral');
    assert.equal(mixed.probabilities.positive, mixed.probabilities.negative);
    for (const s of [great, awful, okay, mixed]) {
      const { negative, neutral, positive } = s.probabilities;
      assert.ok(Math.abs(negative + neutral + positive - 1) < 1e-6);
      assert.equal(s.method, 'transformer');
      assert.equal(s.modelId, 'tiny-binary-model');
    }
  });

  it('follows BINARY_NEUTRAL_MARGIN', async () => {
    const noMargin = await load({ BINARY_NEUTRAL_MARGIN: '0' });
    const [okay] = await noMargin.classify(['okay']);
    assert.equal(okay.label, 'positive');
    assert.equal(okay.probabilities.neutral, 0);
  });

  it('truncates at the model maximum (16 tokens with [CLS] and [SEP]) and flags it', async () => {
    const classifier = await load();
    assert.equal(classifier.maxTokens, 16);
    // 14 "good" fit between [CLS] and [SEP]; the "bad"s after them are cut off.
    const [cut, exact] = await classifier.classify([`${'good '.repeat(14)}${'bad '.repeat(10)}`, 'good '.repeat(14)]);
    assert.equal(cut.flags.truncated, true);
    assert.equal(exact.flags.truncated, undefined);
    assert.ok(Math.abs(cut.score - exact.score) < 1e-6, `${cut.score} vs ${exact.score}`);
  });

  it('restores input order after length-sorted batching, across runs and with padding', async () => {
    const classifier = await load({ MODEL_DTYPE: 'fp32' });
    const texts = Array.from({ length: 150 }, (_, i) =>
      i % 3 === 0 ? 'bad '.repeat(1 + (i % 7)) : i % 3 === 1 ? 'good '.repeat(1 + (i % 5)) : 'okay the day',
    );
    const batch = await classifier.classify(texts);
    const alone = await Promise.all(texts.map(async (t) => (await classifier.classify([t]))[0]));
    batch.forEach((s, i) => {
      assert.equal(s.label, alone[i].label, texts[i]);
      assert.ok(Math.abs(s.score - alone[i].score) < 1e-6, texts[i]);
    });
  });
});
