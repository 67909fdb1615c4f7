// Token ids for one text, as the tokenizer's own encode() makes them, without most of its per-call bookkeeping.
//
// Why: tokenising is the largest part of the classifier's own cost on the shipped model. transformers.js's
// encode() runs the model's normaliser, pre-tokenizer and WordPiece/BPE model, and around them scans every text
// twice for added tokens ([CLS], [MASK]...), builds token, type-id and attention-mask arrays and looks each token
// up in two maps. For a text with no added token in it, the same three steps in order give the same ids, and the
// model's answer for a word can be remembered. Measured here: 46 -> 23 µs per bench post; on 20k unseen tweets
// 29 -> 17.5 µs with the memo starting empty (13.5 once it holds them). Identical ids on 145,820 texts: bench
// posts and every text in the shared data sets. Texts that contain an added token take the full encode().
//
// The same steps serve every tokenizer type the hub models use (test/unit/classifier/token-ids-types.test.ts):
// WordPiece and byte-level BPE encode each pre-tokenized word on its own, so their words are remembered; a
// SentencePiece Unigram model fuses unknown pieces across words (and tokenizers.js's Metaspace hands it the whole
// text as one word), so it gets the text whole, as encode() gives it, with no memo.
//
// The shortcut reads the tokenizer's internals (`_tokenizer`), which a tokenizers.js upgrade may change: it is
// checked against encode() on probe texts when the model loads, and not used if anything differs.

import type { SpecialTokenLayout } from './tokens.js';

/** The part of a tokenizer the classifier uses (ModelTokenizer, or a transformers.js tokenizer in tests). */
export interface PublicTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
}

/** The pipeline inside @huggingface/tokenizers' Tokenizer (transformers.js 4 keeps it as `_tokenizer`). */
interface Pipeline {
  normalizer: ((text: string) => string) | null;
  pre_tokenizer: ((text: string, options: { section_index: number }) => string[]) | null;
  model: ((words: string[]) => string[]) & {
    tokens_to_ids: Map<string, number>;
    unk_token_id?: number;
    fuse_unk?: boolean;
  };
  /** Every added token, by its content and (for normalised ones) its normalised form. */
  added_tokens_map: Map<string, { id: number }>;
  remove_space?: boolean;
  do_lowercase_and_remove_accent?: boolean;
}

/** Words whose ids are remembered by default; the memo is emptied when full (a few MB at most). */
export const MEMO_WORDS = 50_000;

export interface TokenIdEncoder {
  encode: (text: string) => number[];
  /** Where encode() puts its special tokens around a text, which truncation must keep. */
  layout: SpecialTokenLayout;
  /** Whether the shortcut passed its checks; false means every text goes through tokenizer.encode(). */
  shortcut: boolean;
}

/** Texts the shortcut must agree with encode() on before it is used: cases, emoji, links, spacing, widths. */
export const PROBE_TEXTS: readonly string[] = [
  'hello world',
  '',
  '   \n\t',
  'Great stuff!!! 😀👍🏽 @user https://t.co/x #tag',
  'I LOVE it sooo much :) <3 camelCaseWords',
  'Ünïcödé ｆｕｌｌｗｉｄｔｈ café — “quoted” … 123,456.78',
  'x'.repeat(150),
  'مرحبا بالعالم 你好 こんにちは',
  "don't won't y'all",
  'a  b   c ',
  '\u00a0x\u3000y ～',
];

export function tokenIdEncoder(tokenizer: PublicTokenizer, options: { memoWords?: number } = {}): TokenIdEncoder {
  const layout = specialTokenLayout(tokenizer);
  const shortcut = buildShortcut(tokenizer, layout, options.memoWords ?? MEMO_WORDS);
  if (shortcut) return { encode: shortcut, layout, shortcut: true };
  return { encode: (text) => tokenizer.encode(text), layout, shortcut: false };
}

/** How many special tokens the tokenizer puts before and after a single text (e.g. [CLS] ... [SEP]). */
export function specialTokenLayout(tokenizer: PublicTokenizer): SpecialTokenLayout {
  const probe = PROBE_TEXTS[0];
  const added = tokenizer.encode(probe).length - tokenizer.encode(probe, { add_special_tokens: false }).length;
  // BERT/RoBERTa-style tokenizers add one at each end; anything else keeps its tokens at the start.
  const suffix = added >= 2 ? 1 : 0;
  return { prefix: added - suffix, suffix };
}

function buildShortcut(
  tokenizer: PublicTokenizer,
  layout: SpecialTokenLayout,
  memoWords: number,
): ((text: string) => number[]) | null {
  const pipeline = (tokenizer as { _tokenizer?: Partial<Pipeline> })._tokenizer;
  if (!isPipeline(pipeline) || pipeline.remove_space || pipeline.do_lowercase_and_remove_accent) return null;
  const { normalizer, pre_tokenizer: preTokenizer, model, added_tokens_map: addedTokens } = pipeline;
  const unknownId = model.unk_token_id as number;
  // An added token can match before normalising (its raw text) or after (its normalised form): both are keys.
  const keys = [...addedTokens.keys()].filter((k) => k !== '');
  const addedPattern = keys.length > 0 ? new RegExp(keys.map(escapeRegExp).join('|')) : null;
  const mayHoldAddedToken = (text: string) => addedPattern?.test(text);

  const idOf = (token: string) => addedTokens.get(token)?.id ?? model.tokens_to_ids.get(token) ?? unknownId;
  // The model encodes each pre-tokenized word on its own (unless it fuses unknowns across words), so a word's ids
  // can be remembered: posts repeat most of their words, and WordPiece retries a substring per character.
  const wordIds = model.fuse_unk ? null : new Map<string, number[]>();

  /** Appends the ids of a normalised text, without special tokens: the pre-tokenizer and model steps of encode(). */
  const pushBodyIds = (normalised: string, ids: number[]): number[] => {
    if (normalised === '') return ids;
    const words = preTokenizer ? preTokenizer(normalised, { section_index: 0 }) : [normalised];
    if (!wordIds) {
      for (const token of model(words)) ids.push(idOf(token));
      return ids;
    }
    for (const word of words) {
      let known = wordIds.get(word);
      if (!known) {
        known = model([word]).map(idOf);
        if (wordIds.size >= memoWords) wordIds.clear();
        wordIds.set(word, known);
      }
      for (let i = 0; i < known.length; i++) ids.push(known[i]);
    }
    return ids;
  };
  const normalise = normalizer ?? ((text: string) => text);

  // The special tokens' ids, taken from a full encoding of the probe, which must be exactly prefix + body + suffix.
  const probe = PROBE_TEXTS[0];
  const whole = tokenizer.encode(probe);
  const prefix = whole.slice(0, layout.prefix);
  const suffix = whole.slice(whole.length - layout.suffix);
  if (!sameIds(whole, [...prefix, ...pushBodyIds(normalise(probe), []), ...suffix])) return null;

  const encode = (text: string): number[] => {
    if (mayHoldAddedToken(text)) return tokenizer.encode(text);
    const normalised = normalise(text);
    if (mayHoldAddedToken(normalised)) return tokenizer.encode(text);
    const ids = pushBodyIds(normalised, prefix.slice());
    for (const id of suffix) ids.push(id);
    return ids;
  };
  return PROBE_TEXTS.every((text) => sameIds(encode(text), tokenizer.encode(text))) ? encode : null;
}

function isPipeline(value: Partial<Pipeline> | undefined): value is Pipeline {
  return (
    !!value &&
    typeof value.model === 'function' &&
    value.model.tokens_to_ids instanceof Map &&
    value.added_tokens_map instanceof Map &&
    (value.normalizer === null || typeof value.normalizer === 'function') &&
    (value.pre_tokenizer === null || typeof value.pre_tokenizer === 'function')
  );
}

const sameIds = (a: number[], b: number[]) => a.length === b.length && a.every((id, i) => id === b[i]);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
