// The floor: onnxruntime-node's InferenceSession.run on texts tokenised ahead of time, in length-sorted
// batches, with tensors built before the clock starts. Whatever the classifier spends above this is overhead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AutoTokenizer, env } from '@huggingface/transformers';
import {
  hiddenSizeOf,
  MAX_TEXTS_PER_RUN,
  MAX_TOKENS_PER_RUN,
  planBatches,
  runOverheadTokens,
} from '../src/classifier/tokens.js';
import { sessionOptions } from '../src/classifier/transformer.js';
import { disableOnnxRuntimeTelemetry } from '../src/config.js';
import { chunks, timePasses, textsPerSec, type RunPlan } from './measure.js';

export interface ModelRef {
  dir: string;
  id: string;
}

export const modelPath = (model: ModelRef, dtype: 'q8' | 'fp32'): string =>
  join(model.dir, model.id, 'onnx', dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx');

type Tokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;

export interface ModelTokens {
  tokenizer: Tokenizer;
  maxTokens: number;
  padId: number;
  /** Token ids per text ([CLS] ... [SEP]), cut to maxTokens keeping [SEP] as the classifier does. */
  ids: number[][];
}

type ModelConfig = { max_position_embeddings?: number } & Parameters<typeof hiddenSizeOf>[0];

const readModelConfig = (model: ModelRef): ModelConfig =>
  JSON.parse(readFileSync(join(model.dir, model.id, 'config.json'), 'utf8'));

/** The cost per run the classifier plans with for this model on this many threads. */
export function classifierRunCost(model: ModelRef, threads: number): number {
  return runOverheadTokens(threads, hiddenSizeOf(readModelConfig(model)));
}

/** Points transformers.js (a global setting) at the model's directory, local files only, as the classifier does. */
export function useLocalModels(model: ModelRef): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = model.dir.endsWith('/') ? model.dir : `${model.dir}/`;
}

/** The model's own tokenizer, loaded the way the classifier loads it. */
export async function loadTokenizer(
  model: ModelRef,
): Promise<{ tokenizer: Tokenizer; maxTokens: number; padId: number }> {
  useLocalModels(model);
  const tokenizer = await AutoTokenizer.from_pretrained(model.id, { local_files_only: true });
  const config = readModelConfig(model);
  const fromTokenizer = Number.isFinite(tokenizer.model_max_length) ? tokenizer.model_max_length : Infinity;
  const maxTokens = Math.min(fromTokenizer, config.max_position_embeddings ?? Infinity, 512);
  return { tokenizer, maxTokens, padId: tokenizer.pad_token_id ?? 0 };
}

export async function tokenizeAll(model: ModelRef, texts: string[]): Promise<ModelTokens> {
  const loaded = await loadTokenizer(model);
  const ids = texts.map((text) => {
    const all = loaded.tokenizer.encode(text);
    return all.length <= loaded.maxTokens ? all : [...all.slice(0, loaded.maxTokens - 1), all[all.length - 1]];
  });
  return { ...loaded, ids };
}

/** Text indices, shortest first. */
export const lengthOrder = (ids: number[][]): number[] =>
  ids.map((_, i) => i).sort((a, b) => ids[a].length - ids[b].length);

/**
 * Batches of `size` taken in `order` (arrival order by default), each sorted by length and cut into runs by
 * planBatches() at the given cost per run (in padded tokens; a huge cost keeps one padded run per batch where the
 * run limits allow). With the classifier's own cost per run these are exactly the ONNX runs the classifier makes.
 */
export function plannedRuns(
  ids: number[][],
  size: number,
  runOverheadTokens: number,
  order = ids.map((_, i) => i),
): number[][] {
  return chunks(order, size).flatMap((batch) =>
    planBatches(
      batch.map((i) => ids[i].length),
      MAX_TEXTS_PER_RUN,
      MAX_TOKENS_PER_RUN,
      runOverheadTokens,
    ).map((run) => run.map((j) => batch[j])),
  );
}

export interface Feeds {
  feeds: Record<string, ort.Tensor>;
  texts: number;
  realTokens: number;
  paddedTokens: number;
}

/** Pads one batch to its longest text and builds the int64 tensors the model takes. */
export function buildFeeds(batch: number[][], padId: number, inputNames: readonly string[]): Feeds {
  const width = Math.max(...batch.map((ids) => ids.length));
  const size = batch.length * width;
  const inputIds = new BigInt64Array(size).fill(BigInt(padId));
  const mask = new BigInt64Array(size);
  let realTokens = 0;
  batch.forEach((ids, row) => {
    for (let i = 0; i < ids.length; i++) {
      inputIds[row * width + i] = BigInt(ids[i]);
      mask[row * width + i] = 1n;
    }
    realTokens += ids.length;
  });
  const dims = [batch.length, width];
  const all: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', inputIds, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(size), dims),
  };
  const feeds = Object.fromEntries(inputNames.map((name) => [name, all[name]]));
  return { feeds, texts: batch.length, realTokens, paddedTokens: size };
}

export interface SessionVariant {
  name: string;
  options: ort.InferenceSession.SessionOptions;
}

/** The classifier's options (transformers.js passes them through) and the variants worth trying. */
export function sessionVariants(threads: number): SessionVariant[] {
  const base: ort.InferenceSession.SessionOptions = { ...sessionOptions(threads) };
  const noSpin = { session: { intra_op: { allow_spinning: '0' } } };
  return [
    { name: 'classifier options (arena on, pattern off)', options: base },
    { name: 'arena on, pattern on', options: { ...base, enableMemPattern: true } },
    { name: 'arena off, pattern off', options: { ...base, enableCpuMemArena: false } },
    ...(threads > 1 ? [{ name: 'no spinning (allow_spinning 0)', options: { ...base, extra: noSpin } }] : []),
  ];
}

export async function createSession(
  path: string,
  options: ort.InferenceSession.SessionOptions,
): Promise<ort.InferenceSession> {
  disableOnnxRuntimeTelemetry(); // as the classifier does: its first session may be this one
  return ort.InferenceSession.create(path, { logSeverityLevel: 3, ...options });
}

export interface RawOrtResult {
  textsPerSec: number;
  passMs: number[];
  batches: number;
  /** Padded tokens / real tokens over the pass: 1 means no padding at all. */
  paddingFactor: number;
}

/** Tensors for every batch, built before any clock starts, and one pass over them: each batch once, in order. */
export interface PreparedRuns {
  pass: () => Promise<void>;
  texts: number;
  batches: number;
  paddingFactor: number;
}

export function prepareRuns(session: ort.InferenceSession, tokens: ModelTokens, batches: number[][]): PreparedRuns {
  const feeds = batches.map((batch) =>
    buildFeeds(
      batch.map((i) => tokens.ids[i]),
      tokens.padId,
      session.inputNames,
    ),
  );
  const padded = feeds.reduce((n, f) => n + f.paddedTokens, 0);
  const real = feeds.reduce((n, f) => n + f.realTokens, 0);
  return {
    pass: async () => {
      for (const f of feeds) await session.run(f.feeds);
    },
    texts: feeds.reduce((n, f) => n + f.texts, 0),
    batches: feeds.length,
    paddingFactor: padded / real,
  };
}

export const rawOrtResult = (runs: PreparedRuns, passMs: number[]): RawOrtResult => ({
  textsPerSec: textsPerSec(runs.texts, passMs),
  passMs,
  batches: runs.batches,
  paddingFactor: runs.paddingFactor,
});

/** Times session.run over prebuilt feeds. */
export async function timeRawOrt(
  session: ort.InferenceSession,
  tokens: ModelTokens,
  batches: number[][],
  plan: RunPlan,
): Promise<RawOrtResult> {
  const runs = prepareRuns(session, tokens, batches);
  return rawOrtResult(runs, await timePasses(plan, runs.pass));
}
