// Raw-ORT measurements for one model (session-option sweep, both dtypes), and the DistilBERT-shaped part.
import type { ModelDtype } from '../../src/config.js';
import { benchConfig, timeClassifier, transformerClassifier } from './classifier-runs.js';
import { lambdaCostPerMillion } from './cost.js';
import { log, type RunPlan } from './measure.js';
import {
  arrivalBatches, classifierRuns, createSession, lengthSortedBatches, modelPath, sessionVariants, timeRawOrt, tokenizeAll,
  type ModelRef, type ModelTokens, type RawOrtResult, type SessionVariant,
} from './raw-ort.js';
import type { ProdShape, SessionOptionResult } from './report.js';

const BATCH = 50;

export interface RawOrtRuns {
  /** Length-sorted batches of 50 with the best session options: the floor. */
  sortedBest: RawOrtResult;
  /** Same session: arrival-order batches of 50, one padded run each. */
  arrivalBest: RawOrtResult;
  /** Same session: the runs the classifier's planBatches() makes of each arrival-order batch. */
  classifierRunsBest: RawOrtResult;
  bestName: string;
  bestVariant: SessionVariant;
  variants: SessionOptionResult[];
  byDtype: Record<string, number>;
}

/** Each variant on length-sorted batches; then the best one also on arrival-order batches and the classifier's runs. */
interface Swept {
  variant: SessionVariant;
  sorted: RawOrtResult;
  arrival?: RawOrtResult;
  planned?: RawOrtResult;
}

async function sweep(
  model: ModelRef, tokens: ModelTokens, dtype: ModelDtype, variants: SessionVariant[], plan: RunPlan, withOtherBatchings: boolean,
): Promise<{ best: Swept; results: Swept[] }> {
  const results: Swept[] = [];
  for (const variant of variants) {
    const session = await createSession(modelPath(model, dtype), variant.options);
    try {
      const sorted = await timeRawOrt(session, tokens, lengthSortedBatches(tokens.ids, BATCH), plan);
      log(`  raw ORT ${dtype} ${variant.name}: ${sorted.textsPerSec.toFixed(1)} texts/s`);
      results.push({ variant, sorted });
    } finally {
      await session.release();
    }
  }
  const best = results.reduce((a, b) => (b.sorted.textsPerSec > a.sorted.textsPerSec ? b : a));
  if (!withOtherBatchings) return { best, results };
  const session = await createSession(modelPath(model, dtype), best.variant.options);
  try {
    const arrival = await timeRawOrt(session, tokens, arrivalBatches(tokens.ids.length, BATCH), plan);
    const planned = await timeRawOrt(session, tokens, classifierRuns(tokens.ids, BATCH), plan);
    return { best: { ...best, arrival, planned }, results };
  } finally {
    await session.release();
  }
}

export async function measureRawOrt(
  model: ModelRef, tokens: ModelTokens, defaultDtype: ModelDtype, otherDtype: ModelDtype, threads: number, plan: RunPlan,
  options: { sweep?: boolean } = {},
): Promise<RawOrtRuns> {
  log(`- raw ORT (${threads} thread(s))`);
  const all = sessionVariants(threads);
  const variants = options.sweep === false ? all.slice(0, 1) : all;
  const { best, results } = await sweep(model, tokens, defaultDtype, variants, plan, true);
  const other = options.sweep === false ? undefined : await sweep(model, tokens, otherDtype, [best.variant], plan, false);
  return {
    sortedBest: best.sorted,
    arrivalBest: best.arrival!,
    classifierRunsBest: best.planned!,
    bestName: best.variant.name,
    bestVariant: best.variant,
    variants: results.map((r) => ({ name: r.variant.name, textsPerSec: r.sorted.textsPerSec })),
    byDtype: { [defaultDtype]: best.sorted.textsPerSec, ...(other ? { [otherDtype]: other.best.sorted.textsPerSec } : {}) },
  };
}

/** Raw ORT vs the classifier at batch 50 on the DistilBERT-shaped model, both dtypes (and q8 on one thread). */
export async function measureProdShape(
  model: ModelRef, texts: string[], defaultDtype: ModelDtype, threads: number, plan: RunPlan,
  options: { variants: SessionVariant[]; singleThread: boolean; generated: boolean },
): Promise<ProdShape> {
  const tokens = await tokenizeAll(model, texts);
  const { best } = await sweep(model, tokens, defaultDtype, options.variants, plan, true);
  const perDtype: Partial<Record<ModelDtype, number>> = {};
  for (const dtype of ['q8', 'fp32'] as const) {
    const classifier = await transformerClassifier(benchConfig(model, dtype, threads));
    perDtype[dtype] = (await timeClassifier(classifier, texts, BATCH, plan)).textsPerSec;
    log(`  classifier ${dtype}: ${perDtype[dtype]!.toFixed(1)} texts/s`);
  }
  let singleThreadQ8: number | null = null;
  if (options.singleThread && threads !== 1) {
    const one = await transformerClassifier(benchConfig(model, 'q8', 1));
    singleThreadQ8 = (await timeClassifier(one, texts, BATCH, plan)).textsPerSec;
    log(`  classifier q8, 1 thread: ${singleThreadQ8.toFixed(1)} texts/s`);
  } else if (threads === 1) {
    singleThreadQ8 = perDtype.q8!;
  }
  const classifierTextsPerSec = perDtype[defaultDtype]!;
  return {
    rawOrtTextsPerSec: best.sorted.textsPerSec,
    classifierTextsPerSec,
    ratioToRawOrt: classifierTextsPerSec / best.sorted.textsPerSec,
    fp32TextsPerSec: perDtype.fp32!,
    q8TextsPerSec: perDtype.q8!,
    rawOrtArrivalTextsPerSec: best.arrival!.textsPerSec,
    rawOrtClassifierRunsTextsPerSec: best.planned!.textsPerSec,
    singleThreadQ8TextsPerSec: singleThreadQ8,
    costPerMillionUsd: singleThreadQ8 ? lambdaCostPerMillion(1000 / singleThreadQ8) : null,
    generated: options.generated,
  };
}
