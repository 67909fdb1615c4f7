// How a stored aggregate differs from a recount of its results: field by field, score sums compared with a
// tolerance (floating-point sums in another order differ in the last digits, which is not a difference).
import { zeroCounters, type Counters } from './aggregation.js';

/** The counter fields of an aggregate (count, scoreSum and one per label), from the domain's own zero. */
export const COUNTER_FIELDS = Object.keys(zeroCounters()) as Array<keyof Counters>;

export interface FieldDifference {
  field: keyof Counters;
  stored: number;
  recounted: number;
}

/** The counters an aggregate item holds; absent or non-numeric fields read as 0 (as ADD starts them). */
export function countersOf(item: Record<string, unknown> | undefined): Counters {
  const counters = zeroCounters();
  for (const field of COUNTER_FIELDS) {
    const value = Number(item?.[field] ?? 0);
    counters[field] = Number.isFinite(value) ? value : 0;
  }
  return counters;
}

/** Relative tolerance for score sums. */
const SCORE_SUM_TOLERANCE = 1e-9;

export function counterDifferences(stored: Counters, recounted: Counters): FieldDifference[] {
  return COUNTER_FIELDS.filter((field) => {
    const a = stored[field];
    const b = recounted[field];
    if (field === 'scoreSum') return Math.abs(a - b) > SCORE_SUM_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
    return a !== b;
  }).map((field) => ({ field, stored: stored[field], recounted: recounted[field] }));
}
