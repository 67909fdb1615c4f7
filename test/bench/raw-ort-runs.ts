// Raw-ORT measurements for one model (session-option sweep, both dtypes), and the DistilBERT-shaped part.
import type { ModelDtype } from '../../src/config.js';
import { benchConfig, timeClassifier, transformerClassifier } from './classifier-runs.js';
import { lambdaCostPerMillion } from './cost.js';
import { log, type RunPlan } from './measure.js';
import {
  arrivalBatches, createSession, lengthSortedBatches, modelPath, sessionVariants, timeRawOrt, tokenizeAll,
  type ModelRef, type ModelTokens, type RawOrtResult, type SessionVariant,
} from './raw-ort.js';
import type { ProdShape, SessionOptionResult } from './report.js';

const BATCH = 50;

export interface RawOrtRuns {
  sortedBest: RawOrtResult;
  arrivalBest: RawOrtResult;
  bestName: string;
  bestVariant: SessionVariant;
  variants: SessionOptionResult[];
  byDtype: Record<string, number>;
}

/** Best of `variants` on length-sorted batches; that session also times the arrival-order batches. */
async function bestOf(model: ModelRef, tokens: ModelTokens, dtype: ModelDtype, variants: SessionVariant[], plan: RunPlan, withArrival: boolean) {
  const sorted = lengthSortedBatches(tokens.ids, BATCH);
  const results: Array<{ variant: SessionVariant; sorted: RawOrtResult; arrival?: RawOrtResult }> = [];
  for (const variant of variants) {
    const session = await createSession(modelPath(model, dtype), variant.options);
    try {
      const onSorted = await timeRawOrt(session, tokens, sorted, plan);
      const onArrival = withArrival ? await timeRawOrt(session, tokens, arrivalBatches(tokens.ids.length, BATCH), plan) : undefined;
      log(`  raw ORT ${dtype} ${variant.name}: ${onSorted.textsPerSec.toFixed(0)} texts/s`);
      results.push({ variant, sorted: onSorted, arrival: onArrival });
    } finally {
      await session.release();
    }
  }
  const best = results.reduce((a, b) => (b.sorted.textsPerSec > a.sorted.textsPerSec ? b : a));
  return { best, results };
}

export async function measureRawOrt(
  model: ModelRef, tokens: ModelTokens, defaultDtype: ModelDtype, otherDtype: ModelDtype, threads: number, plan: RunPlan,
  options: { sweep?: boolean } = {},
): Promise<RawOrtRuns> {
  log(`- raw ORT (${threads} thread(s))`);
  const all = sessionVariants(threads);
  const variants = options.sweep === false ? all.slice(0, 1) : all;
  const { best, results } = await bestOf(model, tokens, defaultDtype, variants, plan, true);
  const other = options.sweep === false ? undefined : await bestOf(model, tokens, otherDtype, [best.variant], plan, false);
  return {
    sortedBest: best.sorted,
    arrivalBest: best.arrival!,
    bestName: best.variant.name,
    bestVariant: best.variant,
    variants: results.map((r) => ({ name: r.variant.name, textsPerSec: r.sorted.textsPerSec })),
    byDtype: { [defaultDtype]: best.sorted.textsPerSec, ...(other ? { [otherDtype]: other.best.sorted.textsPerSec } : {}) },
  };
}

/** Raw ORT vs the classifier at batch 50 on the DistilBERT-shaped model, both dtypes (and q8 on one thread). */
export async function measureProdShape(
  model: ModelRef, texts: string[], defaultDtype: ModelDtype, threads: number, plan: RunPlan,
  options: { singleThread: boolean; generated: boolean },
): Promise<ProdShape> {
  const tokens = await tokenizeAll(model, texts);
  const { best } = await bestOf(model, tokens, defaultDtype, sessionVariants(threads), plan, false);
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
    singleThreadQ8TextsPerSec: singleThreadQ8,
    costPerMillionUsd: singleThreadQ8 ? lambdaCostPerMillion(1000 / singleThreadQ8) : null,
    generated: options.generated,
  };
}
