// The fixed rule that cuts a validation set out of files that have none (the audience-languages files, issue #24),
// set before any score was looked at: a row is in val when the SHA-256 of its normalised text (lower case, links
// and @mentions removed, everything but letters and digits as spaces) falls in the first VALIDATION_PERCENT of
// the hash range. The same text always lands on the same side, whatever file or order it comes in.
import { createHash } from 'node:crypto';

export const VALIDATION_PERCENT = 12;

/** The text as the data's own de-duplication saw it: lower case, no links or @mentions, punctuation as spaces. */
export function normaliseForCut(text) {
  return text
    .toLowerCase()
    .replace(/https?:\/\/\S+|www\.\S+|@[\p{L}\p{N}_]+/gu, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Whether a row of a file without a validation split belongs to the validation cut. */
export function isValidationRow(text) {
  return digestOf(text).readUInt32BE(0) % 100 < VALIDATION_PERCENT;
}

/**
 * The English training files the language detector's romanised-Hindustani scorer is fitted on
 * (models/training/hindustani-rows.ts), all but the fifth of their rows isDetectorCheckRow holds back to choose its
 * threshold on (npm run bench:language's check split).
 */
export const DETECTOR_ENGLISH_FILES = [
  'semeval2017-task4a-2013-2016/train.jsonl',
  'sst/train.jsonl',
  'twitter-us-airline/all.jsonl',
  ...['amazon', 'imdb', 'yelp'].map((name) => `uci-sentiment-labelled-sentences/${name}.jsonl`),
];

/** Whether a row of DETECTOR_ENGLISH_FILES is held back from the fit. By the same hash as the validation cut. */
export function isDetectorCheckRow(text) {
  return digestOf(text).readUInt32BE(4) % 5 === 0;
}

const digestOf = (text) => createHash('sha256').update(normaliseForCut(text), 'utf8').digest();
