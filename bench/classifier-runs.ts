// The project's classifier as callers use it (getClassifier().classify, tokenisation included), the
// lexicon fallback, and a stage-by-stage profile of one classify call to see where the time goes.
import { loadConfig, type Config, type ModelDtype } from '../src/config.js';
import { getClassifier, type Classifier } from '../src/classifier/index.js';
import { LexiconClassifier } from '../src/classifier/lexicon.js';
import { prepareInput } from '../src/classifier/input.js';
import { detectLanguage } from '../src/classifier/language.js';
import { tokenIdEncoder } from '../src/classifier/token-ids.js';
import { sessionOptions } from '../src/classifier/transformer.js';
import { softmax } from '../src/domain/labels.js';
import { chunks, median, timePasses, textsPerSec, type RunPlan } from './measure.js';
import {
  buildFeeds,
  classifierRunCost,
  createSession,
  plannedRuns,
  loadTokenizer,
  modelPath,
  type ModelRef,
  type ModelTokens,
} from './raw-ort.js';

export function benchConfig(model: ModelRef, dtype: ModelDtype, threads: number): Config {
  return loadConfig({
    ...process.env,
    MODEL_ID: model.id,
    MODEL_DIR: model.dir,
    MODEL_DTYPE: dtype,
    ORT_THREADS: String(threads),
  });
}

/** The shared classifier for that model; refuses the silent lexicon fallback (it would be benchmarked as the model). */
export async function transformerClassifier(config: Config): Promise<Classifier> {
  const classifier = await getClassifier(config);
  const [probe] = await classifier.classify(['benchmark probe: is the model loaded?']);
  if (probe.method !== 'transformer') {
    throw new Error(
      `model ${config.model.id} (${config.model.dtype}) did not load from ${config.model.dir}: ` +
        'the classifier fell back to the lexicon',
    );
  }
  return classifier;
}

export interface ThroughputResult {
  textsPerSec: number;
  msPerText: number;
  passMs: number[];
}

/** One pass = every text once, in arrival order, `batchSize` texts per classify() call. */
export async function timeClassifier(
  classifier: Classifier,
  texts: string[],
  batchSize: number,
  plan: RunPlan,
): Promise<ThroughputResult> {
  const batches = chunks(texts, batchSize);
  const passMs = await timePasses(plan, async () => {
    for (const batch of batches) await classifier.classify(batch);
  });
  const perSec = textsPerSec(texts.length, passMs);
  return { textsPerSec: perSec, msPerText: 1000 / perSec, passMs };
}

export async function timeLexicon(texts: string[], plan: RunPlan): Promise<ThroughputResult> {
  return timeClassifier(new LexiconClassifier(), texts, 50, plan);
}

/** Median ms per pass of tokenising alone, as the classifier tokenises (the token-id shortcut, memo warm). */
export async function timeTokenizer(
  model: ModelRef,
  texts: string[],
  batchSize: number,
  plan: RunPlan,
): Promise<number> {
  const { encode } = tokenIdEncoder((await loadTokenizer(model)).tokenizer);
  const batches = chunks(texts, batchSize);
  return median(
    await timePasses(plan, async () => {
      for (const batch of batches) for (const text of batch) encode(text);
    }),
  );
}

/** Where one classify pass (batches of 50, arrival order) spends its time, stage by stage, in ms per pass. */
export interface StageProfile {
  inputHygieneMs: number;
  languageDetectionMs: number;
  /** As the classifier tokenises: the token-id shortcut. */
  tokenizeMs: number;
  /** transformers.js's tokenizer.encode() on the same texts, which the shortcut stands in for. */
  plainEncodeMs: number;
  tensorsMs: number;
  /** session.run on the runs the classifier plans for batches of 50, as the classifier calls it. */
  sessionRunMs: number;
  softmaxMs: number;
  /** The sum of the classifier's stages: hygiene, tokenise, tensors, session.run, softmax. */
  stagesTotalMs: number;
  measuredClassifierMs: number;
}

export async function profileStages(
  model: ModelRef,
  config: Config,
  texts: string[],
  tokens: ModelTokens,
  plan: RunPlan,
  measuredClassifierMs: number,
): Promise<StageProfile> {
  const batches = plannedRuns(tokens.ids, 50, classifierRunCost(model, config.model.threads));
  const byStage = async (pass: () => unknown) =>
    median(
      await timePasses(plan, async () => {
        pass();
      }),
    );
  const hygiene = { maxChars: tokens.maxTokens * 16, detectLanguage, scoreUnsupportedLanguages: true };
  const inputHygieneMs = await byStage(() => texts.forEach((t) => prepareInput(t, hygiene)));
  const languageDetectionMs = await byStage(() => texts.forEach((t) => detectLanguage(t)));
  const { encode } = tokenIdEncoder(tokens.tokenizer);
  const tokenizeMs = await byStage(() => texts.forEach((t) => encode(t)));
  const plainEncodeMs = await byStage(() => texts.forEach((t) => tokens.tokenizer.encode(t)));

  const inputNames = ['input_ids', 'attention_mask', 'token_type_ids'];
  const tensorsMs = await byStage(() =>
    batches.forEach((b) =>
      buildFeeds(
        b.map((i) => tokens.ids[i]),
        tokens.padId,
        inputNames,
      ),
    ),
  );
  const feeds = batches.map((b) =>
    buildFeeds(
      b.map((i) => tokens.ids[i]),
      tokens.padId,
      inputNames,
    ),
  );

  const { dtype, threads } = config.model;
  const session = await createSession(modelPath(model, dtype), sessionOptions(threads));
  const logits: Float32Array[] = [];
  const sessionRunMs = median(
    await timePasses(plan, async () => {
      logits.length = 0;
      for (const f of feeds) {
        const out = await session.run(Object.fromEntries(session.inputNames.map((n) => [n, f.feeds[n]])));
        logits.push(out.logits.data as Float32Array);
      }
    }),
  );
  await session.release();
  const softmaxMs = await byStage(() =>
    logits.forEach((l) => {
      for (let r = 0; r < l.length / 3; r++) softmax(l, r * 3, 3);
    }),
  );

  const stagesTotalMs = inputHygieneMs + tokenizeMs + tensorsMs + sessionRunMs + softmaxMs;
  return {
    inputHygieneMs,
    languageDetectionMs,
    tokenizeMs,
    plainEncodeMs,
    tensorsMs,
    sessionRunMs,
    softmaxMs,
    stagesTotalMs,
    measuredClassifierMs,
  };
}
