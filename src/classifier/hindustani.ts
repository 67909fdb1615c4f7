// Romanised Hindustani (Roman Urdu and romanised Hindi) in Latin script: two logistic regressions over hashed
// character n-grams and words (word-scorer.ts has the features and the layout), fitted by
// models/training/train_hindustani.py (models/README.md has the data and the figures). eld's n-grams know no Roman
// Urdu, and word lists miss its many spellings ("kitny", "btaen", "krta"); a word's 3- and 4-grams catch them. One
// vector scores Hindustani over the other Latin-script languages, the other Roman Urdu over romanised Hindi. Stored
// as models/language/hindustani.bin.
import { languageTable } from './language-data.js';
import { parseScorerTable, type ScorerTable, scoreText } from './word-scorer.js';

/** The romanised-Hindustani table: a scorer table with the "hindustani" and "urdu" vectors. */
export const parseHindustaniTable = (bytes: Buffer): ScorerTable => parseScorerTable(bytes, ['hindustani', 'urdu']);

/** The shipped table, or null when it could not be read (then no text is romanised Hindustani). */
const shippedTable = languageTable(
  'hindustani.bin',
  parseHindustaniTable,
  'no post is detected as Roman Urdu or Hindi',
);

/**
 * How romanised-Hindustani a Latin-script text is (log-odds against the other Latin-script languages) and, as
 * such, how Roman Urdu rather than romanised Hindi, with how many words were scored; undefined without the table.
 */
export function hindustaniScores(signal: string): { hindustani: number; urdu: number; words: number } | undefined {
  const shipped = shippedTable();
  if (shipped === null) return undefined;
  const { sums, words } = scoreText(shipped, signal);
  return {
    hindustani: sums[shipped.vectors.indexOf('hindustani')],
    urdu: sums[shipped.vectors.indexOf('urdu')],
    words,
  };
}
