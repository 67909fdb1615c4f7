// The audience-languages files (issue #24), by a short name: what prepare-multilingual.mjs trains on and
// write-validation-cut.mjs writes the validation cut of.
/**
 * The audience's other languages (issue #24): Indonesian, Malay, Turkish, Urdu (script and Roman) and a second
 * Arabic corpus. They have no validation split: each row goes to val by validation-cut.mjs (a hash of its
 * normalised text), fixed before any score was looked at, the rest to train. Files named `binary` have no
 * neutral rows: their negatives and positives train the 3-class head as they are (as SST-2 did for English).
 */
export const AUDIENCE_FILES = Object.fromEntries(
  [
    'ara-arsas-train',
    'ind-indolem-binary-train',
    'ind-smsa-train',
    'ind-tweets-train',
    'msa-news-binary-train',
    'msa-tweets-train',
    'tur-social-binary-train',
    'tur-tweets-train',
    'urd-roman-train',
    'urd-tweets-binary-train',
  ].map((name) => [name.replace(/-train$/, ''), `audience-languages/${name}.jsonl`]),
);
