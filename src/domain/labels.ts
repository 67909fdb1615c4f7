// Label maps: how a model's own output classes become our negative/neutral/positive probabilities.
// Pure code (no model, no AWS), so every supported convention is unit-tested from a config.json alone.
import { LABELS, type Label, type Probabilities } from './sentiment.js';

export interface LabelScheme {
  kind: 'three-class' | 'binary' | 'star-rating';
  /** Model class indices behind each of our labels (one each; neutral absent for binary; several for stars). */
  indices: Partial<Record<Label, number | number[]>>;
  /** Number of model output classes. */
  numClasses: number;
  /** The model's per-class probabilities (in its class-index order) as ours. */
  toProbabilities(classProbabilities: ArrayLike<number>): Probabilities;
}

/** The model config fields we read (config.json). */
export interface ModelLabelConfig {
  id2label?: Record<string, string>;
}

/** Label names we accept, compared lower-cased: 'Negative', 'NEGATIVE', 'neg' all work. */
const NAMED: Record<string, Label> = {
  negative: 'negative',
  neg: 'negative',
  neutral: 'neutral',
  neu: 'neutral',
  positive: 'positive',
  pos: 'positive',
};

/** cardiffnlp convention for unnamed three-class heads: 0 negative, 1 neutral, 2 positive. */
const GENERIC_THREE_CLASS: Record<string, Label> = { label_0: 'negative', label_1: 'neutral', label_2: 'positive' };

/**
 * Binary models (e.g. DistilBERT SST-2: NEGATIVE/POSITIVE) have no neutral class, so we define one.
 * With p, q the model's P(pos), P(neg), d = |p - q| and margin m (BINARY_NEUTRAL_MARGIN):
 *   P(neutral) = n = min(1, c * (1 - d)),  c = (1 + m) / ((3 + m)(1 - m))
 *   P(positive) = p * (1 - n),  P(negative) = q * (1 - n)
 * The polar classes keep the model's ratio, everything sums to 1, the score (p - q)(1 - n) keeps the
 * model's sign and grows with d, a certain model (d = 1) gives n = 0, and c is the constant for which
 * neutral is the top label exactly when d < m. With m = 0 there is never a neutral share.
 */
export function binaryProbabilities(pPositive: number, pNegative: number, margin: number): Probabilities {
  const total = pPositive + pNegative;
  const p = total > 0 ? pPositive / total : 0.5;
  const q = 1 - p;
  if (!(margin > 0)) return { negative: q, neutral: 0, positive: p };
  const d = Math.abs(p - q);
  const c = (1 + margin) / ((3 + margin) * (1 - margin));
  const n = Math.min(1, c * (1 - d));
  return { negative: q * (1 - n), neutral: n, positive: p * (1 - n) };
}

export class UnsupportedLabelsError extends Error {
  constructor(labels: string[], source: string) {
    super(
      `Unsupported label set [${labels.join(', ')}] in ${source}: expected negative/neutral/positive ` +
        `(any case), POSITIVE/NEGATIVE (binary), LABEL_0..LABEL_2 (0 negative, 1 neutral, 2 positive) ` +
        `or a star rating "1 star".."N stars" (N odd, e.g. 5)`,
    );
    this.name = 'UnsupportedLabelsError';
  }
}

/** Reads id2label from a model config and returns how to map its outputs; throws on unknown label sets. */
export function labelSchemeFromConfig(
  config: ModelLabelConfig,
  options: { binaryNeutralMargin: number; source?: string },
): LabelScheme {
  const source = options.source ?? 'config.json';
  const id2label = config.id2label;
  if (!id2label || typeof id2label !== 'object')
    throw new Error(`${source} has no id2label: cannot tell what the model's outputs mean`);
  const entries = Object.entries(id2label).map(([id, name]) => [Number(id), String(name)] as const);
  const names = entries.map(([, name]) => name);
  const numClasses = entries.length;
  const ids = entries.map(([id]) => id).sort((a, b) => a - b);
  if (!ids.every((id, i) => id === i))
    throw new Error(`${source} id2label ids must be 0..${numClasses - 1}, got [${ids.join(', ')}]`);

  const stars = starRatingScheme(entries);
  if (stars) return stars;
  const byName = mapNames(entries, NAMED) ?? (numClasses === 3 ? mapNames(entries, GENERIC_THREE_CLASS) : undefined);
  if (!byName) throw new UnsupportedLabelsError(names, source);

  if (numClasses === 3 && LABELS.every((label) => byName[label] !== undefined)) {
    const { negative, neutral, positive } = byName as Record<Label, number>;
    return {
      kind: 'three-class',
      indices: byName,
      numClasses,
      toProbabilities: (probs) => ({ negative: probs[negative], neutral: probs[neutral], positive: probs[positive] }),
    };
  }
  if (numClasses === 2 && byName.negative !== undefined && byName.positive !== undefined) {
    const { negative, positive } = byName as Record<'negative' | 'positive', number>;
    const margin = options.binaryNeutralMargin;
    return {
      kind: 'binary',
      indices: byName,
      numClasses,
      toProbabilities: (probs) => binaryProbabilities(probs[positive], probs[negative], margin),
    };
  }
  throw new UnsupportedLabelsError(names, source);
}

/**
 * Star-rating heads (e.g. nlptown's bert-base-multilingual-uncased-sentiment: "1 star".."5 stars"). The stars below
 * the middle one are negative, the middle one neutral, those above positive, and each of our probabilities is the
 * sum of its stars' (1-2 negative, 3 neutral, 4-5 positive on five stars). The score, P(positive) - P(negative),
 * then weighs "4 stars" like "5 stars": the label map keeps the model's three-way split, not its fine grading.
 */
function starRatingScheme(entries: ReadonlyArray<readonly [number, string]>): LabelScheme | undefined {
  const n = entries.length;
  if (n < 3 || n % 2 === 0) return undefined;
  const byStars = new Map<number, number>();
  for (const [id, name] of entries) {
    const match = /^([1-9])\s*stars?$/i.exec(name.trim());
    if (!match || byStars.has(Number(match[1]))) return undefined;
    byStars.set(Number(match[1]), id);
  }
  if (![...byStars.keys()].every((stars) => stars <= n)) return undefined;
  const middle = (n + 1) / 2;
  const group = (test: (stars: number) => boolean) => [...byStars].filter(([stars]) => test(stars)).map(([, id]) => id);
  const negative = group((stars) => stars < middle);
  const neutral = group((stars) => stars === middle);
  const positive = group((stars) => stars > middle);
  const sum = (probs: ArrayLike<number>, ids: number[]) => ids.reduce((total, id) => total + probs[id], 0);
  return {
    kind: 'star-rating',
    indices: { negative, neutral, positive },
    numClasses: n,
    toProbabilities: (probs) => ({
      negative: sum(probs, negative),
      neutral: sum(probs, neutral),
      positive: sum(probs, positive),
    }),
  };
}

/** One line for logs: the scheme and which model classes feed each label. */
export function describeLabelScheme(scheme: LabelScheme): string {
  const parts = Object.entries(scheme.indices).map(([label, ids]) => `${label} <- ${[ids].flat().join('+')}`);
  return `${scheme.kind} (${parts.join(', ')})`;
}

/** Maps every class name through the table; undefined if any name is unknown or two map to one label. */
function mapNames(
  entries: ReadonlyArray<readonly [number, string]>,
  table: Record<string, Label>,
): Partial<Record<Label, number>> | undefined {
  const result: Partial<Record<Label, number>> = {};
  for (const [id, name] of entries) {
    const label = table[name.trim().toLowerCase()];
    if (label === undefined || result[label] !== undefined) return undefined;
    result[label] = id;
  }
  return result;
}

/** Numerically stable softmax over one row of logits. */
export function softmax(logits: ArrayLike<number>, offset = 0, length = logits.length - offset): Float64Array {
  const out = new Float64Array(length);
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, logits[offset + i]);
  let sum = 0;
  for (let i = 0; i < length; i++) sum += out[i] = Math.exp(logits[offset + i] - max);
  for (let i = 0; i < length; i++) out[i] /= sum;
  return out;
}
