// The steps prepare-data.mjs (English model) and prepare-multilingual.mjs share, written once: reading the data,
// counting words for the vocabulary, the per-token lexicon polarity, and encoding every file with tokenizers.js
// itself (so the ids the model trains on are exactly the ids transformers.js produces when serving).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Tokenizer } from '@huggingface/tokenizers';
import { PSEUDO_WORDS, SPECIAL_TOKENS, tokenizerConfig, tokenizerJson } from './tokenizer-spec.mjs';

/**
 * The command line both prepare scripts take: --out DIR --data DIR [--vocab-size N] [--max-length N] [--limit N],
 * plus a script's own `extra` options (parseArgs specs; their values come back under `args`).
 */
export function prepareArgs(script, defaultVocabSize, extra = {}) {
  const { values: args } = parseArgs({
    options: {
      out: { type: 'string' },
      data: { type: 'string' },
      'vocab-size': { type: 'string', default: String(defaultVocabSize) },
      'max-length': { type: 'string', default: '128' },
      limit: { type: 'string' }, // smoke mode: at most N rows per file
      ...extra,
    },
  });
  if (!args.out || !args.data) {
    const more = Object.keys(extra)
      .map((name) => ` [--${name} ...]`)
      .join('');
    console.error(`usage: ${script} --out DIR --data DATA_DIR [--vocab-size N] [--max-length N] [--limit N]${more}`);
    process.exit(2);
  }
  const limit = args.limit ? Number(args.limit) : Infinity;
  const vocabSize = Number(args['vocab-size']);
  return { out: args.out, data: args.data, vocabSize, maxLength: Number(args['max-length']), limit, args };
}

/** The JSON rows of a JSONL file (blank lines skipped), at most `limit` of them (smoke mode). */
export function readJsonl(path, limit = Infinity) {
  const rows = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (rows.length >= limit) break;
    if (line.trim()) rows.push(JSON.parse(line));
  }
  return rows;
}

/** Every file of `files` (name -> path under dataDir), read. */
export function readData(dataDir, files, limit) {
  return Object.fromEntries(Object.entries(files).map(([name, rel]) => [name, readJsonl(join(dataDir, rel), limit)]));
}

/** A tokenizer with a throwaway vocabulary: its normalizer() and pre_tokenizer() split text as the real one does. */
export function probeTokenizer(normalizerSpec, maxLength) {
  return new Tokenizer(tokenizerJson([...SPECIAL_TOKENS], normalizerSpec), tokenizerConfig(maxLength));
}

/**
 * Word counts for buildVocabulary: each source file's words (name -> weight), split by the tokenizer's own
 * normaliser and pre-tokeniser (a tokenizer with a throwaway vocabulary gives us them exactly).
 */
export function countWords(data, sources, normalizerSpec, maxLength) {
  const probe = probeTokenizer(normalizerSpec, maxLength);
  const counts = new Map();
  for (const [name, weight] of Object.entries(sources)) {
    for (const row of data[name]) {
      for (const w of probe.pre_tokenizer(probe.normalizer(row.text))) counts.set(w, (counts.get(w) ?? 0) + weight);
    }
  }
  return counts;
}

/** Writes tokenizer.json and tokenizer_config.json into `out`; returns both. */
export function writeTokenizer(out, vocab, normalizerSpec, maxLength) {
  const tokJson = tokenizerJson(vocab, normalizerSpec);
  const tokConfig = tokenizerConfig(maxLength);
  mkdirSync(join(out, 'encoded'), { recursive: true });
  writeFileSync(join(out, 'tokenizer.json'), JSON.stringify(tokJson));
  writeFileSync(join(out, 'tokenizer_config.json'), JSON.stringify(tokConfig, null, 2));
  return { tokJson, tokConfig };
}

/**
 * Per-token lexicon polarity in [-1, 1] (AFINN-165 and the emoji sentiment ranking shipped with the `sentiment`
 * package; emoji carry it in every language), written to `out`/lexicon.json: the model adds it to each token's
 * embedding. `words` (token -> score in -5..5, e.g. other languages' lexicons) takes precedence over AFINN-165;
 * without it the output is what it always was.
 */
export function writeLexicon(out, vocab, words = new Map()) {
  const require = createRequire(import.meta.url);
  const afinn = { ...require('sentiment/languages/en/labels.json'), ...require('sentiment/build/emoji.json') };
  const extra = { [PSEUDO_WORDS.smile]: 3, [PSEUDO_WORDS.sad]: -3, [PSEUDO_WORDS.heart]: 3 };
  const polarity = vocab.map((t) => {
    const v = extra[t] ?? words.get(t) ?? afinn[t];
    return typeof v === 'number' ? Math.max(-1, Math.min(1, v / 5)) : 0;
  });
  writeFileSync(join(out, 'lexicon.json'), JSON.stringify(polarity));
}

/**
 * Encodes every file into `out`/encoded/NAME.jsonl ({ids, label, ...fields(row)} per line, ids cut to maxLength
 * with [SEP] last) and writes `out`/meta.json; returns the meta.
 */
export function writeEncoded(out, data, files, { tokJson, tokConfig }, maxLength, fields = () => ({})) {
  const tokenizer = new Tokenizer(tokJson, tokConfig);
  const rows = {};
  let unk = 0;
  let total = 0;
  for (const [name, list] of Object.entries(data)) {
    const lines = list.map((row) => {
      const ids = tokenizer.encode(row.text).ids.slice(0, maxLength);
      if (ids.length === maxLength) ids[maxLength - 1] = tokJson.model.vocab['[SEP]'];
      for (const id of ids) {
        total++;
        if (id === 1) unk++;
      }
      return JSON.stringify({ ids, label: row.label, ...fields(row) });
    });
    writeFileSync(join(out, 'encoded', `${name}.jsonl`), lines.join('\n') + '\n');
    rows[name] = list.length;
  }
  const meta = { vocabSize: Object.keys(tokJson.model.vocab).length, maxLength, unkRate: unk / total, rows, files };
  writeFileSync(join(out, 'meta.json'), JSON.stringify(meta, null, 2));
  return meta;
}
