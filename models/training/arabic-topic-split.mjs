#!/usr/bin/env node
// A held-out-topic split of the XLM-T Arabic tweets: an estimate of how the multilingual model scores Arabic tweets
// about topics it never saw.
//
// Why: XLM-T's Arabic tweets were collected by topic (Federer, Trump, Syria, Google, Gucci, ...), and the labels go
// with the topic (Federer tweets are mostly positive, Iran tweets mostly negative). Its val split shares train's
// topics, so val rewards remembering topics. On val a word + char n-gram logistic regression scores Arabic about
// 0.60; with these nine topics held out of training it scores 0.446 on them, as issue #12 measured the same kind of
// model on held-out Arabic (0.45). Other languages are not affected in that measurement.
//
// Writes OUT/ as a data folder (the other data sets linked, xlm-t-multilingual/{train,val}.jsonl without the Arabic
// tweets that name a held-out topic) and OUT/heldout-topics-ara.jsonl (those tweets, from train and val).
//   node models/training/arabic-topic-split.mjs --data ../shared/data/sentiment --out /tmp/split
//   models/training/retrain-multilingual.sh /tmp/split /tmp/split/models/impact-sentiment-multilingual-v2
//   then score /tmp/split/heldout-topics-ara.jsonl with that model (models/README.md has the commands).
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' } } });
if (!args.data || !args.out) {
  console.error('usage: arabic-topic-split.mjs --data DATA_DIR --out DIR');
  process.exit(2);
}

// Each held-out topic: the names that mark a tweet as about it (as written, before prefixes are stripped). Chosen
// before any model was scored on them, to mix the three labels: 698 tweets, 210 negative, 229 neutral, 259 positive.
const HELD_OUT_TOPICS = {
  federer: 'فيدرر',
  iran: 'إيران ايران',
  hillary: 'هيلاري كلنتون كلينتون',
  iphone: 'ايفون أيفون آيفون ابل أبل آبل',
  pokemon: 'بوكيمون',
  isis: 'داعش',
  ramadan: 'رمضان',
  bieber: 'جستن بيبر جاستن',
  gucci: 'غوتشي',
};
const NAMES = new Set(Object.values(HELD_OUT_TOPICS).flatMap((names) => names.split(' ')));
const PREFIX = /^(و|ب|ل|ف|ال|وال|بال|لل)/u;

/**
 * A tweet's words and their forms without a leading conjunction, preposition or article; hashtags split on _. A
 * diacritic ends a word (a name written with one is missed: two training tweets), as in the split measured.
 */
function words(text) {
  const found = new Set();
  for (const token of text.match(/[\p{L}\p{N}_#]+/gu) ?? []) {
    for (const part of token.replace(/^#+/u, '').split('_').filter(Boolean)) {
      found.add(part);
      found.add(part.replace(PREFIX, ''));
    }
  }
  return found;
}

const isHeldOut = (row) => row.language === 'ara' && [...words(row.text)].some((w) => NAMES.has(w));

const data = resolve(args.data);
const out = resolve(args.out);
mkdirSync(join(out, 'xlm-t-multilingual'), { recursive: true });
for (const name of readdirSync(data)) {
  if (name !== 'xlm-t-multilingual' && !existsSync(join(out, name))) symlinkSync(join(data, name), join(out, name));
}
const heldOut = [];
const summary = {};
const labels = {};
for (const file of ['train.jsonl', 'val.jsonl']) {
  const lines = readFileSync(join(data, 'xlm-t-multilingual', file), 'utf8').split('\n').filter(Boolean);
  const kept = [];
  for (const line of lines) {
    const row = JSON.parse(line);
    if (!isHeldOut(row)) {
      kept.push(line);
      continue;
    }
    heldOut.push(line);
    labels[row.label] = (labels[row.label] ?? 0) + 1;
  }
  writeFileSync(join(out, 'xlm-t-multilingual', file), `${kept.join('\n')}\n`);
  summary[file] = { rows: lines.length, kept: kept.length };
}
writeFileSync(join(out, 'heldout-topics-ara.jsonl'), `${heldOut.join('\n')}\n`);
console.log(JSON.stringify({ ...summary, heldOut: heldOut.length, labels }));
