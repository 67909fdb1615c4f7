// The classify() skeleton shared by the transformer and lexicon classifiers: prepare every input, answer
// the ones that need no scoring, score the rest in one call, and put the answers back in input order.
import {
  NEUTRAL_PROBABILITIES,
  sentimentFromProbabilities,
  type Probabilities,
  type Sentiment,
  type SentimentFlags,
} from '../domain/sentiment.js';
import { prepareInput, type PrepareOptions } from './input.js';

export interface ScoredText {
  probabilities: Probabilities;
  /** The scorer had to cut the text further (e.g. to the model's token limit). */
  truncated?: boolean;
  /** Which model scored it, when not the batch's own (a router's second model, or its lexicon fallback). */
  scoredBy?: { modelId: string; method: Sentiment['method'] };
}

/** Scores well-formed, non-empty texts (with their flags so far, e.g. the language); answers in the same order. */
export type TextScorer = (texts: string[], flags: SentimentFlags[]) => Promise<ScoredText[]>;

export interface BatchOptions extends PrepareOptions {
  modelId: string;
  method: Sentiment['method'];
}

export async function classifyBatch(texts: unknown, options: BatchOptions, score: TextScorer): Promise<Sentiment[]> {
  if (!Array.isArray(texts)) throw new TypeError(`classify() expects an array of strings, got ${describe(texts)}`);
  const { modelId, method } = options;
  const results = new Array<Sentiment>(texts.length);
  const toScore: string[] = [];
  const toScoreAt: number[] = [];
  const toScoreFlags: SentimentFlags[] = [];

  texts.forEach((value: unknown, i) => {
    const prepared = prepareInput(value, options);
    if (prepared.kind === 'neutral') {
      results[i] = sentimentFromProbabilities({ ...NEUTRAL_PROBABILITIES }, modelId, method, prepared.flags);
    } else {
      toScore.push(prepared.text);
      toScoreAt.push(i);
      toScoreFlags.push(prepared.flags);
    }
  });

  if (toScore.length > 0) {
    const scored = await score(toScore, toScoreFlags);
    scored.forEach(({ probabilities, truncated, scoredBy }, j) => {
      const flags = truncated ? { ...toScoreFlags[j], truncated: true } : toScoreFlags[j];
      results[toScoreAt[j]] = sentimentFromProbabilities(
        probabilities,
        scoredBy?.modelId ?? modelId,
        scoredBy?.method ?? method,
        flags,
      );
    });
  }
  return results;
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
