// Classification metrics for `npm run eval`. Pure maths, no I/O: unit-tested on hand-made confusions.
import type { Label, Probabilities, Sentiment } from '../domain/sentiment.js';

export interface ClassMetrics {
  recall: number;
  precision: number;
  f1: number;
  /** Gold rows of this class. */
  support: number;
}

export interface EvalMetrics {
  n: number;
  accuracy: number;
  /** Mean of per-class recall (TweetEval's official sentiment metric). */
  macroRecall: number;
  macroF1: number;
  perClass: Record<string, ClassMetrics>;
  /** confusion[gold][predicted] = count. */
  confusion: Record<string, Record<string, number>>;
}

/**
 * Accuracy, macro recall/F1 and per-class scores over `labels` (the evaluation's classes). Precision of a
 * class never predicted, and F1 when precision + recall is 0, count as 0 (scikit-learn's zero_division=0).
 */
export function computeMetrics<L extends string>(
  gold: readonly L[],
  predicted: readonly L[],
  labels: readonly L[],
): EvalMetrics {
  if (gold.length !== predicted.length)
    throw new Error(`gold has ${gold.length} labels but predicted has ${predicted.length}`);
  const confusion: Record<string, Record<string, number>> = {};
  for (const g of labels) confusion[g] = Object.fromEntries(labels.map((p) => [p, 0]));
  let correct = 0;
  gold.forEach((g, i) => {
    const p = predicted[i];
    if (!(g in confusion)) throw new Error(`gold label "${g}" is not one of ${labels.join(', ')}`);
    if (!(p in confusion)) throw new Error(`predicted label "${p}" is not one of ${labels.join(', ')}`);
    confusion[g][p] += 1;
    if (g === p) correct += 1;
  });

  const perClass: Record<string, ClassMetrics> = {};
  for (const label of labels) {
    const truePositives = confusion[label][label];
    const support = labels.reduce((sum, p) => sum + confusion[label][p], 0);
    const predictedCount = labels.reduce((sum, g) => sum + confusion[g][label], 0);
    const recall = ratio(truePositives, support);
    const precision = ratio(truePositives, predictedCount);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass[label] = { recall, precision, f1, support };
  }
  const mean = (key: 'recall' | 'f1') => labels.reduce((sum, l) => sum + perClass[l][key], 0) / labels.length;
  return {
    n: gold.length,
    accuracy: ratio(correct, gold.length),
    macroRecall: mean('recall'),
    macroF1: mean('f1'),
    perClass,
    confusion,
  };
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/**
 * Prediction for a binary (positive/negative) evaluation: the neutral probability is folded away and
 * the text is positive iff P(positive) >= P(negative).
 */
export function binaryPrediction(probabilities: Probabilities): 'negative' | 'positive' {
  return probabilities.positive >= probabilities.negative ? 'positive' : 'negative';
}

/** The label a Sentiment counts as in an evaluation over `labels`. */
export function predictionFor(sentiment: Sentiment, binary: boolean): Label {
  return binary ? binaryPrediction(sentiment.probabilities) : sentiment.label;
}

export interface LanguageMetrics {
  n: number;
  macroRecall: number;
  accuracy: number;
  /** What the detector said for this gold language: code -> rows. */
  detectedAs: Record<string, number>;
}

/** Counts of each value (e.g. detected languages, scoring models). */
export function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

/**
 * Per gold language: rows, macro recall and accuracy over `labels`, and what the detector made of it. Rows
 * without a gold language are left out. Macro recall is over the labels each language's rows have.
 */
export function metricsByLanguage<L extends string>(
  rows: ReadonlyArray<{ label: L; language?: string }>,
  predicted: readonly L[],
  detected: readonly string[],
  labels: readonly L[],
): Record<string, LanguageMetrics> {
  const byLanguage = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (r.language === undefined) return;
    const indices = byLanguage.get(r.language) ?? [];
    if (indices.length === 0) byLanguage.set(r.language, indices);
    indices.push(i);
  });
  const out: Record<string, LanguageMetrics> = {};
  for (const [language, indices] of [...byLanguage].sort(([a], [b]) => a.localeCompare(b))) {
    const present = labels.filter((l) => indices.some((i) => rows[i].label === l));
    const m = computeMetrics(
      indices.map((i) => rows[i].label),
      indices.map((i) => predicted[i]),
      labels,
    );
    const macroRecall = present.reduce((sum, l) => sum + m.perClass[l].recall, 0) / present.length;
    out[language] = {
      n: indices.length,
      macroRecall,
      accuracy: m.accuracy,
      detectedAs: tally(indices.map((i) => detected[i])),
    };
  }
  return out;
}
