#!/usr/bin/env node
// Builds the WordPiece vocabulary and encodes the training data with tokenizers.js itself, so the ids the
// model trains on are exactly the ids transformers.js produces when serving.
// Usage: node models/training/prepare-data.mjs --out DIR --data DIR [--vocab-size 12000] [--max-length 128] [--limit N]
import { countWords, prepareArgs, readData, writeEncoded, writeLexicon, writeTokenizer } from './common.mjs';
import { buildVocabulary, normalizer } from './tokenizer-spec.mjs';

const { out, data: dataDir, vocabSize, maxLength, limit } = prepareArgs('prepare-data.mjs', 12000);

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
const VOCAB_SOURCES = Object.fromEntries(
  ['semeval_train', 'sst_train', 'uci_amazon', 'uci_imdb', 'uci_yelp', 'glue_phrases'].map((name) => [name, 1]),
);

const data = readData(dataDir, FILES, limit);
const vocab = buildVocabulary(countWords(data, VOCAB_SOURCES, normalizer, maxLength), vocabSize);
const tokenizer = writeTokenizer(out, vocab, normalizer, maxLength);
writeLexicon(out, vocab);
console.log(JSON.stringify(writeEncoded(out, data, FILES, tokenizer, maxLength)));
