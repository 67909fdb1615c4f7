// The token-id shortcut on every tokenizer type the hub models use: WordPiece (DistilBERT, multilingual BERT),
// byte-level BPE (twitter-roberta, with "a b" and [a, b] merges) and SentencePiece Unigram (XLM-R, as today's
// converter writes it and as older conversions did). On each it must give encode()'s ids exactly, or step aside.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { tokenIdEncoder, type PublicTokenizer } from '../../../src/classifier/token-ids.js';
import { ModelTokenizer } from '../../../src/classifier/tokenizer.js';
import { samplePosts } from '../../../bench/posts.js';
import { AGREEMENT, NON_ENGLISH, SHORT_ENGLISH, UNAMBIGUOUS } from '../../fixtures/sentences.js';
import { EDGE_CASES, SENTENCEPIECE_AND_BYTE_LEVEL_CASES } from '../../fixtures/tokenizer-texts.js';
import { ensureHubModels, HUB_MODELS, hubModelsUnavailable } from '../../support/hub-models.js';

const XLMR = 'onnx-community/twitter-xlm-roberta-base-sentiment-ONNX';
/** Older XLM-R conversions: the charsmap alone as normaliser, whitespace split then Metaspace(add_prefix_space). */
const XLMR_LEGACY = 'legacy/xlm-roberta-tokenizer';

const TEXTS = [
  ...EDGE_CASES,
  ...SENTENCEPIECE_AND_BYTE_LEVEL_CASES,
  ...samplePosts(400, 5),
  ...AGREEMENT,
  ...SHORT_ENGLISH,
  ...UNAMBIGUOUS.map((s) => s.text),
  ...NON_ENGLISH.map((s) => s.text),
];

describe('token-id shortcut on every tokenizer type', { skip: hubModelsUnavailable() }, () => {
  let root: string;
  before(async () => {
    const hub = await ensureHubModels();
    root = mkdtempSync(join(tmpdir(), 'token-id-types-'));
    for (const { id } of HUB_MODELS)
      cpSync(join(hub, id), join(root, id), { recursive: true, filter: (src) => !src.endsWith('/onnx') });
    cpSync(join(hub, XLMR), join(root, XLMR_LEGACY), { recursive: true, filter: (src) => !src.endsWith('/onnx') });
    const path = join(root, XLMR_LEGACY, 'tokenizer.json');
    const legacy = JSON.parse(readFileSync(path, 'utf8'));
    legacy.normalizer = legacy.normalizer.normalizers[0];
    legacy.pre_tokenizer = {
      type: 'Sequence',
      pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Metaspace', replacement: '▁', add_prefix_space: true }],
    };
    legacy.decoder = { type: 'Metaspace', replacement: '▁', add_prefix_space: true };
    writeFileSync(path, JSON.stringify(legacy));
    env.allowRemoteModels = false;
    env.localModelPath = `${root}/`;
  });
  after(() => root && rmSync(root, { recursive: true, force: true }));

  const cases = [
    ...HUB_MODELS.map((m) => ({ id: m.id as string, type: m.tokenizer as string })),
    { id: XLMR_LEGACY, type: 'Unigram (legacy conversion)' },
  ];
  for (const { id, type } of cases) {
    it(`${type}, ${id}: the same ids as encode() on ${TEXTS.length} texts, twice`, async () => {
      const tokenizer = (await AutoTokenizer.from_pretrained(id, { local_files_only: true })) as PublicTokenizer;
      const encoder = tokenIdEncoder(tokenizer);
      assert.equal(encoder.shortcut, true, 'the shortcut passes its load-time probe');
      assert.deepEqual(encoder.layout, { prefix: 1, suffix: 1 });
      for (const pass of [1, 2]) {
        for (const text of TEXTS)
          assert.deepEqual(encoder.encode(text), tokenizer.encode(text), `pass ${pass}: ${JSON.stringify(text)}`);
      }
    });
  }

  for (const { id, type } of cases) {
    it(`${type}, ${id}: the classifier's tokenizer matches AutoTokenizer (ids, length, padding)`, async () => {
      const reference = await AutoTokenizer.from_pretrained(id, { local_files_only: true });
      const read = (file: string) => JSON.parse(readFileSync(join(root, id, file), 'utf8'));
      const tokenizer = new ModelTokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
      assert.equal(tokenizer.model_max_length, reference.model_max_length);
      assert.equal(tokenizer.pad_token_id, reference.pad_token_id);
      assert.equal(typeof tokenizer.pad_token_id, 'number');
      for (const text of TEXTS) {
        assert.deepEqual(tokenizer.encode(text), reference.encode(text), JSON.stringify(text));
        const bare = { add_special_tokens: false };
        assert.deepEqual(tokenizer.encode(text, bare), reference.encode(text, bare), JSON.stringify(text));
      }
      assert.equal(tokenIdEncoder(tokenizer).shortcut, true, 'the shortcut reads its pipeline');
    });
  }

  it('steps aside when Unigram pieces disagree with encode() (a pre-tokenizer without the ▁ prefix)', async () => {
    const tokenizer = (await AutoTokenizer.from_pretrained(XLMR, { local_files_only: true })) as PublicTokenizer;
    const internals = (tokenizer as unknown as { _tokenizer: Record<string, unknown> })._tokenizer;
    const skewed = { ...internals, pre_tokenizer: (text: string) => [text.replaceAll(' ', '▁')] };
    const wrapped = {
      encode: (text: string, options?: { add_special_tokens?: boolean }) => tokenizer.encode(text, options),
      _tokenizer: skewed,
    } as PublicTokenizer;
    const encoder = tokenIdEncoder(wrapped);
    assert.equal(encoder.shortcut, false);
    for (const text of SENTENCEPIECE_AND_BYTE_LEVEL_CASES)
      assert.deepEqual(encoder.encode(text), tokenizer.encode(text), text);
  });
});
