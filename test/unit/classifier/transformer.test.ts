// Loads the committed model (models/impact-sentiment-v2) from its folder: transformers.js's layout, tokenised by
// transformers.js's tokenizer library, run on onnxruntime-node.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { ModelTokenizer } from '../../../src/classifier/tokenizer.js';
import {
  loadTransformerClassifier,
  positionsAvailable,
  requiredModelFiles,
  type TransformerClassifier,
} from '../../../src/classifier/transformer.js';
import { loadConfig, type Config } from '../../../src/config.js';
import type { Sentiment } from '../../../src/domain/sentiment.js';
import { AGREEMENT, NON_ENGLISH, UNAMBIGUOUS } from '../../fixtures/sentences.js';

// Repository defaults (MODEL_ID impact-sentiment-v2, MODEL_DIR <repo>/models), whatever the shell says.
const base = loadConfig({ ORT_THREADS: '1' });
const configFor = (dtype: Config['model']['dtype'], overrides: Partial<Config> = {}): Config => ({
  ...base,
  ...overrides,
  model: { ...base.model, dtype },
});

function assertWellFormed(s: Sentiment): void {
  const { negative, neutral, positive } = s.probabilities;
  assert.ok(
    Math.abs(negative + neutral + positive - 1) < 1e-5,
    `probabilities sum to ${negative + neutral + positive}`,
  );
  assert.ok(s.score >= -1 && s.score <= 1);
  assert.ok(Math.abs(s.score - (positive - negative)) < 1e-9);
}

describe(`transformer classifier (${base.model.id})`, () => {
  let q8: TransformerClassifier;

  before(async () => {
    const dir = join(base.model.dir, base.model.id);
    for (const file of [...requiredModelFiles('q8'), ...requiredModelFiles('fp32')]) {
      assert.ok(existsSync(join(dir, file)), `the committed model is missing ${join(dir, file)}`);
    }
    q8 = await loadTransformerClassifier(configFor('q8'));
  });

  it('loads from its folder', () => {
    assert.equal(q8.method, 'transformer');
    assert.equal(q8.modelId, base.model.id);
    assert.equal(q8.scheme.kind, 'three-class');
    assert.ok(q8.maxTokens > 0 && Number.isFinite(q8.maxTokens));
  });

  it('gets at least 90% of unambiguous sentences right', async () => {
    const results = await q8.classify(UNAMBIGUOUS.map((s) => s.text));
    const wrong = UNAMBIGUOUS.map((s, i) => ({ ...s, got: results[i].label, score: results[i].score })).filter(
      (s) => s.got !== s.label,
    );
    if (wrong.length > 0)
      console.log(
        'misclassified:\n' +
          wrong.map((w) => `  expected ${w.label}, got ${w.got} (${w.score.toFixed(2)}): ${w.text}`).join('\n'),
      );
    const accuracy = 1 - wrong.length / UNAMBIGUOUS.length;
    assert.ok(accuracy >= 0.9, `accuracy ${(100 * accuracy).toFixed(0)}% on ${UNAMBIGUOUS.length} sentences`);
    for (const r of results) {
      assert.equal(r.method, 'transformer');
      assertWellFormed(r);
    }
  });

  it('answers a batch in input order, the same as one text at a time', async () => {
    // Mixed lengths, so the length-sorted runs reorder them internally.
    const texts = [
      UNAMBIGUOUS[8].text,
      'ok',
      UNAMBIGUOUS[0].text + ' ' + UNAMBIGUOUS[1].text,
      UNAMBIGUOUS[16].text,
      'Terrible.',
    ];
    const batch = await q8.classify(texts);
    for (const [i, text] of texts.entries()) {
      const [alone] = await q8.classify([text]);
      assert.equal(batch[i].label, alone.label, text);
      assert.ok(Math.abs(batch[i].score - alone.score) < 1e-3, `${text}: ${batch[i].score} vs ${alone.score}`);
    }
  });

  it('survives a bad batch: empty, whitespace, 1 MB, emoji-only, lone surrogate, non-English, non-string', async () => {
    const huge = 'This is a wonderful day. '.repeat(42_000); // ~1 MB
    const inputs: unknown[] = [
      '',
      '   \n\t',
      huge,
      '😀😍🎉',
      '\uD800I love this so much',
      NON_ENGLISH[6].text,
      42,
      null,
    ];
    const results = await q8.classify(inputs as string[]);
    assert.equal(results.length, inputs.length);
    const [empty, blank, long, emoji, surrogate, turkish, number, nil] = results;

    for (const r of [empty, blank]) {
      assert.deepEqual(r.flags, { empty: true });
      assert.equal(r.label, 'neutral');
    }
    assert.equal(long.flags.truncated, true);
    assert.equal(long.label, 'positive');
    assert.equal(emoji.flags.language, 'und');
    assert.equal(surrogate.flags.repairedEncoding, true);
    assert.equal(surrogate.label, 'positive');
    assert.equal(turkish.flags.unsupportedLanguage, true);
    assert.notEqual(turkish.flags.skipped, true, 'unsupported languages are still scored by default');
    for (const r of [number, nil]) assert.deepEqual(r.flags, { invalidInput: true });
    for (const r of results) assertWellFormed(r);
  });

  it('flags texts cut at the model token limit', async () => {
    const words = Array.from({ length: q8.maxTokens + 50 }, (_, i) => (i % 2 ? 'good' : 'day')).join(' ');
    const [cut] = await q8.classify([words]);
    assert.equal(cut.flags.truncated, true);
    const [short] = await q8.classify(['good day']);
    assert.equal(short.flags.truncated, undefined);
  });

  it('skips unsupported languages without the model when told to', async () => {
    const strict = await loadTransformerClassifier(configFor('q8', { scoreUnsupportedLanguages: false }));
    const results = await strict.classify([NON_ENGLISH[0].text, UNAMBIGUOUS[0].text]);
    assert.equal(results[0].flags.skipped, true);
    assert.deepEqual(results[0].probabilities, { negative: 0, neutral: 1, positive: 0 });
    assert.equal(results[1].flags.skipped, undefined);
    assert.equal(results[1].label, 'positive');
  });

  it('agrees with fp32 on the top label for at least 90% of sentences', async () => {
    const fp32 = await loadTransformerClassifier(configFor('fp32'));
    const [a, b] = await Promise.all([q8.classify([...AGREEMENT]), fp32.classify([...AGREEMENT])]);
    const disagreements = AGREEMENT.filter((_, i) => a[i].label !== b[i].label);
    if (disagreements.length > 0) console.log('q8/fp32 disagree on:\n  ' + disagreements.join('\n  '));
    const agreement = 1 - disagreements.length / AGREEMENT.length;
    assert.ok(agreement >= 0.9, `agreement ${(100 * agreement).toFixed(0)}% on ${AGREEMENT.length} sentences`);
  });
});

describe('positionsAvailable', () => {
  it('leaves BERT-style position tables whole', () => {
    assert.equal(positionsAvailable({ model_type: 'bert', max_position_embeddings: 512, pad_token_id: 0 }), 512);
    assert.equal(positionsAvailable({ model_type: 'distilbert', max_position_embeddings: 512 }), 512);
    assert.equal(positionsAvailable({}), Infinity);
  });

  it('keeps RoBERTa-family positions after the padding id: 514 - (1 + 1) = 512', () => {
    for (const model_type of ['roberta', 'xlm-roberta', 'camembert']) {
      assert.equal(positionsAvailable({ model_type, max_position_embeddings: 514, pad_token_id: 1 }), 512, model_type);
    }
  });
});

describe("the shipped models' tokenizers, as transformers.js builds them", () => {
  it('the tokenizer library is the copy transformers.js itself resolves (one version installed)', () => {
    const require = createRequire(import.meta.url);
    const transformersDir = dirname(require.resolve('@huggingface/transformers'));
    const theirs = require.resolve('@huggingface/tokenizers', { paths: [transformersDir] });
    assert.equal(theirs, require.resolve('@huggingface/tokenizers'));
  });

  /** The classifier's tokenizer for a shipped model, from its folder's two files. */
  const shippedTokenizer = (id: string) => {
    const read = (file: string) => JSON.parse(readFileSync(join(base.model.dir, id, file), 'utf8'));
    return new ModelTokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  };
  const texts = [...UNAMBIGUOUS.map((s) => s.text), ...AGREEMENT, ...NON_ENGLISH.map((s) => s.text)];
  for (const id of [base.model.id, ...base.multilingualModelIds]) {
    it(`${id}: the same ids, length and padding as AutoTokenizer on ${texts.length} texts`, async () => {
      env.allowRemoteModels = false;
      env.localModelPath = `${base.model.dir}/`;
      const reference = await AutoTokenizer.from_pretrained(id, { local_files_only: true });
      const tokenizer = shippedTokenizer(id);
      assert.equal(tokenizer.model_max_length, reference.model_max_length);
      assert.equal(tokenizer.pad_token_id, reference.pad_token_id);
      for (const text of texts) assert.deepEqual(tokenizer.encode(text), reference.encode(text), text);
    });
  }

  it('the model routed Arabic writes the Arabic article off and keeps its lexicon words whole (issue #12)', () => {
    // The last routed model (multilingual-v2) covers Arabic.
    const tokenizer = shippedTokenizer(base.multilingualModelIds.at(-1) ?? '');
    const ids = (text: string) => tokenizer.encode(text, { add_special_tokens: false });
    assert.equal(ids('رائع').length, 1, '"great" is one token, with its lexicon polarity');
    assert.deepEqual(ids('والرائع'), [...ids('وال'), ...ids('رائع')], '"and the great" shares its token');
    assert.deepEqual(ids('بالرائع'), [...ids('بال'), ...ids('رائع')]);
  });
});
