// The post-aware normalisation and pre-tokenisation, as Hugging Face tokenizer.json components.
// tokenizers.js (what transformers.js serves with) applies Replace with JavaScript semantics, so "$1"
// in `content` is a capture group; the Rust `tokenizers` crate would insert it literally.

/** Pseudo-words the normaliser writes; they are whole tokens in every vocabulary we build. */
export const PSEUDO_WORDS = {
  url: 'httpurl',
  user: 'user', // "@name" becomes "@user": "@" and "user" after punctuation splitting, as in TweetEval
  smile: 'emosmile',
  sad: 'emosad',
  heart: 'emoheart',
};

const replace = (regex, content) => ({ type: 'Replace', pattern: { Regex: regex }, content });

export const normalizer = {
  type: 'Sequence',
  normalizers: [
    { type: 'NFKC' },
    // Zero-width joiners, variation selectors and skin tones would split an emoji into pieces.
    replace('[\\u200d\\ufe0e\\ufe0f\\u{1F3FB}-\\u{1F3FF}]', ''),
    replace('https?://\\S+|www\\.\\S+', ` ${PSEUDO_WORDS.url} `),
    replace('@[\\p{L}\\p{N}_]+', ' @user '),
    replace('<3+', ` ${PSEUDO_WORDS.heart} `),
    replace("(?<!\\S)(?:[:;=8]['\\-^o]?[)\\]}dDpP*3]+|\\(+['\\-]?[:;=])(?!\\S)", ` ${PSEUDO_WORDS.smile} `),
    replace("(?<!\\S)(?:[:;=]['\\-]?[(\\[{/\\\\|]+|[)\\]]+['\\-]?[:;=]|D[:;=])(?!\\S)", ` ${PSEUDO_WORDS.sad} `),
    // Hashtags and camelCase: "#HappyBirthday" -> "#Happy Birthday".
    replace('(\\p{Ll})(\\p{Lu})', '$1 $2'),
    // Elongations: "soooo goood" -> "soo good"-ish; keeps emphasis, shrinks the vocabulary.
    replace('(\\p{L})\\1{2,}', '$1$1'),
    { type: 'Lowercase' },
  ],
};

export const preTokenizer = {
  type: 'Sequence',
  pretokenizers: [
    // Every emoji its own token, even when glued to a word ("great😍").
    { type: 'Split', pattern: { Regex: '\\p{Extended_Pictographic}' }, behavior: 'Isolated', invert: false },
    { type: 'BertPreTokenizer' },
  ],
};

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/**
 * Arabic spelling variants folded before lower-casing (multilingual model only): diacritics and tatweel
 * dropped, alef/hamza forms to bare alef, alef maqsura to ya, ta marbuta to ha. Tweets spell these freely,
 * and with ~1,800 Arabic training tweets every variant split is a word seen half as often.
 */
export const ARABIC_FOLDING = [
  replace('[\\u064B-\\u065F\\u0670\\u0640]', ''),
  replace('[\\u0622\\u0623\\u0625\\u0671]', '\u0627'),
  replace('\\u0649', '\u064A'),
  replace('\\u0629', '\u0647'),
];

/**
 * The Arabic definite article and the clitics before it (ال, وال, فال, بال, كال, لل, ولل, فلل) written as a word of
 * their own when at least three letters follow (after ARABIC_FOLDING, so the letters are U+0621-U+064A): الجميل,
 * والجميل and بالجميل then share the word جميل, where WordPiece gave each its own unrelated pieces, and a lexicon
 * word is one token however it is prefixed. Shorter stems (الحب, الذي) stay whole.
 */
export const ARABIC_ARTICLE = '(?:[\u0648\u0641]?[\u0628\u0643]?\u0627\u0644|[\u0648\u0641]?\u0644\u0644)';
export const ARABIC_ARTICLE_SPLIT = replace(
  `(?<![\\p{L}\\p{M}])(${ARABIC_ARTICLE})(?=[\\u0621-\\u064A]{3})`,
  '$1 ',
);

/** The normaliser with extra steps inserted just before lower-casing. */
export function normalizerWith(extra) {
  const steps = normalizer.normalizers;
  return { type: 'Sequence', normalizers: [...steps.slice(0, -1), ...extra, steps[steps.length - 1]] };
}

/**
 * A WordPiece vocabulary from word counts: specials, pseudo-words, characters (as word-initial and ##continuation),
 * frequent whole words, then frequent word-initial and continuation pieces of the words left out, until vocabSize.
 */
export function buildVocabulary(wordCounts, vocabSize, { maxChars = 1200 } = {}) {
  const vocab = [...SPECIAL_TOKENS];
  const seen = new Set(vocab);
  const add = (t) => { if (!seen.has(t) && vocab.length < vocabSize) { seen.add(t); vocab.push(t); } };
  for (const w of Object.values(PSEUDO_WORDS)) add(w);
  const charCounts = new Map();
  for (const [w, c] of wordCounts) for (const ch of w) charCounts.set(ch, (charCounts.get(ch) ?? 0) + c);
  const chars = [...charCounts].filter(([, c]) => c >= 3).sort((a, b) => b[1] - a[1]).slice(0, maxChars);
  for (const [ch] of chars) { add(ch); add(`##${ch}`); }
  const byFreq = [...wordCounts].filter(([, c]) => c >= 3).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const wholeWordBudget = Math.floor((vocabSize - vocab.length) * 0.72);
  for (const [w] of byFreq.slice(0, wholeWordBudget)) add(w);
  const pieceCounts = new Map();
  for (const [w, c] of wordCounts) {
    if (seen.has(w) || c < 2) continue;
    const cps = [...w];
    for (let n = 2; n <= Math.min(7, cps.length - 1); n++) {
      const pre = cps.slice(0, n).join('');
      const suf = `##${cps.slice(cps.length - n).join('')}`;
      pieceCounts.set(pre, (pieceCounts.get(pre) ?? 0) + c * n);
      pieceCounts.set(suf, (pieceCounts.get(suf) ?? 0) + c * n);
    }
  }
  for (const [p] of [...pieceCounts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    if (vocab.length >= vocabSize) break;
    add(p);
  }
  return vocab;
}

/** tokenizer.json for a WordPiece vocabulary (array index = id); `normalizerSpec` defaults to the English one. */
export function tokenizerJson(vocabList, normalizerSpec = normalizer) {
  const vocab = Object.fromEntries(vocabList.map((t, i) => [t, i]));
  const id = (t) => vocab[t];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((t) => ({
      id: id(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: normalizerSpec,
    pre_tokenizer: preTokenizer,
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        ['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

export function tokenizerConfig(maxLength) {
  return {
    tokenizer_class: 'BertTokenizer',
    model_max_length: maxLength,
    do_lower_case: false, // the normaliser lower-cases
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  };
}
