// Lexicon fallback: AFINN-165 word scores via the `sentiment` package. Used when the transformer model
// cannot load, and as the baseline in `npm run eval -- --baseline lexicon`.
import Sentiment from 'sentiment';
import type { Classifier, Probabilities, Sentiment as SentimentResult } from '../domain/sentiment.js';
import { classifyBatch, type ScoredText } from './batch.js';
import { detectLanguage } from './language.js';

export const LEXICON_MODEL_ID = 'lexicon-afinn-165';

/**
 * Steepness of the comparative-score curve. AFINN's comparative score is the summed word scores
 * (each -5..+5) divided by the token count; one mildly positive word (+2) in a 15-word post gives 0.13.
 * With 10, |comparative| >= 0.055 is a polar label and anything closer to zero is neutral. Chosen on
 * the SemEval-2017 *train* split (macro recall 0.61 at 8-20, falling off below 8), not on dev or test.
 */
export const LEXICON_STEEPNESS = 10;

/** Generous raw character budget: AFINN is linear in the text, a megabyte post need not be read whole. */
export const LEXICON_MAX_CHARS = 16_384;

/**
 * Maps AFINN's comparative score c to probabilities, monotone in c:
 *   s = tanh(k * c)                       (the score, in (-1, 1))
 *   P(positive) = max(s, 0), P(negative) = max(-s, 0), P(neutral) = 1 - |s|
 * so score = P(pos) - P(neg) = s, a text without sentiment words is fully neutral, and the label is
 * polar only once |s| > 0.5 (neutral near zero).
 */
export function lexiconProbabilities(comparative: number, steepness = LEXICON_STEEPNESS): Probabilities {
  const s = Number.isFinite(comparative) ? Math.tanh(steepness * comparative) : 0;
  return { negative: Math.max(-s, 0), neutral: 1 - Math.abs(s), positive: Math.max(s, 0) };
}

export interface LexiconOptions {
  scoreUnsupportedLanguages?: boolean;
}

export class LexiconClassifier implements Classifier {
  readonly modelId = LEXICON_MODEL_ID;
  readonly method = 'lexicon' as const;
  readonly #afinn = new Sentiment();
  readonly #scoreUnsupportedLanguages: boolean;

  constructor(options: LexiconOptions = {}) {
    this.#scoreUnsupportedLanguages = options.scoreUnsupportedLanguages ?? true;
  }

  readonly maxChars = LEXICON_MAX_CHARS;

  classify(texts: string[]): Promise<SentimentResult[]> {
    return classifyBatch(
      texts,
      {
        modelId: this.modelId,
        method: this.method,
        maxChars: LEXICON_MAX_CHARS,
        detectLanguage,
        scoreUnsupportedLanguages: this.#scoreUnsupportedLanguages,
      },
      (batch) => this.score(batch),
    );
  }

  /** Scores prepared texts: what a router calls. */
  async score(texts: string[]): Promise<ScoredText[]> {
    return texts.map(
      (text): ScoredText => ({ probabilities: lexiconProbabilities(this.#afinn.analyze(text).comparative) }),
    );
  }
}
