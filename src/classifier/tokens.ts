// Token-level helpers for the transformer path: truncation that keeps the special tokens, and
// length-sorted batch planning. Pure functions, tested without a model.

/** Special tokens a tokenizer adds around one text: [CLS] text [SEP] is { prefix: 1, suffix: 1 }. */
export interface SpecialTokenLayout {
  prefix: number;
  suffix: number;
}

export interface EncodedText {
  ids: number[];
  truncated: boolean;
}

/**
 * Cuts token ids (with special tokens) to maxTokens, keeping the trailing special tokens as the
 * model saw them in training ([CLS] head ... [SEP]), unlike a plain slice that would drop [SEP].
 */
export function encodeForModel(ids: number[], layout: SpecialTokenLayout, maxTokens: number): EncodedText {
  if (ids.length <= maxTokens) return { ids, truncated: false };
  const keepBody = maxTokens - layout.suffix;
  const cut = ids.slice(0, keepBody);
  if (layout.suffix > 0) cut.push(...ids.slice(ids.length - layout.suffix));
  return { ids: cut, truncated: true };
}

/**
 * Groups text indices into runs, shortest first, so each run pads only to a similar length. A run
 * closes at maxTexts texts or when (texts x longest length) would pass maxTokens padded tokens.
 */
export function planBatches(lengths: number[], maxTexts: number, maxTokens: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
  const runs: number[][] = [];
  let run: number[] = [];
  for (const index of order) {
    // Sorted ascending, so this text is the longest in the run so far.
    const paddedIfAdded = (run.length + 1) * lengths[index];
    if (run.length > 0 && (run.length >= maxTexts || paddedIfAdded > maxTokens)) {
      runs.push(run);
      run = [];
    }
    run.push(index);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
