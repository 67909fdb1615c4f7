// The classifier's token-id shortcut gives exactly the ids of transformers.js's encode(), on the committed
// model's tokenizer, and steps aside when a tokenizer's internals are missing or disagree.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { PROBE_TEXTS, tokenIdEncoder, type PublicTokenizer } from '../../../src/classifier/token-ids.js';
import { loadConfig } from '../../../src/config.js';
import { samplePosts } from '../../../bench/posts.js';
import { AGREEMENT, NON_ENGLISH, SHORT_ENGLISH, UNAMBIGUOUS } from '../../fixtures/sentences.js';
import { EDGE_CASES } from '../../fixtures/tokenizer-texts.js';

const { model } = loadConfig({});

describe('token-id shortcut', () => {
  let tokenizer: PublicTokenizer;

  before(async () => {
    env.allowRemoteModels = false;
    env.localModelPath = model.dir.endsWith('/') ? model.dir : `${model.dir}/`;
    tokenizer = await AutoTokenizer.from_pretrained(model.id, { local_files_only: true });
  });

  it(`is used for ${model.id}, and gives encode()'s ids on posts, sentences and edge cases`, () => {
    const encoder = tokenIdEncoder(tokenizer);
    assert.equal(encoder.shortcut, true);
    const texts = [
      ...EDGE_CASES,
      ...PROBE_TEXTS,
      ...samplePosts(600, 7),
      ...AGREEMENT,
      ...SHORT_ENGLISH,
      ...UNAMBIGUOUS.map((s) => s.text),
      ...NON_ENGLISH.map((s) => s.text),
    ];
    // Twice: the second pass answers from the remembered words.
    for (const pass of [1, 2]) {
      for (const text of texts)
        assert.deepEqual(encoder.encode(text), tokenizer.encode(text), `pass ${pass}: ${JSON.stringify(text)}`);
    }
  });

  it('gives the same ids after its word memo fills and is emptied', () => {
    const encoder = tokenIdEncoder(tokenizer, { memoWords: 8 });
    const texts = samplePosts(200, 11);
    for (const text of [...texts, ...texts]) assert.deepEqual(encoder.encode(text), tokenizer.encode(text), text);
  });

  it('returns a new array each call, so truncating one result cannot change a remembered word', () => {
    const encoder = tokenIdEncoder(tokenizer);
    const first = encoder.encode('great great great');
    first.length = 1;
    first.push(-1);
    assert.deepEqual(encoder.encode('great great great'), tokenizer.encode('great great great'));
  });

  it('falls back to encode() when the tokenizer has no internals it knows', () => {
    const plain: PublicTokenizer = { encode: (text, options) => tokenizer.encode(text, options) };
    const encoder = tokenIdEncoder(plain);
    assert.equal(encoder.shortcut, false);
    assert.deepEqual(encoder.encode('Great stuff!!! 😀'), tokenizer.encode('Great stuff!!! 😀'));
  });

  it('falls back to encode() when its internals disagree with encode() on the probe texts', () => {
    const internals = (tokenizer as unknown as { _tokenizer: Record<string, unknown> })._tokenizer;
    // The same pieces, but a pre-tokenizer that splits on spaces only: punctuation stays glued to words.
    const skewed = { ...internals, pre_tokenizer: (text: string) => text.split(' ').filter(Boolean) };
    const wrapped = {
      encode: (text: string, options?: { add_special_tokens?: boolean }) => tokenizer.encode(text, options),
      _tokenizer: skewed,
    } as PublicTokenizer;
    const encoder = tokenIdEncoder(wrapped);
    assert.equal(encoder.shortcut, false);
    assert.deepEqual(encoder.encode('Great stuff!!!'), tokenizer.encode('Great stuff!!!'));
  });
});
