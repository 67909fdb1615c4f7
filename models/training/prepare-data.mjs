#!/usr/bin/env node
// Builds the WordPiece vocabulary and encodes the training data with tokenizers.js itself, so the ids the
// model trains on are exactly the ids transformers.js produces when serving.
// Usage: node models/training/prepare-data.mjs --out DIR --data DIR [--vocab-size 12000] [--max-length 128] [--limit N]
import { mkdirSync, readFileSync, writeFileSync, createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Tokenizer } from '@huggingface/tokenizers';
import { PSEUDO_WORDS, SPECIAL_TOKENS, buildVocabulary, tokenizerConfig, tokenizerJson } from './tokenizer-spec.mjs';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    data: { type: 'string' },
    'vocab-size': { type: 'string', default: '12000' },
    'max-length': { type: 'string', default: '128' },
    limit: { type: 'string' }, // smoke mode: at most N rows per file
  },
});
if (!args.out || !args.data) {
  console.error('usage: prepare-data.mjs --out DIR --data ../shared/data/sentiment [--vocab-size N] [--max-length N] [--limit N]');
  process.exit(2);
}
const vocabSize = Number(args['vocab-size']);
const maxLength = Number(args['max-length']);
const limit = args.limit ? Number(args.limit) : Infinity;

// Datasets by role. The airline set is CC BY-NC-SA: never used for the shipped model.
const FILES = {
  semeval_train: 'semeval2017-task4a-2013-2016/train.jsonl',
  semeval_dev: 'semeval2017-task4a-2013-2016/dev.jsonl',
  sst_train: 'sst/train.jsonl',
  sst_dev: 'sst/dev.jsonl',
  sst_test: 'sst/test.jsonl',
  uci_amazon: 'uci-sentiment-labelled-sentences/amazon.jsonl',
  uci_imdb: 'uci-sentiment-labelled-sentences/imdb.jsonl',
  uci_yelp: 'uci-sentiment-labelled-sentences/yelp.jsonl',
  glue_phrases: 'sst/glue-sst2-train-phrases.jsonl',
};
// Evaluation files never feed the vocabulary.
const VOCAB_SOURCES = ['semeval_train', 'sst_train', 'uci_amazon', 'uci_imdb', 'uci_yelp', 'glue_phrases'];

async function readJsonl(path) {
  const rows = [];
  for await (const line of createInterface({ input: createReadStream(path) })) {
    if (!line.trim()) continue;
    rows.push(JSON.parse(line));
    if (rows.length >= limit) break;
  }
  return rows;
}

const data = {};
for (const [name, rel] of Object.entries(FILES)) data[name] = await readJsonl(join(args.data, rel));

// A tokenizer with a throwaway vocabulary gives us the exact normaliser and pre-tokeniser.
const probe = new Tokenizer(tokenizerJson([...SPECIAL_TOKENS]), tokenizerConfig(maxLength));
const words = (text) => probe.pre_tokenizer(probe.normalizer(text));

const wordCounts = new Map();
for (const name of VOCAB_SOURCES) {
  for (const row of data[name]) for (const w of words(row.text)) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
}

const vocab = buildVocabulary(wordCounts, vocabSize);

const tokJson = tokenizerJson(vocab);
const tokConfig = tokenizerConfig(maxLength);
mkdirSync(join(args.out, 'encoded'), { recursive: true });
writeFileSync(join(args.out, 'tokenizer.json'), JSON.stringify(tokJson));
writeFileSync(join(args.out, 'tokenizer_config.json'), JSON.stringify(tokConfig, null, 2));

// Per-token lexicon polarity in [-1, 1] (AFINN-165 and the emoji sentiment ranking shipped with the
// `sentiment` package); the model adds it to each token's embedding.
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
  const lines = [];
  for (const row of rows) {
    const ids = tokenizer.encode(row.text).ids.slice(0, maxLength);
    if (ids.length === maxLength) ids[maxLength - 1] = tokJson.model.vocab['[SEP]'];
    for (const id of ids) { total++; if (id === 1) unk++; }
    lines.push(JSON.stringify({ ids, label: row.label }));
  }
  writeFileSync(join(args.out, 'encoded', `${name}.jsonl`), lines.join('\n') + '\n');
  stats[name] = rows.length;
}
const meta = { vocabSize: vocab.length, maxLength, unkRate: unk / total, rows: stats, files: FILES };
writeFileSync(join(args.out, 'meta.json'), JSON.stringify(meta, null, 2));
console.log(JSON.stringify(meta));
