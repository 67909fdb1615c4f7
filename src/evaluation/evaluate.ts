// Scores a labelled set with a classifier: accuracy, macro recall, per-language and per-model tallies.
// The eval CLI (src/cli/eval.ts) and the tests use it; it reads no files and prints nothing.
import { toIso3 } from '../classifier/language.js';
import {
  computeMetrics,
  metricsByLanguage,
  predictionFor,
  tally,
  type EvalMetrics,
  type LanguageMetrics,
} from '../classifier/metrics.js';
import { LABELS, type Classifier, type Label } from '../domain/sentiment.js';
import { UsageError } from '../errors.js';

/** Texts per classify() call: large enough for efficient batches, small enough for a live progress bar. */
const CHUNK = 256;

export interface LabelledText {
  text: string;
  label: Label;
  /** Gold language (ISO 639-3), when the file says. */
  language?: string;
}

export interface EvalReport extends EvalMetrics {
  model: string;
  method: string;
  dtype?: string;
  /** 'binary' when the data has no neutral rows (neutral folded away), else 'three-class'. */
  scoring: 'binary' | 'three-class';
  textsPerSecond: number;
  /** Detected language (flags.language) -> rows, over every row. */
  detectedLanguages: Record<string, number>;
  /** Per gold language, for the rows that have one. */
  byLanguage: Record<string, LanguageMetrics>;
  /** Which model scored the rows: modelId -> rows. */
  byModel: Record<string, number>;
  baseline?: EvalReport;
}

/** Parses JSONL; errors name the line. */
export function parseLabelledJsonl(contents: string, source: string): LabelledText[] {
  const rows: LabelledText[] = [];
  contents.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new UsageError(`${source}:${i + 1}: not valid JSON`);
    }
    const { text, label, language } = (row ?? {}) as { text?: unknown; label?: unknown; language?: unknown };
    if (typeof text !== 'string') throw new UsageError(`${source}:${i + 1}: "text" must be a string`);
    if (!LABELS.includes(label as Label))
      throw new UsageError(
        `${source}:${i + 1}: "label" must be one of ${LABELS.join(', ')}, got ${JSON.stringify(label)}`,
      );
    if (language !== undefined && (typeof language !== 'string' || !/^[a-z]{2,3}$/.test(language))) {
      throw new UsageError(
        `${source}:${i + 1}: "language" must be an ISO 639-3 (or 639-1) code, got ${JSON.stringify(language)}`,
      );
    }
    rows.push(
      language === undefined
        ? { text, label: label as Label }
        : { text, label: label as Label, language: toIso3(language) },
    );
  });
  if (rows.length === 0) throw new UsageError(`${source}: no rows`);
  return rows;
}

export async function evaluate(
  classifier: Classifier & { method?: string },
  rows: LabelledText[],
  onProgress: (done: number) => void = () => {},
): Promise<Omit<EvalReport, 'model' | 'method' | 'dtype'>> {
  const binary = !rows.some((r) => r.label === 'neutral');
  const labels: readonly Label[] = binary ? ['negative', 'positive'] : LABELS;
  const predicted: Label[] = [];
  const detected: string[] = [];
  const scoredBy: string[] = [];
  let elapsedMs = 0;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK).map((r) => r.text);
    const began = performance.now();
    const results = await classifier.classify(chunk);
    elapsedMs += performance.now() - began;
    for (const sentiment of results) {
      predicted.push(predictionFor(sentiment, binary));
      detected.push(sentiment.flags.language ?? 'und');
      scoredBy.push(sentiment.modelId);
    }
    onProgress(predicted.length);
  }
  const metrics = computeMetrics(
    rows.map((r) => r.label),
    predicted,
    labels,
  );
  return {
    ...metrics,
    scoring: binary ? 'binary' : 'three-class',
    textsPerSecond: rows.length / (elapsedMs / 1000),
    detectedLanguages: tally(detected),
    byLanguage: metricsByLanguage(rows, predicted, detected, labels),
    byModel: tally(scoredBy),
  };
}
