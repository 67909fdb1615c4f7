// Language detection (ISO 639-3 codes), chosen by measurement on tweets (README, model section; npm run
// bench:language). Script first (Arabic script, Urdu's own letters, Devanagari, and the other scripts by the
// language each is written in most), then for Latin script a check for very common English words, then romanised
// Hindustani (Roman Urdu or Hindi) by a fitted scorer (hindustani.ts), then eld's byte n-gram scores restricted to
// the audience's Latin-script languages (latin-language.ts), Indonesian vs Malay by word rates (language-words.ts)
// plus a fitted scorer (indonesian-malay.ts), with English preferred when it scores close to the top (and German
// when the text has an umlaut or a German function word and German scores not far below). franc's trigram profiles
// were the detector before: on English tweets they flagged 3% as another language (26% without a candidate list)
// and were right on 79-87% of Portuguese, Spanish and German.
//
// Short texts are 'und' (undetermined), which counts as supported: a two-word post is scored by the English model
// rather than dropped or routed on a guess.
import { COMMON_ENGLISH_WORDS } from './english-words.js';
import { hindustaniScores } from './hindustani.js';
import { indonesianScore } from './indonesian-malay.js';
import { indonesianMalayWeights } from './language-words.js';
import { latinLanguageScores } from './latin-language.js';
import { LETTER_RUNS } from './word-scorer.js';

/** Languages the model was trained on. */
export const SUPPORTED_LANGUAGES: ReadonlySet<string> = new Set(['eng']);

/** The audience's languages and the European languages of its replies (ISO 639-3, as reported). */
export const AUDIENCE_LANGUAGES: readonly string[] = [
  'eng',
  'ara',
  'urd',
  'msa',
  'ind',
  'tur',
  'fra',
  'deu',
  'ita',
  'por',
  'spa',
  'hin',
];

/** ISO 639-1 codes (what eld, tinyld and cld3 answer) and franc's individual codes, as the ISO 639-3 codes reported. */
const TO_ISO3: Record<string, string> = {
  en: 'eng',
  ar: 'ara',
  arb: 'ara',
  ur: 'urd',
  ms: 'msa',
  zlm: 'msa',
  id: 'ind',
  tr: 'tur',
  fr: 'fra',
  de: 'deu',
  it: 'ita',
  pt: 'por',
  es: 'spa',
  hi: 'hin',
  nl: 'nld',
  ru: 'rus',
  bn: 'ben',
  fa: 'fas',
  pes: 'fas',
  zh: 'zho',
  cmn: 'zho',
  ja: 'jpn',
  ko: 'kor',
};
export const toIso3 = (code: string): string => TO_ISO3[code] ?? code;

/**
 * Below this many letters (after removing mentions, links and hashtags) we do not guess a Latin-script language.
 * Tuned on the training tweets: 6 rather than 10 lifted German, Italian and Portuguese by 1-2 points at no cost
 * in English false flags.
 */
export const MIN_LATIN_LETTERS = 6;
/** Arabic script and Devanagari name their language with fewer letters. */
export const MIN_SCRIPT_LETTERS = 3;

/**
 * English wins when its n-gram score is at least this fraction of the top language's. Tuned on the training
 * tweets (0.88-0.98 all kept English false flags under 0.05%; 0.95 let a few more German tweets through).
 */
export const ENGLISH_PREFERENCE = 0.95;

/**
 * Texts where at least this share of the words are very common English words are English whatever the
 * n-grams say (casual English is far from the formal text n-gram profiles are built from).
 */
export const ENGLISH_WORD_SHARE = 0.6;

/**
 * Romanised Hindustani when the scorer's log-odds (hindustani.ts) reach this; then Roman Urdu when its Urdu-over-
 * Hindi log-odds reach URDU_SCORE, else Hindi. Chosen on the English texts the scorer was not fitted on
 * (bench:language's check split; models/README.md has the table): at 4, 2 of 14,195 are called Hindustani (one is
 * written in Hinglish), at 3 three; Roman Urdu's training cut is 80.8% `urd` at 4.
 */
export const HINDUSTANI_SCORE = 4;
export const URDU_SCORE = 0;

/**
 * A short text (at most SHORT_TEXT_WORDS scored words) is romanised Hindustani from SHORT_HINDUSTANI_SCORE: a few
 * words cannot add up to 4 ("mjhe lgta he" scores 2.9), and the English texts that come near 4 are long ones (none of
 * the check split's, SemEval's or XLM-T's training texts of six words or fewer that the general bar leaves reach 2).
 * Roman Urdu's validation cut: 78.6% `urd` without it, 84.0% with it (models/README.md).
 */
export const SHORT_TEXT_WORDS = 6;
export const SHORT_HINDUSTANI_SCORE = 2;

/** Added to a text's Indonesian-over-Malay word evidence (tuned on the training cut: npm run bench:language). */
export const INDONESIAN_MALAY_BIAS = 0;

/**
 * German when the text has a German marker (ä ö ü ß, or a German-only function word) and German's n-gram score is
 * at least this fraction of the top (English's, on the German tweets written half in English). Tuned on the
 * training tweets: 0.6-0.9 all kept English false flags at 0.05%; 0.7 took German from 91.9% to 92.6%.
 */
export const GERMAN_MARKED_PREFERENCE = 0.7;

/** Only the head of a long text is looked at: detection does not need a megabyte. */
const DETECTION_CHAR_BUDGET = 2000;

const NOISE = /https?:\/\/\S+|www\.\S+|[@#][\p{L}\p{N}_]+|\p{Extended_Pictographic}|\d+/gu;
/** Matches when a text has MIN_LATIN_LETTERS letters; anchored, and the two classes are disjoint, so linear. */
const ENOUGH_LETTERS = new RegExp(`^(?:\\P{L}*\\p{L}){${MIN_LATIN_LETTERS}}`, 'u');
const NOT_WORD_CHAR = /[^\p{L}']/gu;

/** Share of the words (letters-only tokens) that are very common English words. */
export function commonEnglishShare(signal: string): number {
  return commonShare(signal, COMMON_ENGLISH_WORDS);
}

/** The sum of the words' weights (a log-ratio of two languages' word rates; unknown words weigh nothing). */
function wordEvidence(signal: string, weights: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const word of signal.toLowerCase().match(LETTER_RUNS) ?? []) sum += weights.get(word) ?? 0;
  return sum;
}

/**
 * Indonesian or Malay, for a text eld calls one of the two: the words' rates in each plus the fitted scorer's
 * log-odds (indonesian-malay.ts); the sum tells tweets apart better than either alone.
 */
export const indonesianOrMalay = (signal: string, bias = INDONESIAN_MALAY_BIAS): 'ind' | 'msa' =>
  wordEvidence(signal, indonesianMalayWeights()) + indonesianScore(signal) + bias >= 0 ? 'ind' : 'msa';

function commonShare(signal: string, vocabulary: ReadonlySet<string>): number {
  // One pass without intermediate arrays: this runs on every post, and with the anchored letter count it took
  // detection from 22 to 14 µs per bench post (the classifier's whole JavaScript cost is about 100 µs).
  let words = 0;
  let common = 0;
  for (const token of signal.toLowerCase().split(/\s+/)) {
    const word = token.replace(NOT_WORD_CHAR, '');
    if (word === '') continue;
    words += 1;
    if (isListed(word, vocabulary)) common += 1;
  }
  return words === 0 ? 0 : common / words;
}

/** Whether a word (lower case, letters and apostrophes) is in a word list, which writes "don't" as "dont". */
const isListed = (word: string, vocabulary: ReadonlySet<string>): boolean =>
  vocabulary.has(word.includes("'") ? word.replaceAll("'", '') : word);

/**
 * The text without the words commonEnglishShare counts as very common English: English as headlines and terse posts
 * write it ("budget report today"). The romanised-Hindustani scorer is fitted on it too (Roman Urdu borrows English
 * nouns), and bench:language's check-content split measures it.
 */
export function withoutCommonEnglishWords(text: string): string {
  return text
    .split(/\s+/)
    .filter((token) => {
      const word = token.toLowerCase().replace(NOT_WORD_CHAR, '');
      // Left with letters and apostrophes: a token of apostrophes alone is no word.
      return word.replaceAll("'", '') !== '' && !isListed(word, COMMON_ENGLISH_WORDS);
    })
    .join(' ');
}

/** Removes what carries no language signal (links, @mentions, #tags, emoji, digits). */
export function languageSignal(text: string): string {
  return text.slice(0, DETECTION_CHAR_BUDGET).replace(NOISE, ' ').replace(/\s+/g, ' ').trim();
}

/** Whether the cleaned text has enough letters to guess a Latin-script language from. */
export const hasEnoughLetters = (signal: string): boolean => ENOUGH_LETTERS.test(signal);

/** Letters only Urdu (not Arabic) writes: ٹ ڈ ڑ ں ھ ہ ۂ ۃ ے ۓ. */
const URDU_LETTERS = /[\u0679\u0688\u0691\u06BA\u06BE\u06C1-\u06C3\u06D2\u06D3]/u;
/** Arabic presentation forms (A and B). */
const PRESENTATION_FORMS = /[\uFB50-\uFDFF\uFE70-\uFEFF]/u;
const ARABIC_SCRIPT = /\p{Script=Arabic}/gu;
const DEVANAGARI = /\p{Script=Devanagari}/gu;
const LATIN = /\p{Script=Latin}/gu;
const LETTER = /\p{L}/gu;

/**
 * The other scripts the detector names, each by the language it is written in most (Arabic script and Devanagari
 * are above). Japanese writes Han too, so any kana makes a Han text Japanese. Script alone answers these as franc's
 * trigrams did with these candidates, without loading franc's profiles (45 ms of the cold start).
 */
const OTHER_SCRIPTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\p{Script=Cyrillic}/gu, 'rus'],
  [/\p{Script=Greek}/gu, 'ell'],
  [/\p{Script=Hebrew}/gu, 'heb'],
  [/\p{Script=Thai}/gu, 'tha'],
  [/\p{Script=Bengali}/gu, 'ben'],
  [/\p{Script=Hangul}/gu, 'kor'],
  [/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu, 'zho'],
];
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** The language of a text in none of the scripts above: the script with the most letters, or 'und'. */
function otherScriptLanguage(signal: string): string {
  let best = 'und';
  let most = 0;
  for (const [script, language] of OTHER_SCRIPTS) {
    const letters = count(signal, script);
    if (letters > most) [best, most] = [language, letters];
  }
  return best === 'zho' && KANA.test(signal) ? 'jpn' : best;
}

/** The detector's thresholds (tuned on the training tweets: npm run bench:language). */
export interface DetectionTuning {
  /** Fewer letters than this in Arabic script or Devanagari: undetermined. */
  minScriptLetters: number;
  /** Fewer letters than this in Latin (or another) script: undetermined. */
  minLatinLetters: number;
  /** English when at least this share of the words are very common English words. */
  englishWordShare: number;
  /** English when its n-gram score is at least this fraction of the top language's. */
  englishPreference: number;
  /** German, when the text has a German marker, if its n-gram score is at least this fraction of the top's. */
  germanMarkedPreference: number;
  /** Romanised Hindustani when the scorer's Hindustani log-odds reach this... */
  hindustaniScore: number;
  /** ...or, for a text of at most shortTextWords scored words, this... */
  shortHindustaniScore: number;
  /** The most scored words (scoredWords) a text can have and still be held to shortHindustaniScore. */
  shortTextWords: number;
  /** ...and then Roman Urdu when its Urdu-over-Hindi log-odds reach this, else Hindi. */
  urduScore: number;
}

export const DETECTION_TUNING: Readonly<DetectionTuning> = {
  minScriptLetters: MIN_SCRIPT_LETTERS,
  minLatinLetters: MIN_LATIN_LETTERS,
  englishWordShare: ENGLISH_WORD_SHARE,
  englishPreference: ENGLISH_PREFERENCE,
  germanMarkedPreference: GERMAN_MARKED_PREFERENCE,
  hindustaniScore: HINDUSTANI_SCORE,
  shortHindustaniScore: SHORT_HINDUSTANI_SCORE,
  shortTextWords: SHORT_TEXT_WORDS,
  urduScore: URDU_SCORE,
};

/** Umlauts and ß, and function words German writes and English, French, Italian, Spanish, Portuguese do not. */
const GERMAN_FUNCTION_WORDS = [
  ...['ich', 'und', 'nicht', 'ist', 'sind', 'wir', 'auch', 'noch', 'schon', 'aber', 'oder', 'sehr', 'jetzt'],
  ...['heute', 'immer', 'wieder', 'einfach', 'mehr', 'meine', 'dein', 'kein', 'keine', 'hab', 'habe', 'haben'],
  ...['gibt', 'geht', 'mit', 'auf', 'nach', 'einen', 'einem', 'eine', 'danke', 'guten', 'nacht', 'morgen', 'der'],
  'ein',
];
const GERMAN_MARKER = new RegExp(`[äöüß]|(?<!\\p{L})(?:${GERMAN_FUNCTION_WORDS.join('|')})(?!\\p{L})`, 'iu');

const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

/**
 * Whether most of a cleaned text's letters are Latin: the texts the Latin-script rules (and the romanised-Hindustani
 * scorer, models/training/hindustani-rows.ts) see.
 */
export const mostlyLatin = (signal: string, letters = count(signal, LETTER)): boolean =>
  count(signal, LATIN) * 2 > letters;

/**
 * The language of a post (ISO 639-3), or 'und' when it is too short to tell. By script first: Arabic script is
 * Urdu when it has a letter only Urdu writes, else Arabic; Devanagari is Hindi. Latin script is English when
 * enough of its words are very common English words, romanised Hindustani (Urdu or Hindi) when the fitted
 * scorer says so, else the best of the audience's Latin-script languages by eld's n-gram scores, with English
 * preferred when it scores close to the top and Indonesian or Malay decided by word rates.
 */
export function identifyLanguage(text: string, tuning: DetectionTuning = DETECTION_TUNING): string {
  const cleaned = languageSignal(text);
  // Arabic-script text typed in presentation forms (one code point per letter shape; 4% of the Urdu tweets) is read
  // as its letters, so Urdu's own letters are found.
  const signal = PRESENTATION_FORMS.test(cleaned) ? cleaned.normalize('NFKC') : cleaned;
  const letters = count(signal, LETTER);
  if (letters < Math.min(tuning.minScriptLetters, tuning.minLatinLetters)) return 'und';
  if (count(signal, ARABIC_SCRIPT) * 2 > letters) {
    return letters < tuning.minScriptLetters ? 'und' : URDU_LETTERS.test(signal) ? 'urd' : 'ara';
  }
  if (count(signal, DEVANAGARI) * 2 > letters) return letters < tuning.minScriptLetters ? 'und' : 'hin';
  if (letters < tuning.minLatinLetters) return 'und';
  if (!mostlyLatin(signal, letters)) return otherScriptLanguage(signal);
  if (commonEnglishShare(signal) >= tuning.englishWordShare) return 'eng';
  const hindustani = hindustaniScores(signal);
  if (hindustani) {
    const { shortTextWords, shortHindustaniScore, hindustaniScore } = tuning;
    const bar = hindustani.words <= shortTextWords ? shortHindustaniScore : hindustaniScore;
    if (hindustani.hindustani >= bar) return hindustani.urdu >= tuning.urduScore ? 'urd' : 'hin';
  }
  const ranked = latinLanguageScores(signal);
  const [top, topScore] = ranked[0] ?? ['und', 0];
  if (top === 'und') return 'und';
  const scoreOf = (code: string) => ranked.find(([c]) => c === code)?.[1] ?? 0;
  if (scoreOf('de') / topScore >= tuning.germanMarkedPreference && GERMAN_MARKER.test(signal)) return 'deu';
  if (scoreOf('en') / topScore >= tuning.englishPreference) return 'eng';
  // eld's Malay and Indonesian n-grams are too alike (it called 97% of Indonesian posts Malay): words decide.
  return top === 'ms' || top === 'id' ? indonesianOrMalay(signal) : toIso3(top);
}

/** Detection for a classifier that covers `supported`: 'und' is always supported (it goes to the English model). */
export function detectLanguage(
  text: string,
  supported: ReadonlySet<string> = SUPPORTED_LANGUAGES,
): { language: string; unsupported: boolean } {
  const language = identifyLanguage(text);
  return { language, unsupported: language !== 'und' && !supported.has(language) };
}
