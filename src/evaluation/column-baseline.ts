// A baseline the labelled file holds itself (`npm run eval -- --baseline-field F`): e.g. the TextBlob polarity
// a team stored beside each post, scored on the same rows and by the same metrics as the model.
import type { Label } from '../domain/sentiment.js';
import { UsageError } from '../errors.js';
import { isBinary, reportFor, type EvalReport, type LabelledText } from './evaluate.js';

/**
 * How a number becomes a label: within ±band it is neutral, else by its sign (band 0 = TextBlob with
 * polarity 0 read as neutral); 'none' = no neutral at all, `positive if polarity > 0 else negative`.
 */
export type NeutralBand = number | 'none';

/** Parses `--baseline-neutral` (default 0). */
export function parseNeutralBand(value: string | undefined): NeutralBand {
  if (value === undefined) return 0;
  if (value === 'none') return 'none';
  const band = Number(value);
  if (value.trim() === '' || !Number.isFinite(band) || band < 0 || band >= 1)
    throw new UsageError(`--baseline-neutral must be a number in [0, 1) or "none", got "${value}"`);
  return band;
}

/** The rule, in words, for the report. */
export function describeRule(band: NeutralBand, binary: boolean): string {
  const labels = 'label values as they are';
  if (binary || band === 'none') return `${labels}; numbers: positive if > 0 else negative`;
  return `${labels}; numbers: neutral if within ±${band}, else by sign`;
}

/**
 * The label each row's baseline counts as. Binary scoring (no neutral rows) has no neutral prediction: a
 * number is positive iff > 0, and a row whose baseline says "neutral" is a usage error.
 */
export function baselinePredictions(rows: readonly LabelledText[], band: NeutralBand): Label[] {
  const binary = isBinary(rows);
  return rows.map((row, i) => {
    const value = row.baseline;
    if (value === undefined) throw new Error(`row ${i + 1} has no baseline value`);
    if (typeof value === 'string') {
      if (binary && value === 'neutral')
        throw new UsageError(
          `row ${i + 1}: the baseline says neutral, but the rows are scored binary (no neutral gold label): ` +
            'give the baseline as a number, or use three-class data',
        );
      return value;
    }
    if (binary || band === 'none') return value > 0 ? 'positive' : 'negative';
    return Math.abs(value) <= band ? 'neutral' : value > 0 ? 'positive' : 'negative';
  });
}

/** The file column scored like a model: same rows, same metrics, no languages detected. */
export function evaluateColumn(rows: readonly LabelledText[], field: string, band: NeutralBand): EvalReport {
  const detected = rows.map(() => 'und'); // nothing detected: the per-language figures use the gold language
  return {
    model: field,
    method: 'file column',
    rule: describeRule(band, isBinary(rows)),
    ...reportFor(rows, baselinePredictions(rows, band), detected),
    detectedLanguages: {},
    byModel: { [field]: rows.length },
  };
}
