// The contract every classifier (transformer or lexicon) answers with. No AWS imports in src/domain.

export const LABELS = ['negative', 'neutral', 'positive'] as const;
export type Label = (typeof LABELS)[number];

export type Probabilities = Record<Label, number>;

export interface SentimentFlags {
  /** Empty or whitespace-only text: answered neutral without calling the model. */
  empty?: boolean;
  /** The text was longer than the model's maximum and was cut. */
  truncated?: boolean;
  /** ISO 639-3 code from language detection ('und' when too short to tell). */
  language?: string;
  /** Detected language is one the model was not trained on. */
  unsupportedLanguage?: boolean;
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
