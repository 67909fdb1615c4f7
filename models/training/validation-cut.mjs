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
 * The fifth of the English training rows the language detector's romanised-Hindustani scorer is not fitted on
 * (models/training/hindustani-rows.ts): its threshold is chosen on them. By the same hash as the validation cut.
 */
export function isDetectorCheckRow(text) {
  return digestOf(text).readUInt32BE(4) % 5 === 0;
}

const digestOf = (text) => createHash('sha256').update(normaliseForCut(text), 'utf8').digest();
