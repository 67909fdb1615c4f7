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

/** Hidden size assumed when a model's config does not state one: BERT-base's. */
const DEFAULT_HIDDEN_SIZE = 768;

/** A model's width from its config.json (BERT-style hidden_size, DistilBERT's dim, or d_model). */
export function hiddenSizeOf(config: { hidden_size?: number; dim?: number; d_model?: number }): number {
  return config.hidden_size ?? config.dim ?? config.d_model ?? DEFAULT_HIDDEN_SIZE;
}

/**
 * What one more ONNX run costs, in padded tokens. On one thread a run costs little and padding is what counts; on
 * more, every run also wakes and synchronises ORT's thread pool. A padded token costs more on a wider model, so the
 * same run is worth fewer of them. npm run bench's plan sweeps (q8, batches of 50 cut at 16-1,024 tokens per run):
 * the shipped model (hidden 256) was fastest at 16-32 on one thread and 128-256 on two; DistilBERT-shaped (768) at
 * 16-32 on one and 32-64 on two, with 128 5% slower. Scaling 32 and 128 by 256/hidden, to a power of two, gives
 * 32/128 and 16/32.
 */
export function runOverheadTokens(threads: number, hiddenSize: number): number {
  const atWidth256 = threads <= 1 ? 32 : 128;
  return Math.max(16, 2 ** Math.round(Math.log2((atWidth256 * 256) / hiddenSize)));
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
      if (cost < best[j]) {
        best[j] = cost;
        cut[j] = i;
      }
    }
  }
  const runs: number[][] = [];
  for (let j = n; j > 0; j = cut[j]) runs.unshift(order.slice(cut[j], j));
  return runs;
}
