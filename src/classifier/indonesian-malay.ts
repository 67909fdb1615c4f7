// Indonesian or Malay, for a text eld's n-grams call one of the two: a logistic regression over the same hashed
// words and character n-grams as the romanised-Hindustani scorer (word-scorer.ts has the features and the layout),
// fitted by models/training/train_hindustani.py --indonesian-out on the Indonesian and Malay files. The detector adds
// it to the words' rate evidence (language-words.ts): together they tell the two apart in tweets better than either
// (models/README.md has the figures). Stored as models/language/indonesian-malay.bin.
import { languageTable } from './language-data.js';
import { parseScorerTable, type ScorerTable, scoreText } from './word-scorer.js';

export const parseIndonesianMalayTable = (bytes: Buffer): ScorerTable => parseScorerTable(bytes, ['indonesian']);

/** The shipped table, or null when it could not be read (then the words' rates decide alone). */
const shippedTable = languageTable(
  'indonesian-malay.bin',
  parseIndonesianMalayTable,
  'word rates alone tell Indonesian from Malay',
);

/** The log-odds of Indonesian over Malay; 0 (no evidence) without the table. */
export function indonesianScore(signal: string): number {
  const shipped = shippedTable();
  if (shipped === null) return 0;
  return scoreText(shipped, signal).sums[shipped.vectors.indexOf('indonesian')];
}
