// Transformer classifier: a local model in transformers.js's layout, tokenised by transformers.js's tokenizer library
// (tokenizers.js, ./tokenizer.ts) and run on onnxruntime-node (the runtime transformers.js itself runs models on in
// Node). Loaded once per process by getClassifier(); never fetches anything remotely.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { type Config, disableOnnxRuntimeTelemetry } from '../config.js';
import { labelSchemeFromConfig, softmax, type LabelScheme } from '../domain/labels.js';
import type { Classifier, Sentiment } from '../domain/sentiment.js';
import { classifyBatch, type ScoredText } from './batch.js';
import { detectLanguage } from './language.js';
import { tokenIdEncoder } from './token-ids.js';
import { ModelTokenizer, type TokenizerConfig } from './tokenizer.js';
import {
  encodeForModel,
  hiddenSizeOf,
  MAX_TEXTS_PER_RUN,
  MAX_TOKENS_PER_RUN,
  planBatches,
  runOverheadTokens,
  type EncodedText,
  type SpecialTokenLayout,
} from './tokens.js';

/** Files a model directory must hold, by dtype (transformers.js naming). */
export function requiredModelFiles(dtype: Config['model']['dtype']): string[] {
  const onnx = dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', onnx];
}

/** Fallback when neither the tokenizer nor the config states a maximum length. */
const DEFAULT_MAX_TOKENS = 512;
/** Raw characters kept per token of model maximum before tokenising: generous, a token is rarely > 16 chars. */
const CHARS_PER_TOKEN_BUDGET = 16;

// onnxruntime-node's native binding is imported on first load, not with this module: if it cannot load,
// getClassifier() still falls back to the lexicon instead of the handler failing at import.
const loadRuntime = () => {
  disableOnnxRuntimeTelemetry();
  return import('onnxruntime-node');
};

export interface TransformerParts {
  modelId: string;
  tokenizer: ModelTokenizer;
  session: InferenceSession;
  scheme: LabelScheme;
  maxTokens: number;
  scoreUnsupportedLanguages: boolean;
  /** What one more ONNX run costs in padded tokens, for the threads and the model's width (runOverheadTokens). */
  runOverheadTokens: number;
  Tensor: typeof Tensor;
}

export class TransformerClassifier implements Classifier {
  readonly modelId: string;
  readonly method = 'transformer' as const;
  readonly scheme: LabelScheme;
  readonly maxTokens: number;
  readonly #encode: (text: string) => number[];
  readonly #session: InferenceSession;
  readonly #layout: SpecialTokenLayout;
  readonly #padId: number;
  readonly #needsTokenTypeIds: boolean;
  readonly #runOverheadTokens: number;
  readonly #Tensor: typeof Tensor;
  readonly #batchOptions: Parameters<typeof classifyBatch>[1];

  constructor(parts: TransformerParts) {
    this.modelId = parts.modelId;
    this.scheme = parts.scheme;
    this.maxTokens = parts.maxTokens;
    const encoder = tokenIdEncoder(parts.tokenizer);
    this.#encode = encoder.encode;
    this.#layout = encoder.layout;
    this.#session = parts.session;
    this.#needsTokenTypeIds = parts.session.inputNames.includes('token_type_ids');
    this.#runOverheadTokens = parts.runOverheadTokens;
    this.#Tensor = parts.Tensor;
    this.#padId = parts.tokenizer.pad_token_id ?? 0;
    this.#batchOptions = {
      modelId: this.modelId,
      method: this.method,
      maxChars: this.maxTokens * CHARS_PER_TOKEN_BUDGET,
      detectLanguage,
      scoreUnsupportedLanguages: parts.scoreUnsupportedLanguages,
    };
  }

  /** Raw characters read of a text before tokenising. */
  get maxChars(): number {
    return this.#batchOptions.maxChars;
  }

  classify(texts: string[]): Promise<Sentiment[]> {
    return classifyBatch(texts, this.#batchOptions, (batch) => this.score(batch));
  }

  /** Scores prepared texts (well formed, non-empty, within maxChars): what a router calls. */
  async score(texts: string[]): Promise<ScoredText[]> {
    const encoded = texts.map((text) => encodeForModel(this.#encode(text), this.#layout, this.maxTokens));
    const results = new Array<ScoredText>(texts.length);
    // Sorted by length so each run pads to a similar length; the plan keeps original indices.
    for (const run of planBatches(
      encoded.map((e) => e.ids.length),
      MAX_TEXTS_PER_RUN,
      MAX_TOKENS_PER_RUN,
      this.#runOverheadTokens,
    )) {
      const logits = await this.#run(run.map((i) => encoded[i]));
      const numClasses = this.scheme.numClasses;
      run.forEach((textIndex, row) => {
        const probabilities = this.scheme.toProbabilities(softmax(logits, row * numClasses, numClasses));
        results[textIndex] = encoded[textIndex].truncated ? { probabilities, truncated: true } : { probabilities };
      });
    }
    return results;
  }

  /** One ONNX run over texts padded to the longest of them; returns logits row-major [batch, classes]. */
  async #run(batch: EncodedText[]): Promise<ArrayLike<number>> {
    const width = Math.max(...batch.map((e) => e.ids.length));
    const size = batch.length * width;
    const inputIds = new BigInt64Array(size).fill(BigInt(this.#padId));
    const attentionMask = new BigInt64Array(size);
    batch.forEach(({ ids }, row) => {
      const offset = row * width;
      for (let i = 0; i < ids.length; i++) {
        inputIds[offset + i] = BigInt(ids[i]);
        attentionMask[offset + i] = 1n;
      }
    });
    const dims = [batch.length, width];
    const feeds: Record<string, Tensor> = {
      input_ids: new this.#Tensor('int64', inputIds, dims),
      attention_mask: new this.#Tensor('int64', attentionMask, dims),
    };
    if (this.#needsTokenTypeIds) feeds.token_type_ids = new this.#Tensor('int64', new BigInt64Array(size), dims);
    const { logits } = await this.#session.run(feeds);
    return logits.data as Float32Array;
  }
}

/**
 * onnxruntime session options: all graph optimisations, intra-op threads as configured (the vCPUs), one
 * sequential stream. The memory pattern is off: every run has a new shape, so a pattern planned for the last
 * one rarely applies (npm run bench: pattern on was 0.3-3% slower on both models in four sweeps).
 */
export const sessionOptions = (threads: number) =>
  ({
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: true,
    enableMemPattern: false,
  }) as const;

type ModelConfig = {
  id2label?: Record<string, string>;
  model_type?: string;
  max_position_embeddings?: number;
  pad_token_id?: number;
} & Parameters<typeof hiddenSizeOf>[0];

/**
 * RoBERTa-family models number positions from pad_token_id + 1 (fairseq's convention), so of their
 * max_position_embeddings (514) only 512 can hold tokens. Their tokenizers do not always say so: cardiffnlp's
 * XLM-R states no maximum (transformers writes 1e30), and a 513-token post would index past the position table.
 */
const POSITIONS_AFTER_PADDING = new Set([
  'roberta',
  'xlm-roberta',
  'xlm-roberta-xl',
  'camembert',
  'data2vec-text',
  'xmod',
  'mpnet',
]);

/** How many tokens (special ones included) the model's position embeddings can take. */
export function positionsAvailable(config: ModelConfig): number {
  const table = config.max_position_embeddings ?? Infinity;
  return POSITIONS_AFTER_PADDING.has(config.model_type ?? '') ? table - ((config.pad_token_id ?? 1) + 1) : table;
}

export async function loadTransformerClassifier(config: Config): Promise<TransformerClassifier> {
  const { id, dir, dtype, threads, binaryNeutralMargin } = config.model;
  const modelDir = join(dir, id);
  const [configFile, tokenizerFile, tokenizerConfigFile, onnxFile] = requiredModelFiles(dtype);
  const expected = `expected ${requiredModelFiles(dtype).join(', ')}`;
  /** A file's JSON, or why not: missing (its errno code) or not JSON (the parser's message). */
  const readJson = async (file: string): Promise<{ json: unknown } | { missing: string } | { notJson: string }> => {
    let text: string;
    try {
      text = await readFile(join(modelDir, file), 'utf8');
    } catch (error) {
      return { missing: (error as NodeJS.ErrnoException).code ?? String(error) };
    }
    try {
      return { json: JSON.parse(text) as unknown };
    } catch (error) {
      return { notJson: (error as Error).message };
    }
  };
  const problem = (file: string, read: { missing: string } | { notJson: string }) =>
    'missing' in read ? `no ${file} (${read.missing})` : `${file} is not JSON (${read.notJson})`;
  // Read and check the labels first: an unsupported label set fails here, before the ONNX load.
  const configRead = await readJson(configFile);
  if ('missing' in configRead) throw new Error(`Model ${id} not found in ${dir} (${configRead.missing}); ${expected}`);
  if (!('json' in configRead)) throw new Error(`Model ${id} in ${dir}: ${problem(configFile, configRead)}`);
  const modelConfig = configRead.json as ModelConfig;
  const scheme = labelSchemeFromConfig(modelConfig, { binaryNeutralMargin, source: join(modelDir, configFile) });

  // Both reads finish before any error, so a model missing both tokenizer files names both, every time.
  const tokenizerFiles = [tokenizerFile, tokenizerConfigFile];
  const tokenizerJsons: unknown[] = [];
  const unread: string[] = [];
  (await Promise.all(tokenizerFiles.map(readJson))).forEach((read, i) => {
    if ('json' in read) tokenizerJsons.push(read.json);
    else unread.push(problem(tokenizerFiles[i], read));
  });
  if (unread.length > 0) throw new Error(`Model ${id} in ${dir}: ${unread.join(', ')}; ${expected}`);
  const [tokenizerJson, tokenizerConfig] = tokenizerJsons;
  const tokenizer = new ModelTokenizer(tokenizerJson as object, tokenizerConfig as TokenizerConfig);
  const ort = await loadRuntime();

  const onnxPath = join(modelDir, onnxFile);
  // logSeverityLevel 3 (errors): transformers.js's own default for its sessions.
  const session = await ort.InferenceSession.create(onnxPath, { logSeverityLevel: 3, ...sessionOptions(threads) });
  const missing = [
    ...['input_ids', 'attention_mask'].filter((name) => !session.inputNames.includes(name)).map((n) => `input ${n}`),
    ...(session.outputNames.includes('logits') ? [] : ['output logits']),
  ];
  if (missing.length > 0) {
    await session.release();
    throw new Error(`${onnxPath} is not a sequence-classification graph: no ${missing.join(', ')}`);
  }

  const fromTokenizer = Number.isFinite(tokenizer.model_max_length) ? tokenizer.model_max_length : undefined;
  const maxTokens = Math.min(fromTokenizer ?? Infinity, positionsAvailable(modelConfig));
  return new TransformerClassifier({
    modelId: id,
    tokenizer,
    session,
    scheme,
    maxTokens: Number.isFinite(maxTokens) ? maxTokens : DEFAULT_MAX_TOKENS,
    scoreUnsupportedLanguages: config.scoreUnsupportedLanguages,
    runOverheadTokens: runOverheadTokens(threads, hiddenSizeOf(modelConfig)),
    Tensor: ort.Tensor,
  });
}
