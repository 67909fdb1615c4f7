// Writes the rows models/training/train_hindustani.py fits the language detector's word scorers on (romanised
// Hindustani, and Indonesian over Malay: src/classifier/word-scorer.ts): one JSON line per Latin-script text,
// {"group", "split", "file" (audience files), "words"}, where words are the letter runs the detector itself scores
// (scoredWords), so training and serving see the same features.
//   npx tsx models/training/hindustani-rows.ts DATA_DIR OUT.jsonl
//
// Groups: urd-Latn (Roman Urdu) and hin (XLM-T's romanised Hindi) are romanised Hindustani; English (SemEval,
// SST, the airline tweets and the UCI sentences), the same English without its very common words (eng-content)
// and the audience's other Latin-script languages (XLM-T's European tweets, the Indonesian, Malay and Turkish
// files) are not. Splits: the audience files' validation cut and XLM-T's, SemEval's and SST's own val/dev files
// are `val`; a fifth of the English training rows (by isDetectorCheckRow) is `check`, held out of the fit to choose
// the thresholds on; the rest is `train`.
// Words only go to OUT, which stays outside the repository (the texts may not be redistributed).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scoredWords } from '../../src/classifier/word-scorer.js';
import {
  hasEnoughLetters,
  languageSignal,
  mostlyLatin,
  withoutCommonEnglishWords,
} from '../../src/classifier/language.js';
import { AUDIENCE_FILES } from './audience-files.mjs';
import { DETECTOR_ENGLISH_FILES, isDetectorCheckRow, isValidationRow } from './validation-cut.mjs';

const [dataDir, outPath] = process.argv.slice(2);
if (!dataDir || !outPath) {
  console.error('usage: npx tsx models/training/hindustani-rows.ts DATA_DIR OUT.jsonl');
  process.exit(2);
}

type Split = 'train' | 'val' | 'check';
interface Source {
  /** The audience file's name, written with its rows (the Indonesian-over-Malay vector weighs each file alike). */
  name?: string;
  file: string;
  group: (row: { language?: string }) => string | undefined;
  split: (text: string) => Split;
}
const audienceSplit = (text: string): Split => (isValidationRow(text) ? 'val' : 'train');
const englishSplit = (text: string): Split => (isDetectorCheckRow(text) ? 'check' : 'train');
const fixed = (split: Split) => () => split;
const XLMT_LATIN = new Set(['hin', 'fra', 'deu', 'ita', 'por', 'spa']);
const xlmt = ({ language }: { language?: string }) => (XLMT_LATIN.has(language ?? '') ? language : undefined);
const audience = (name: keyof typeof AUDIENCE_FILES, group: string): Source => ({
  name,
  file: AUDIENCE_FILES[name],
  group: () => group,
  split: audienceSplit,
});
const english = (file: string, split: Source['split'] = englishSplit): Source => ({
  file,
  group: () => 'eng',
  split,
});

const SOURCES: Source[] = [
  audience('urd-roman', 'urd-Latn'),
  { file: 'xlm-t-multilingual/train.jsonl', group: xlmt, split: fixed('train') },
  { file: 'xlm-t-multilingual/val.jsonl', group: xlmt, split: fixed('val') },
  ...(['ind-smsa', 'ind-tweets', 'ind-indolem-binary'] as const).map((name) => audience(name, 'ind')),
  ...(['msa-tweets', 'msa-news-binary'] as const).map((name) => audience(name, 'msa')),
  ...(['tur-tweets', 'tur-social-binary'] as const).map((name) => audience(name, 'tur')),
  ...DETECTOR_ENGLISH_FILES.map((file) => english(file)),
  english('semeval2017-task4a-2013-2016/dev.jsonl', fixed('val')),
  english('sst/dev.jsonl', fixed('val')),
];

const lines: string[] = [];
const counts: Record<string, number> = {};
for (const source of SOURCES) {
  for (const line of readFileSync(join(dataDir, source.file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { text: string; language?: string };
    const group = source.group(row);
    const signal = languageSignal(row.text);
    // Only what the detector's Latin-script branch sees (Devanagari Hindi, say, is Hindi by its script).
    if (group === undefined || !mostlyLatin(signal)) continue;
    const split = source.split(row.text);
    const add = (rowGroup: string, words: string[]) => {
      const file = source.name && { file: source.name };
      lines.push(JSON.stringify({ group: rowGroup, split, ...file, words: words.join(' ') }));
      counts[`${rowGroup}/${split}`] = (counts[`${rowGroup}/${split}`] ?? 0) + 1;
    };
    add(group, scoredWords(signal));
    // English without its very common words, as headlines and short posts are written ("budget report today"):
    // Roman Urdu borrows English nouns, and fitted on English sentences alone the scorer took them for Hindustani.
    const content = withoutCommonEnglishWords(signal);
    if (group === 'eng' && content !== signal && hasEnoughLetters(content)) {
      add('eng-content', scoredWords(content));
    }
  }
}
writeFileSync(outPath, `${lines.join('\n')}\n`);
console.log(`wrote ${outPath}: ${lines.length} rows`, counts);
