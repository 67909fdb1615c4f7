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

/** tokenizer.json for a WordPiece vocabulary (array index = id). */
export function tokenizerJson(vocabList) {
  const vocab = Object.fromEntries(vocabList.map((t, i) => [t, i]));
  const id = (t) => vocab[t];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((t) => ({
      id: id(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer,
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
