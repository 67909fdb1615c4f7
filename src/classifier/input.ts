// Input hygiene shared by every classifier: bad values never fail the batch, they are answered and flagged.
import type { SentimentFlags } from '../domain/sentiment.js';

/** What classify() does with one raw input before any model sees it. */
export type PreparedInput =
  | { kind: 'score'; text: string; flags: SentimentFlags }
  /** Answered neutral without scoring (empty, not a string, or skipped by language). */
  | { kind: 'neutral'; flags: SentimentFlags };

/**
 * Cuts a string to at most maxChars UTF-16 units without splitting a surrogate pair, so the cut text
 * stays well formed. Cutting the raw string first keeps a 1 MB post from costing a full tokenisation.
 */
export function cutToCharBudget(text: string, maxChars: number): { text: string; cut: boolean } {
  if (text.length <= maxChars) return { text, cut: false };
  let end = maxChars;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // high surrogate whose partner would be cut off
  return { text: text.slice(0, end), cut: true };
}

/** Replaces lone surrogates with U+FFFD: tokenisers and JSON/DynamoDB writers choke on them. */
export function toWellFormedText(text: string): { text: string; repaired: boolean } {
  // String.prototype.isWellFormed/toWellFormed exist in Node 20+ (V8 11.x); typed in lib.es2024.
  const s = text as string & { isWellFormed(): boolean; toWellFormed(): string };
  return s.isWellFormed() ? { text, repaired: false } : { text: s.toWellFormed(), repaired: true };
}

/**
 * Characters that show nothing on their own: whitespace, format characters (zero-width space and joiners,
 * bidi marks, BOM), other default-ignorables (variation selectors, Hangul fillers, tag characters),
 * control characters, combining marks with no base to sit on, and the blank Braille pattern.
 */
const INVISIBLE = /^[\p{White_Space}\p{Cf}\p{Cc}\p{Default_Ignorable_Code_Point}\p{M}\u2800]*$/u;

/** True when a text has nothing a reader could see (a blank text by any other name). */
export function isInvisibleText(text: string): boolean {
  return INVISIBLE.test(text);
}

export interface PrepareOptions {
  /** Raw character budget applied before tokenising or lexicon scoring. */
  maxChars: number;
  detectLanguage: (text: string) => { language: string; unsupported: boolean };
  scoreUnsupportedLanguages: boolean;
}

export function prepareInput(value: unknown, options: PrepareOptions): PreparedInput {
  if (typeof value !== 'string') return { kind: 'neutral', flags: { invalidInput: true } };
  const flags: SentimentFlags = {};
  const budget = cutToCharBudget(value, options.maxChars);
  if (budget.cut) flags.truncated = true;
  const wellFormed = toWellFormedText(budget.text);
  if (wellFormed.repaired) flags.repairedEncoding = true;
  const text = wellFormed.text;
  if (isInvisibleText(text)) return { kind: 'neutral', flags: { ...flags, empty: true } };

  const { language, unsupported } = options.detectLanguage(text);
  flags.language = language;
  if (unsupported) {
    flags.unsupportedLanguage = true;
    if (!options.scoreUnsupportedLanguages) return { kind: 'neutral', flags: { ...flags, skipped: true } };
  }
  return { kind: 'score', text, flags };
}
