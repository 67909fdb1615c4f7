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
  const digest = createHash('sha256').update(normaliseForCut(text), 'utf8').digest();
  return digest.readUInt32BE(0) % 100 < VALIDATION_PERCENT;
}
