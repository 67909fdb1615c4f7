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
  /** Another scorer's answer from the file itself (`--baseline-field`): a label or a polarity. */
  baseline?: Label | number;
}

export interface EvalReport extends EvalMetrics {
  model: string;
  method: string;
  dtype?: string;
  /** 'binary' when the data has no neutral rows (neutral folded away), else 'three-class'. */
  scoring: 'binary' | 'three-class';
  /** Absent for a baseline read from the file (nothing was scored). */
  textsPerSecond?: number;
  /** How a file column's values became labels (`--baseline-field`). */
  rule?: string;
  /** Detected language (flags.language) -> rows, over every row. */
  detectedLanguages: Record<string, number>;
  /** Per gold language, for the rows that have one. */
  byLanguage: Record<string, LanguageMetrics>;
  /** Which model scored the rows: modelId -> rows. */
  byModel: Record<string, number>;
  /** `--baseline lexicon`: the AFINN lexicon on the same rows. */
  baseline?: EvalReport;
  /** `--baseline-field`: the labels or polarities the file itself holds (e.g. TextBlob's), on the same rows. */
  columnBaseline?: EvalReport;
}

/**
 * Parses JSONL; errors name the line. With `baselineField`, every row must also hold that field: a label
 * (`negative|neutral|positive`) or a finite number (a polarity such as TextBlob's, read by baselinePredictions).
 */
export function parseLabelledJsonl(contents: string, source: string, baselineField?: string): LabelledText[] {
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
    const parsed: LabelledText = { text, label: label as Label };
    if (language !== undefined) parsed.language = toIso3(language);
    if (baselineField !== undefined) parsed.baseline = baselineValue(row, baselineField, `${source}:${i + 1}`);
    rows.push(parsed);
  });
  if (rows.length === 0) throw new UsageError(`${source}: no rows`);
  return rows;
}

function baselineValue(row: unknown, field: string, where: string): Label | number {
  const value = (row as Record<string, unknown>)[field];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (LABELS.includes(value as Label)) return value as Label;
  throw new UsageError(
    `${where}: "${field}" (--baseline-field) must be a number (a polarity) or one of ${LABELS.join(', ')}, ` +
      `got ${JSON.stringify(value)}`,
  );
}

/** Whether the rows are scored binary: a file (or a --binary selection) without neutral rows. */
export function isBinary(rows: readonly LabelledText[]): boolean {
  return !rows.some((r) => r.label === 'neutral');
}

/** The metrics of predictions made elsewhere (a model's, or a column of the file), over the same rows. */
export function reportFor(
  rows: readonly LabelledText[],
  predicted: readonly Label[],
  detected: readonly string[],
): Omit<EvalReport, 'model' | 'method' | 'dtype' | 'byModel'> {
  const binary = isBinary(rows);
  const labels: readonly Label[] = binary ? ['negative', 'positive'] : LABELS;
  return {
    ...computeMetrics(
      rows.map((r) => r.label),
      predicted,
      labels,
    ),
    scoring: binary ? 'binary' : 'three-class',
    detectedLanguages: tally(detected),
    byLanguage: metricsByLanguage(rows, predicted, detected, labels),
  };
}

export async function evaluate(
  classifier: Classifier & { method?: string },
  rows: LabelledText[],
  onProgress: (done: number) => void = () => {},
): Promise<Omit<EvalReport, 'model' | 'method' | 'dtype'>> {
  const binary = isBinary(rows);
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
  return {
    ...reportFor(rows, predicted, detected),
    textsPerSecond: rows.length / (elapsedMs / 1000),
    byModel: tally(scoredBy),
  };
}
