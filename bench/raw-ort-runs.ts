// Raw-ORT measurements for one model (session options, run plans, both dtypes), and the DistilBERT-shaped part.
// The floor is raw ORT on the batches the classifier gets (arrival order, 50 each), pre-tokenised, sorted by
// length and cut into runs by the best plan found; batches sorted across all texts are reported as a bound.
import type * as ort from 'onnxruntime-node';
import type { ModelDtype } from '../src/config.js';
import type { Classifier } from '../src/classifier/index.js';
import { benchConfig, timeClassifier, transformerClassifier, type ThroughputResult } from './classifier-runs.js';
import { lambdaCostPerMillion } from './cost.js';
import { chunks, log, textsPerSec, timeInterleaved, type RunPlan } from './measure.js';
import {
  classifierRunCost,
  createSession,
  lengthOrder,
  modelPath,
  plannedRuns,
  prepareRuns,
  rawOrtResult,
  sessionVariants,
  timeRawOrt,
  tokenizeAll,
  type ModelRef,
  type ModelTokens,
  type RawOrtResult,
  type SessionVariant,
} from './raw-ort.js';
import type { CrossBatch, PlanSummary, ProdShape, SessionOptionResult } from './report.js';

const BATCH = 50;
/** A cost per run no plan can pay twice: one padded run per batch of 50. */
export const ONE_RUN = 1e9;
/** Costs per run (padded tokens) the floor tries when cutting each batch of 50 into runs. */
const PLAN_COSTS = [16, 32, 64, 128, 256, 512, 1024, ONE_RUN];

export interface PlannedResult extends RawOrtResult {
  runOverheadTokens: number;
}

export interface RawOrtSweep {
  /** Every plan tried for the classifier's batches (arrival order, 50 each, sorted and cut into runs), interleaved. */
  plans: PlannedResult[];
  /** The fastest of them: the plan the floor uses in the head-to-head. */
  floorCost: number;
  /** The classifier's own cost per run for this model and threads (runOverheadTokens), always among the plans. */
  classifierCost: number;
  bestName: string;
  bestVariant: SessionVariant;
  variants: SessionOptionResult[];
}

async function withSession<T>(
  model: ModelRef,
  dtype: ModelDtype,
  variant: SessionVariant,
  fn: (s: ort.InferenceSession) => Promise<T>,
): Promise<T> {
  const session = await createSession(modelPath(model, dtype), variant.options);
  try {
    return await fn(session);
  } finally {
    await session.release();
  }
}

const planLabel = (cost: number): string =>
  cost === ONE_RUN ? 'one padded run each' : `a cost of ${cost} tokens per extra run`;

/** Session options compared on the classifier's plan; with the best one, every plan timed in interleaved rounds. */
async function sweep(
  model: ModelRef,
  tokens: ModelTokens,
  dtype: ModelDtype,
  threads: number,
  variants: SessionVariant[],
  plan: RunPlan,
  costs: number[],
): Promise<RawOrtSweep> {
  const classifierCost = classifierRunCost(model, threads);
  const byVariant: { variant: SessionVariant; result: RawOrtResult }[] = [];
  for (const variant of variants) {
    const result = await withSession(model, dtype, variant, (s) =>
      timeRawOrt(s, tokens, plannedRuns(tokens.ids, BATCH, classifierCost), plan),
    );
    log(`  raw ORT ${dtype} ${variant.name}: ${result.textsPerSec.toFixed(1)} texts/s`);
    byVariant.push({ variant, result });
  }
  const best = byVariant.reduce((a, b) => (b.result.textsPerSec > a.result.textsPerSec ? b : a));
  const sortedCosts = [...new Set([...costs, classifierCost])].sort((a, b) => a - b);
  const plans = await withSession(model, dtype, best.variant, async (session) => {
    const prepared = sortedCosts.map((cost) => prepareRuns(session, tokens, plannedRuns(tokens.ids, BATCH, cost)));
    const times = await timeInterleaved(
      plan,
      Object.fromEntries(prepared.map((runs, i) => [String(sortedCosts[i]), runs.pass])),
    );
    return prepared.map(
      (runs, i): PlannedResult => ({
        ...rawOrtResult(runs, times[String(sortedCosts[i])]),
        runOverheadTokens: sortedCosts[i],
      }),
    );
  });
  for (const p of plans)
    log(
      `  raw ORT ${dtype}, batches of ${BATCH} cut with ${planLabel(p.runOverheadTokens)}: ` +
        `${p.textsPerSec.toFixed(1)} texts/s`,
    );
  return {
    plans,
    floorCost: plans.reduce((a, b) => (b.textsPerSec > a.textsPerSec ? b : a)).runOverheadTokens,
    classifierCost,
    bestName: best.variant.name,
    bestVariant: best.variant,
    variants: byVariant.map((v) => ({ name: v.variant.name, textsPerSec: v.result.textsPerSec })),
  };
}

export async function measureRawOrt(
  model: ModelRef,
  tokens: ModelTokens,
  dtype: ModelDtype,
  threads: number,
  plan: RunPlan,
  options: { sweep?: boolean } = {},
): Promise<RawOrtSweep> {
  log(`- raw ORT ${dtype} (${threads} thread(s))`);
  const all = sessionVariants(threads);
  return sweep(model, tokens, dtype, threads, options.sweep === false ? all.slice(0, 1) : all, plan, PLAN_COSTS);
}

export interface HeadToHead {
  /** Raw ORT with the floor's plan and session options. */
  floor: PlannedResult;
  /** Raw ORT on exactly the classifier's runs (the floor itself when that plan won). */
  classifierRuns: RawOrtResult;
  classifier: ThroughputResult;
  sortedAcrossBatches: CrossBatch;
}

/**
 * The ratio that matters, measured in interleaved rounds so a slow spell hits both sides alike: raw ORT on the
 * floor's plan vs the classifier on the same texts in batches of 50, in arrival order and sorted across batches.
 */
export async function headToHead(
  model: ModelRef,
  tokens: ModelTokens,
  texts: string[],
  dtype: ModelDtype,
  raw: RawOrtSweep,
  classifier: Classifier,
  plan: RunPlan,
): Promise<HeadToHead> {
  const sortedTexts = sortedOrder(texts, tokens);
  return withSession(model, dtype, raw.bestVariant, async (session) => {
    const floorRuns = prepareRuns(session, tokens, plannedRuns(tokens.ids, BATCH, raw.floorCost));
    // The classifier's own runs, timed apart only when another plan won the sweep.
    const ownRuns =
      raw.floorCost === raw.classifierCost
        ? undefined
        : prepareRuns(session, tokens, plannedRuns(tokens.ids, BATCH, raw.classifierCost));
    const sortedRuns = prepareRuns(
      session,
      tokens,
      plannedRuns(tokens.ids, BATCH, raw.floorCost, lengthOrder(tokens.ids)),
    );
    const byBatch = (list: string[]) => async () => {
      for (const batch of chunks(list, BATCH)) await classifier.classify(batch);
    };
    const t = await timeInterleaved(plan, {
      floor: floorRuns.pass,
      classifier: byBatch(texts),
      ...(ownRuns ? { ownRuns: ownRuns.pass } : {}),
      sorted: sortedRuns.pass,
      classifierSorted: byBatch(sortedTexts),
    } as Record<string, () => Promise<unknown>>);
    const floor = { ...rawOrtResult(floorRuns, t.floor), runOverheadTokens: raw.floorCost };
    const perSec = textsPerSec(texts.length, t.classifier);
    const sorted = rawOrtResult(sortedRuns, t.sorted);
    const result: HeadToHead = {
      floor,
      classifierRuns: ownRuns ? rawOrtResult(ownRuns, t.ownRuns) : floor,
      classifier: { textsPerSec: perSec, msPerText: 1000 / perSec, passMs: t.classifier },
      sortedAcrossBatches: crossBatch(sorted, textsPerSec(texts.length, t.classifierSorted)),
    };
    log(
      `  head-to-head ${dtype}: raw ORT floor (${planLabel(raw.floorCost)}) ${floor.textsPerSec.toFixed(1)}, ` +
        `classifier ${perSec.toFixed(1)} texts/s; ` +
        `sorted across batches: raw ${sorted.textsPerSec.toFixed(1)}, ` +
        `classifier ${result.sortedAcrossBatches.classifierTextsPerSec.toFixed(1)}`,
    );
    return result;
  });
}

/** The same head-to-head on one thread, what Lambda gives at 1,769 MB (with the classifier's session options). */
export async function headToHeadOnOneThread(
  model: ModelRef,
  tokens: ModelTokens,
  texts: string[],
  dtype: ModelDtype,
  plan: RunPlan,
  costs: number[] = PLAN_COSTS,
): Promise<HeadToHead> {
  log(`- raw ORT ${dtype} vs the classifier, 1 thread`);
  const raw = await sweep(model, tokens, dtype, 1, sessionVariants(1).slice(0, 1), plan, costs);
  return headToHead(model, tokens, texts, dtype, raw, await transformerClassifier(benchConfig(model, dtype, 1)), plan);
}

/** Plans tried on the DistilBERT-shaped model: a pass takes seconds there, so fewer than on the shipped one. */
const PROD_PLAN_COSTS = [64, 256, 1024, ONE_RUN];

/** The texts shortest first, so consecutive batches of 50 are the batches raw ORT's cross-batch bound runs. */
export function sortedOrder(texts: string[], tokens: ModelTokens): string[] {
  return lengthOrder(tokens.ids).map((i) => texts[i]);
}

/** Raw ORT vs the classifier at batch 50 on the DistilBERT-shaped model, both dtypes (and q8 on one thread). */
export async function measureProdShape(
  model: ModelRef,
  texts: string[],
  defaultDtype: ModelDtype,
  threads: number,
  plan: RunPlan,
  options: { variants: SessionVariant[]; singleThread: boolean; generated: boolean; headToHeadPlan?: RunPlan },
): Promise<ProdShape> {
  const versusPlan = options.headToHeadPlan ?? plan;
  const tokens = await tokenizeAll(model, texts);
  log(`  raw ORT ${defaultDtype} plans`);
  const raw = await sweep(model, tokens, defaultDtype, threads, options.variants, plan, PROD_PLAN_COSTS);
  const perDtype: Partial<Record<ModelDtype, number>> = {};
  let versus: HeadToHead | undefined;
  for (const dtype of ['q8', 'fp32'] as const) {
    const classifier = await transformerClassifier(benchConfig(model, dtype, threads));
    if (dtype === defaultDtype) {
      versus = await headToHead(model, tokens, texts, dtype, raw, classifier, versusPlan);
      perDtype[dtype] = versus.classifier.textsPerSec;
    } else {
      perDtype[dtype] = (await timeClassifier(classifier, texts, BATCH, plan)).textsPerSec;
      log(`  classifier ${dtype}: ${perDtype[dtype]!.toFixed(1)} texts/s`);
    }
  }
  // One thread is what Lambda gives at 1,769 MB: the same head-to-head there, on the classifier's own plan.
  let single: HeadToHead | undefined;
  if (options.singleThread && threads !== 1) {
    single = await headToHeadOnOneThread(model, tokens, texts, 'q8', versusPlan, [classifierRunCost(model, 1)]);
  } else if (threads === 1 && defaultDtype === 'q8') {
    single = versus;
  }
  const singleThreadQ8 = single?.classifier.textsPerSec ?? (threads === 1 ? perDtype.q8! : null);
  const h = versus!;
  return {
    rawOrtTextsPerSec: h.floor.textsPerSec,
    classifierTextsPerSec: h.classifier.textsPerSec,
    ratioToRawOrt: h.classifier.textsPerSec / h.floor.textsPerSec,
    fp32TextsPerSec: perDtype.fp32!,
    q8TextsPerSec: perDtype.q8!,
    floorRunOverheadTokens: planSummary(h.floor).runOverheadTokens,
    rawOrtPlans: raw.plans.map(planSummary),
    rawOrtClassifierRunsTextsPerSec: h.classifierRuns.textsPerSec,
    sortedAcrossBatches: h.sortedAcrossBatches,
    singleThreadQ8TextsPerSec: singleThreadQ8,
    singleThreadRatioToRawOrt: single ? single.classifier.textsPerSec / single.floor.textsPerSec : null,
    costPerMillionUsd: singleThreadQ8 ? lambdaCostPerMillion(1000 / singleThreadQ8) : null,
    generated: options.generated,
  };
}

export const planSummary = (p: PlannedResult): PlanSummary => ({
  runOverheadTokens: p.runOverheadTokens === ONE_RUN ? null : p.runOverheadTokens,
  runs: p.batches,
  paddingFactor: p.paddingFactor,
  textsPerSec: p.textsPerSec,
});

export const crossBatch = (raw: RawOrtResult, classifierTextsPerSec: number): CrossBatch => ({
  rawOrtTextsPerSec: raw.textsPerSec,
  paddingFactor: raw.paddingFactor,
  classifierTextsPerSec,
  ratioToRawOrt: classifierTextsPerSec / raw.textsPerSec,
});
