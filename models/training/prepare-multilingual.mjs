#!/usr/bin/env node
// The multilingual model's vocabulary and encoded data, as prepare-data.mjs does it for the English model: a
// WordPiece vocabulary built from the XLM-T training tweets (plus SemEval's English tweets, which the Hindi
// tweets' code-mixed English shares), with Arabic spelling variants folded, and every file encoded by tokenizers.js.
// Usage: node models/training/prepare-multilingual.mjs --out DIR --data DIR [--vocab-size 16000] [--max-length 128]
//   [--limit N]
import { countWords, prepareArgs, readData, writeEncoded, writeLexicon, writeTokenizer } from './common.mjs';
import { ARABIC_FOLDING, buildVocabulary, normalizerWith } from './tokenizer-spec.mjs';

const { out, data: dataDir, vocabSize, maxLength, limit } = prepareArgs('prepare-multilingual.mjs', 16000);

export const FILES = {
  ml_train: 'xlm-t-multilingual/train.jsonl',
  ml_val: 'xlm-t-multilingual/val.jsonl',
  en_train: 'semeval2017-task4a-2013-2016/train.jsonl',
  en_dev: 'semeval2017-task4a-2013-2016/dev.jsonl',
};
// Training files only feed the vocabulary; English is down-weighted to the size of one language's share.
const VOCAB_SOURCES = { ml_train: 1, en_train: 0.15 };

const data = readData(dataDir, FILES, limit);
const normalizer = normalizerWith(ARABIC_FOLDING);
const counts = [...countWords(data, VOCAB_SOURCES, normalizer, maxLength)].map(([w, c]) => [w, Math.round(c)]);
const vocab = buildVocabulary(new Map(counts.filter(([, c]) => c > 0)), vocabSize, { maxChars: 2000 });
const tokenizer = writeTokenizer(out, vocab, normalizer, maxLength);
// Lexicon polarity per token: English words (AFINN) and, for every language, emoji.
writeLexicon(out, vocab);
const fields = (row) => ({ language: row.language ?? 'eng' });
console.log(JSON.stringify(writeEncoded(out, data, FILES, tokenizer, maxLength, fields)));
