// Which Latin-script language a text is in, by eld's byte n-gram scores (eld 2.1.0 by Nito T.M., Apache-2.0),
// restricted to the audience's Latin-script languages. models/language/latin-ngrams.bin holds that subset of
// eld's large database (models/training/language-ngrams.ts writes it, ngram-table.ts reads it); this scores it as
// eld's detect() does: each distinct 4-byte n-gram of the lower-cased words (stride 3, word starts and ends
// marked) adds its score for every language that has it, and the highest sum wins. On the XLM-T and SemEval
// tweets it was the most accurate candidate measured (README), but eld's whole database takes seconds to parse;
// this subset is read once, on the first text that needs it, in about a millisecond.
import { languageTable } from './language-data.js';
import { ngramTable } from './ngram-table.js';

/** The table, or null when it could not be read (then no Latin-script language is named, see latinLanguageScores). */
const shippedTable = languageTable(
  'latin-ngrams.bin',
  ngramTable,
  'Latin-script posts are undetermined and go to English',
);

/** eld's word separators: anything but letters, keeping apostrophes that follow a letter ("don't"). */
const SEPARATORS = /[^\p{L}]+(?<![\x27\x60\u2019])/gu;
/** eld reads about the first 350 bytes of a text. */
const BYTE_BUDGET = 350;
const MAX_WORD_BYTES = 70;

/** The text as eld's UTF-8 "byte words": each byte one character of byteChars (ASCII stays itself). */
function byteWords(text: string, byteChars: string): string[] {
  const lower = text.replace(SEPARATORS, ' ').trim().toLowerCase();
  const words: string[] = [];
  let word = '';
  let bytes = 0;
  for (const ch of lower) {
    const code = ch.codePointAt(0)!;
    if (code === 32) {
      if (word !== '') words.push(word);
      word = '';
      bytes += 1;
      if (bytes > BYTE_BUDGET) break;
      continue;
    }
    if (code < 0x80) {
      word += ch;
      bytes += 1;
    } else if (code < 0x800) {
      word += byteChars[0xc0 | (code >> 6)] + byteChars[0x80 | (code & 0x3f)];
      bytes += 2;
    } else if (code < 0x10000) {
      word += byteChars[0xe0 | (code >> 12)] + byteChars[0x80 | ((code >> 6) & 0x3f)] + byteChars[0x80 | (code & 0x3f)];
      bytes += 3;
    } else {
      word +=
        byteChars[0xf0 | (code >> 18)] +
        byteChars[0x80 | ((code >> 12) & 0x3f)] +
        byteChars[0x80 | ((code >> 6) & 0x3f)] +
        byteChars[0x80 | (code & 0x3f)];
      bytes += 4;
    }
  }
  if (word !== '') words.push(word);
  return words;
}

function ngramsOf(words: string[]): Set<string> {
  const grams = new Set<string>();
  for (const word of words) {
    const len = Math.min(word.length, MAX_WORD_BYTES);
    let j = 0;
    for (; j + 4 < len; j += 3) grams.add((j === 0 ? ' ' : '') + word.substring(j, j + 4));
    grams.add((j === 0 ? ' ' : '') + word.substring(len !== 3 ? len - 4 : 0) + ' ');
  }
  return grams;
}

/** Each candidate language's score for the text, highest first; empty when no n-gram is known (or no table). */
export function latinLanguageScores(text: string): Array<[language: string, score: number]> {
  const loaded = shippedTable();
  if (!loaded) return [];
  const { languages, byteChars } = loaded;
  const sums = new Array<number>(languages.length).fill(0);
  for (const gram of ngramsOf(byteWords(text, byteChars))) {
    const scores = loaded.scoresOf(gram);
    if (scores) for (let i = 0; i < scores.length; i++) sums[i] += scores[i];
  }
  return languages
    .map((l, i) => [l, sums[i]] as [string, number])
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1]);
}
