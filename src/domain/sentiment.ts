// The contract every classifier (transformer or lexicon) answers with. No AWS imports in src/domain.

export const LABELS = ['negative', 'neutral', 'positive'] as const;
export type Label = (typeof LABELS)[number];

export type Probabilities = Record<Label, number>;

export interface SentimentFlags {
  /** Empty or whitespace-only text: answered neutral without calling the model. */
  empty?: boolean;
  /** The text was longer than the model's maximum (or the raw character budget) and was cut. */
  truncated?: boolean;
  /** ISO 639-3 code from language detection ('und' when too short to tell). */
  language?: string;
  /** Detected language is one the model was not trained on. */
  unsupportedLanguage?: boolean;
  /** Not scored (unsupported language with scoring of those turned off): answered neutral. */
  skipped?: boolean;
  /** The value was not a string at runtime: answered neutral instead of failing the whole batch. */
  invalidInput?: boolean;
  /** The text contained lone UTF-16 surrogates, replaced with U+FFFD before scoring. */
  repairedEncoding?: boolean;
}

export interface Sentiment {
  label: Label;
  /** P(positive) - P(negative), in [-1, 1]. */
  score: number;
  probabilities: Probabilities;
  modelId: string;
  method: 'transformer' | 'lexicon';
  flags: SentimentFlags;
}

export interface Classifier {
  readonly modelId: string;
  /** Scores texts; the answer is in input order, one Sentiment per text. */
  classify(texts: string[]): Promise<Sentiment[]>;
}

/** The most probable label; ties go to neutral, then to the order of LABELS. */
export function argmaxLabel(p: Probabilities): Label {
  let best: Label = 'neutral';
  for (const label of LABELS) if (p[label] > p[best]) best = label;
  return best;
}

/** Builds a Sentiment from probabilities, so every classifier derives label and score the same way. */
export function sentimentFromProbabilities(
  probabilities: Probabilities,
  modelId: string,
  method: Sentiment['method'],
  flags: SentimentFlags,
): Sentiment {
  const score = Math.max(-1, Math.min(1, probabilities.positive - probabilities.negative));
  return { label: argmaxLabel(probabilities), score, probabilities, modelId, method, flags };
}

export const NEUTRAL_PROBABILITIES: Readonly<Probabilities> = Object.freeze({ negative: 0, neutral: 1, positive: 0 });
