// Writes src/classifier/language-words.ts: the word statistics the language detector uses for the audience's
// languages that eld's n-grams cannot tell apart (issue #24), counted on the training side of the fixed
// validation cut (validation-cut.mjs) only, so the detector is measured on rows it never saw.
//   npx tsx models/training/language-words.ts ../shared/data/sentiment
//
// - ROMAN_URDU_WORDS: words Roman Urdu writes often (in at least 0.4% of its training comments) and English,
//   Malay, Indonesian, Turkish and XLM-T's European languages rarely (each at most 1/20 of that rate, Indonesian
//   and Malay together at most 1/5), names left out. With the romanised Hindi list they name romanised
//   Hindustani.
// - urduHindiWeights(): for those texts, each of those words' and the romanised Hindi list's log-ratio of its rate
//   in Roman Urdu over romanised Hindi (XLM-T's Hindi tweets), add-one smoothed: positive is Urdu.
// - hindustaniEnglishWeights(): each frequent word's log-ratio of its rate in romanised Hindustani (Roman Urdu and
//   romanised Hindi) over English tweets: for Roman Urdu that eld's n-grams call English.
// - indonesianMalayWeights(): for texts eld calls Malay or Indonesian, each frequent word's log-ratio of its rate
//   in the Indonesian files over the Malay files (each side's rate the mean of its files'), add-one smoothed:
//   positive is Indonesian.
// Only words are written, never a text (the data's texts may not be committed).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HINGLISH_WORDS } from '../../src/classifier/english-words.js';
import { languageSignal } from '../../src/classifier/language.js';
import { isValidationRow } from './validation-cut.mjs';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: npx tsx models/training/language-words.ts DATA_DIR');
  process.exit(2);
}

/** The words the detector sees: letters-only runs of the cleaned, lower-cased text (as languageWords() splits). */
const words = (text: string): string[] => languageSignal(text).toLowerCase().match(/\p{L}+/gu) ?? [];

interface Counts {
  docs: number;
  df: Map<string, number>;
}

/** How often each word of Roman Urdu was written capitalised (names: "Lahore"), to leave names out. */
const capitalised = new Map<string, number>();

function count(files: string[], keep: (row: { text: string; language?: string }) => boolean, caps = false): Counts {
  const df = new Map<string, number>();
  let docs = 0;
  for (const file of files) {
    for (const line of readFileSync(join(dataDir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as { text: string; language?: string };
      if (!keep(row) || isValidationRow(row.text)) continue;
      docs++;
      for (const w of new Set(words(row.text))) df.set(w, (df.get(w) ?? 0) + 1);
      if (caps) {
        for (const w of languageSignal(row.text).match(/\p{Lu}\p{Ll}+/gu) ?? []) {
          const lower = w.toLowerCase();
          capitalised.set(lower, (capitalised.get(lower) ?? 0) + 1);
        }
      }
    }
  }
  return { docs, df };
}

const audience = (name: string) => `audience-languages/${name}-train.jsonl`;
const xlmt = 'xlm-t-multilingual/train.jsonl';
const all = () => true;
const romanUrdu = count([audience('urd-roman')], all, true);
const hindi = count([xlmt], (r) => r.language === 'hin');
const english = count(['semeval2017-task4a-2013-2016/train.jsonl'], all);
const indonesianFiles = ['ind-smsa', 'ind-tweets', 'ind-indolem-binary'].map((f) => count([audience(f)], all));
const malayFiles = ['msa-tweets', 'msa-news-binary'].map((f) => count([audience(f)], all));
const merge = (parts: Counts[]): Counts => {
  const df = new Map<string, number>();
  for (const c of parts) for (const [w, n] of c.df) df.set(w, (df.get(w) ?? 0) + n);
  return { docs: parts.reduce((a, c) => a + c.docs, 0), df };
};
const indonesian = merge(indonesianFiles);
const malay = merge(malayFiles);
/**
 * log of a word's rate in one language over the other, each language's rate the mean of its files' (add-one
 * smoothed): the files are different genres (Indonesian reviews, Malay news), and a genre's words should not
 * name its language.
 */
const meanRateRatio = (a: Counts[], b: Counts[], w: string) => {
  const mean = (files: Counts[]) =>
    files.reduce((sum, c) => sum + ((c.df.get(w) ?? 0) + 1) / (c.docs + 2), 0) / files.length;
  return Math.log(mean(a)) - Math.log(mean(b));
};
const turkish = count([audience('tur-tweets'), audience('tur-social-binary')], all);
const european = ['fra', 'deu', 'ita', 'por', 'spa'].map((l) => count([xlmt], (r) => r.language === l));

const rate = (c: Counts, w: string) => (c.df.get(w) ?? 0) / c.docs;
const logRatio = (a: Counts, b: Counts, w: string) =>
  Math.log(((a.df.get(w) ?? 0) + 1) / (a.docs + 2)) - Math.log(((b.df.get(w) ?? 0) + 1) / (b.docs + 2));
const round = (x: number) => Math.round(x * 100) / 100;

const romanUrduWords = [...romanUrdu.df.keys()]
  .filter((w) => w.length > 1)
  // Names (capitalised in most of the texts that have them: Lahore, Imran) say little about the language.
  .filter((w) => (capitalised.get(w) ?? 0) < 0.5 * (romanUrdu.df.get(w) ?? 0))
  .filter((w) => {
    const r = rate(romanUrdu, w);
    if (r < 0.004) return false;
    const others = [english, turkish, ...european].map((c) => rate(c, w));
    const indMsa = ((indonesian.df.get(w) ?? 0) + (malay.df.get(w) ?? 0)) / (indonesian.docs + malay.docs);
    return others.every((o) => o <= r / 20) && indMsa <= r / 5;
  })
  .sort();

const hindustani = [...new Set([...romanUrduWords, ...HINGLISH_WORDS])].sort();
const urduHindi = hindustani.map((w) => [w, round(logRatio(romanUrdu, hindi, w))] as const);

// The Indonesian/Malay words: in at least 20 training texts of either side, the 4,000 most frequent.
const indMsa = [...new Set([...indonesian.df.keys(), ...malay.df.keys()])]
  .map((w) => [w, (indonesian.df.get(w) ?? 0) + (malay.df.get(w) ?? 0)] as const)
  .filter(([w, n]) => n >= 20 && w.length > 1)
  .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  .slice(0, 4000)
  .map(([w]) => [w, round(meanRateRatio(indonesianFiles, malayFiles, w))] as const)
  .filter(([, r]) => r !== 0)
  .sort((a, b) => (a[0] < b[0] ? -1 : 1));

// Romanised Hindustani (Roman Urdu and romanised Hindi together) over English: the 1,500 most frequent words of
// each side.
const hindustaniDocs: Counts = { docs: romanUrdu.docs + hindi.docs, df: new Map(romanUrdu.df) };
for (const [w, n] of hindi.df) hindustaniDocs.df.set(w, (hindustaniDocs.df.get(w) ?? 0) + n);
const top = (c: Counts, n: number) =>
  [...c.df]
    .filter(([w]) => w.length > 1)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([w]) => w);
const hindustaniEnglish = [...new Set([...top(hindustaniDocs, 1500), ...top(english, 1500)])]
  .sort()
  .map((w) => [w, round(logRatio(hindustaniDocs, english, w))] as const);

const table = (pairs: ReadonlyArray<readonly [string, number]>) =>
  pairs.map(([w, r]) => `${w}:${r}`).join(' ');
const wrap = (s: string) => (s.match(/.{1,110}(\s|$)/g) ?? []).map((l) => `  ${l.trim()}`).join('\n');
const source = `// Generated by models/training/language-words.ts from the training side of the audience files'
// validation cut (and XLM-T's and SemEval's training files); do not edit. Words only: no text of the data is
// written here.
// The detector's word statistics for Roman Urdu vs romanised Hindi and Indonesian vs Malay (issue #24).
import { lazyWeights } from './word-weights.js';

/** Words Roman Urdu writes often and English, Malay, Indonesian, Turkish and XLM-T's European languages rarely. */
export const ROMAN_URDU_WORDS: ReadonlySet<string> = new Set(
  \`${wrap(romanUrduWords.join(' '))}\`
    .split(/\\s+/)
    .filter(Boolean),
);

/** log(rate in Roman Urdu / rate in romanised Hindi) of the romanised Hindustani words: positive is Urdu. */
export const urduHindiWeights = lazyWeights(
  \`${wrap(table(urduHindi))}\`,
);

/** log(rate in romanised Hindustani (Roman Urdu and Hindi) / rate in English tweets): positive is Hindustani. */
export const hindustaniEnglishWeights = lazyWeights(
  \`${wrap(table(hindustaniEnglish))}\`,
);

/** log(rate in Indonesian / rate in Malay) of the two languages' frequent words: positive is Indonesian. */
export const indonesianMalayWeights = lazyWeights(
  \`${wrap(table(indMsa))}\`,
);
`;
const out = new URL('../../src/classifier/language-words.ts', import.meta.url);
writeFileSync(out, source);
console.log(
  `wrote ${out.pathname}: ${romanUrduWords.length} Roman Urdu words, ${urduHindi.length} Urdu/Hindi weights, ` +
    `${hindustaniEnglish.length} Hindustani/English weights, ${indMsa.length} Indonesian/Malay weights ` +
    `(training texts: Roman Urdu ${romanUrdu.docs}, Hindi ${hindi.docs}, ` +
    `Indonesian ${indonesian.docs}, Malay ${malay.docs})`,
);
