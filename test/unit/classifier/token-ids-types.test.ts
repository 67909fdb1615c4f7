// The token-id shortcut on every tokenizer type the hub models use: WordPiece (DistilBERT, multilingual BERT),
// byte-level BPE (twitter-roberta, with "a b" and [a, b] merges) and SentencePiece Unigram (XLM-R, as today's
// converter writes it and as older conversions did). On each it must give encode()'s ids exactly, or step aside.
// And the classifier's tokenizer (tokenizers.js) must give the ids of an independent reference: the tokenizer
// types written out in Python from the vocabulary files, sentencepiece's own encoder for Unigram.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
import { REPO_ROOT } from '../../support/cli.js';

const PYTHON = '/usr/bin/python3';
const REFERENCE_SCRIPT = join(REPO_ROOT, 'test/fixtures/models/tokenizer-reference.py');

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

/**
 * The texts the Python reference encodes (test/fixtures/models/tokenizer-reference.py): all but ill-formed UTF-16
 * (a lone surrogate has no UTF-8 form, so no tokenizer outside JavaScript can be given it).
 */
const REFERENCE_TEXTS = TEXTS.filter((text) => Buffer.from(text, 'utf8').toString('utf8') === text);
/**
 * The one text of these where tokenizers.js's Unigram pipeline and sentencepiece's own encoder disagree beyond a
 * tie: sentencepiece keeps an emoji ZWJ sequence as one unknown piece, while the converted tokenizer's Precompiled
 * normaliser maps the joiners (U+200D) to spaces and so gives three unknown pieces. A converted tokenizer is known
 * to part from sentencepiece on such input; no other implementation is at hand here to say more.
 */
const UNIGRAM_DIFFERENCES = new Set(['👨‍👩‍👧 family']);

/** Token ids for `texts` from the Python reference, and the padding token's id. */
function referenceIds(modelDir: string, texts: string[]): { ids: number[][]; padTokenId: number } {
  const run = spawnSync(PYTHON, [REFERENCE_SCRIPT, modelDir], { input: JSON.stringify(texts), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

/**
 * Unigram: the same ids, or (where the best segmentation is not unique, e.g. "ooo" as o+oo or oo+o) another
 * segmentation of the same text with exactly the same total score: Viterbi's ties may break either way.
 */
function assertSameOrTiedSegmentation(
  actual: number[],
  expected: number[],
  pieces: Array<[string, number]>,
  text: string,
): void {
  if (actual.join() === expected.join()) return;
  const joined = (ids: number[]) => ids.map((id) => pieces[id][0]).join('');
  const score = (ids: number[]) => ids.reduce((sum, id) => sum + pieces[id][1], 0);
  assert.equal(joined(actual), joined(expected), `${JSON.stringify(text)}: other pieces`);
  assert.ok(
    Math.abs(score(actual) - score(expected)) < 1e-9,
    `${JSON.stringify(text)}: ${score(actual)} is not the best score ${score(expected)}`,
  );
}

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
    it(`${type}, ${id}: the classifier's tokenizer gives the Python reference's ids, length and padding`, () => {
      const read = (file: string) => JSON.parse(readFileSync(join(root, id, file), 'utf8'));
      const config = read('tokenizer_config.json');
      const tokenizer = new ModelTokenizer(read('tokenizer.json'), config);
      const texts = REFERENCE_TEXTS.filter((text) => !(type.startsWith('Unigram') && UNIGRAM_DIFFERENCES.has(text)));
      const reference = referenceIds(join(root, id), texts);
      assert.equal(tokenizer.model_max_length, config.model_max_length);
      assert.equal(tokenizer.pad_token_id, reference.padTokenId);
      const pieces = type.startsWith('Unigram') ? read('tokenizer.json').model.vocab : undefined;
      texts.forEach((text, i) => {
        const ids = tokenizer.encode(text);
        if (pieces) assertSameOrTiedSegmentation(ids, reference.ids[i], pieces, text);
        else assert.deepEqual(ids, reference.ids[i], JSON.stringify(text));
        assert.deepEqual(tokenizer.encode(text, { add_special_tokens: false }), ids.slice(1, -1), JSON.stringify(text));
      });
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
