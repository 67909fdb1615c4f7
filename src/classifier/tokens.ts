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
 * What one more ONNX run costs, in padded tokens, on this many intra-op threads. On one thread a run costs little
 * and padding is what counts; on more, every run also wakes and synchronises ORT's thread pool. npm run bench's plan
 * sweep (shipped model, q8, batches of 50 cut at 16-1,024 tokens per run), over four sessions' runs: 16-64 was
 * fastest on one thread, 64-256 on two, 512 or more clearly slower; DistilBERT-shaped on two, 64 and 256 within 2%.
 */
export function runOverheadTokens(threads: number): number {
  return threads <= 1 ? 32 : 128;
}

/** Bounds on one ONNX run: texts, and padded tokens (texts x longest), which bounds memory and padding waste. */
export const MAX_TEXTS_PER_RUN = 64;
export const MAX_TOKENS_PER_RUN = 8192;

/**
 * Groups text indices into runs that minimise padded tokens plus a fixed cost per run: texts are sorted
 * by length and cut into contiguous runs by dynamic programming (50 texts: 1,275 candidate runs).
 * costPerRun is what one extra session.run costs, in padded tokens; maxTexts/maxTokens still bound each run.
 */
export function planBatches(lengths: number[], maxTexts: number, maxTokens: number, costPerRun: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
  const n = order.length;
  // best[j]: cheapest plan for the first j sorted texts; cut[j]: where its last run starts.
  const best = new Float64Array(n + 1).fill(Infinity);
  const cut = new Int32Array(n + 1);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    const width = lengths[order[j - 1]]; // longest of any run ending at j (sorted ascending)
    for (let i = j - 1; i >= 0 && j - i <= maxTexts; i--) {
      const count = j - i;
      if (count > 1 && count * width > maxTokens) break;
      const cost = best[i] + count * width + costPerRun;
      if (cost < best[j]) { best[j] = cost; cut[j] = i; }
    }
  }
  const runs: number[][] = [];
  for (let j = n; j > 0; j = cut[j]) runs.unshift(order.slice(cut[j], j));
  return runs;
}
