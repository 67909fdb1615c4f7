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

/**
 * Some of a call's answers are missing because part of the work failed (one model of a routed batch): the
 * answers that exist, in input order (undefined where the work failed), and the failure as the cause.
 */
export class PartialScoringError<T> extends Error {
  constructor(
    readonly answers: ReadonlyArray<T | undefined>,
    cause: unknown,
  ) {
    super(
      `${answers.filter((a) => a === undefined).length} of ${answers.length} texts not scored: ${String(
        (cause as Error)?.message ?? cause,
      )}`,
      { cause },
    );
    this.name = 'PartialScoringError';
  }
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
    let scored: ReadonlyArray<ScoredText | undefined>;
    let partly: PartialScoringError<ScoredText> | undefined;
    try {
      scored = await score(toScore, toScoreFlags);
    } catch (error) {
      if (!(error instanceof PartialScoringError)) throw error;
      partly = error as PartialScoringError<ScoredText>;
      scored = partly.answers;
    }
    scored.forEach((answer, j) => {
      if (!answer) return;
      const { probabilities, truncated, scoredBy } = answer;
      const flags = truncated ? { ...toScoreFlags[j], truncated: true } : toScoreFlags[j];
      results[toScoreAt[j]] = sentimentFromProbabilities(
        probabilities,
        scoredBy?.modelId ?? modelId,
        scoredBy?.method ?? method,
        flags,
      );
    });
    // The caller keeps what was scored and retries the rest (texts answered without a model are never missing).
    if (partly) throw new PartialScoringError<Sentiment>(results, partly.cause);
  }
  return results;
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
