// The bench result (what --json prints), the targets it is judged against, and the readable table.
import type { StageProfile, ThroughputResult } from './classifier-runs.js';
import type { ColdStartResult } from './cold-start.js';
import type { TorchEagerResult } from './torch-eager.js';
import {
  COMPREHEND_USD_PER_MILLION,
  COST_ASSUMPTIONS,
  SEED_PYTHON,
  lambdaCostPerMillion,
  seedPythonCostPerMillion,
  type CostAssumptions,
} from './cost.js';
import type { HandlerResult } from './handler-run.js';
import type { Machine } from './measure.js';

export interface SessionOptionResult {
  name: string;
  textsPerSec: number;
}

/** Raw ORT on the classifier's batches cut into runs at one cost per run (null: one padded run per batch). */
export interface PlanSummary {
  runOverheadTokens: number | null;
  runs: number;
  paddingFactor: number;
  textsPerSec: number;
}

/** Batches cut from all texts sorted by length, for raw ORT and for the classifier fed them in that order. */
export interface CrossBatch {
  rawOrtTextsPerSec: number;
  paddingFactor: number;
  classifierTextsPerSec: number;
  ratioToRawOrt: number;
}

export interface ProdShape {
  rawOrtTextsPerSec: number | null;
  classifierTextsPerSec: number | null;
  ratioToRawOrt: number | null;
  fp32TextsPerSec: number | null;
  q8TextsPerSec: number | null;
  floorRunOverheadTokens?: number | null;
  rawOrtPlans?: PlanSummary[];
  rawOrtClassifierRunsTextsPerSec?: number | null;
  sortedAcrossBatches?: CrossBatch;
  singleThreadQ8TextsPerSec?: number | null;
  /** classifier / raw ORT, both on one thread (Lambda's 1,769 MB), q8, same head-to-head. */
  singleThreadRatioToRawOrt?: number | null;
  costPerMillionUsd?: number | null;
  generated?: boolean;
  /** PyTorch eager on the same weights, texts, token ids, batches and threads; or why it was not run. */
  torchEager?: TorchEagerResult | null;
  /** Classifier q8 (batch 50) texts/s over PyTorch eager's (fp32, eager PyTorch's precision). */
  ratioToTorchEager?: number | null;
  /** Classifier fp32 (batch 50) texts/s over PyTorch eager's: the same precision on both sides. */
  fp32RatioToTorchEager?: number | null;
  skipped?: string;
}

export interface Target {
  name: string;
  value: number | null;
  limit: string;
  pass: boolean | null;
}

export interface BenchResult {
  machine: Machine;
  startedAt: string;
  quick: boolean;
  model: { id: string; dir: string; defaultDtype: string; threads: number };
  texts: {
    count: number;
    seed: number;
    tokensP50: number;
    tokensP90: number;
    tokensMax: number;
    cutToMaxTokens: number;
  };
  plan: { warmups: number; runs: number };
  /** Rounds of the shipped model's head-to-heads with raw ORT (the headline ratio and the 1-thread one). */
  headToHeadPlan: { warmups: number; runs: number };
  /** Rounds of the DistilBERT-shaped head-to-heads (null when that part was skipped). */
  prodShapeHeadToHeadRounds: number | null;
  /** The floor: raw ORT on the classifier's batches of 50, pre-tokenised, sorted and cut by the best plan tried. */
  rawOrtTextsPerSec: number;
  /** That plan's cost per run in padded tokens (null: one padded run per batch). */
  floorRunOverheadTokens: number | null;
  rawOrtPlans: PlanSummary[];
  /** Same session, exactly the runs the classifier makes: the classifier minus its JavaScript. */
  rawOrtClassifierRunsTextsPerSec: number;
  /** classifier / raw ORT on the classifier's own runs: 1 - this is the classifier's JavaScript overhead. */
  ratioToRawOrtSameRuns: number;
  sortedAcrossBatches: CrossBatch;
  sessionOptions: SessionOptionResult[];
  bestSessionOptions: string;
  classifierTextsPerSec: number;
  /** The deployed configuration: posts in the multilingual model's languages scored by it (not in the ratio). */
  routedClassifierTextsPerSec: number | null;
  ratioToRawOrt: number;
  tokenizeShare: number;
  /** English-only traffic: the first batch needs only the English model. */
  coldStartMs: number | null;
  /** The bench's mixed languages: the first batch loads the multilingual model too. */
  coldStartMixedMs: number | null;
  peakRssMb: number | null;
  costPerMillionUsd: number | null;
  classifier: Record<string, Record<string, ThroughputResult>>;
  rawOrtByDtype: Record<string, number>;
  singleThread: { rawOrtTextsPerSec: number; classifierTextsPerSec: number; msPerPost: number } | null;
  lexicon: ThroughputResult | null;
  handler: HandlerResult | { skipped: string } | null;
  coldStart: ColdStartResult | { skipped: string } | null;
  coldStartMixed: ColdStartResult | null;
  profile: StageProfile | null;
  cost: {
    assumptions: CostAssumptions;
    lambdaPerMillionUsd: number | null;
    /** Adding the handler's overhead per post as measured against DynamoDB Local (I/O waits are billed too). */
    lambdaWithHandlerPerMillionUsd: number | null;
    comprehendPerMillionUsd: number;
    seedPythonPerMillionUsd: number;
    seedPythonTextsPerSec: number;
  };
  prodShape: ProdShape;
  targets: Target[];
  errors: Record<string, string>;
}

const targetOf = (name: string, value: number | null, limit: string, ok: (v: number) => boolean): Target => ({
  name,
  value,
  limit,
  pass: value === null ? null : ok(value),
});

export function judge(r: BenchResult): Target[] {
  return [
    targetOf('shipped model: classifier / raw ORT at batch 50', r.ratioToRawOrt, '>= 0.85', (v) => v >= 0.85),
    targetOf(
      'DistilBERT-shaped: classifier / raw ORT at batch 50',
      r.prodShape.ratioToRawOrt,
      '>= 0.95',
      (v) => v >= 0.95,
    ),
    targetOf('cold start to first scored batch, English posts (ms)', r.coldStartMs, '<= 600', (v) => v <= 600),
    targetOf('peak RSS with the shipped model (MB)', r.peakRssMb, '<= 400', (v) => v <= 400),
  ];
}

const coldStartParts = (c: ColdStartResult): string =>
  `node+static imports ${fmt(c.enteredMs)} + classifier import ${fmt(c.importMs)} + model load ${fmt(c.loadMs)} ` +
  `+ first batch ${fmt(c.firstBatchMs)}`;

export function costSection(msPerPost: number | null, handlerOverheadMsPerPost: number | null): BenchResult['cost'] {
  return {
    assumptions: COST_ASSUMPTIONS,
    lambdaPerMillionUsd: msPerPost === null ? null : lambdaCostPerMillion(msPerPost),
    lambdaWithHandlerPerMillionUsd:
      msPerPost === null || handlerOverheadMsPerPost === null
        ? null
        : lambdaCostPerMillion(msPerPost + handlerOverheadMsPerPost),
    comprehendPerMillionUsd: COMPREHEND_USD_PER_MILLION,
    seedPythonPerMillionUsd: seedPythonCostPerMillion(),
    seedPythonTextsPerSec: SEED_PYTHON.textsPerSec,
  };
}

const fmt = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits);
const planText = (p: PlanSummary): string =>
  `${p.runOverheadTokens ?? 'one run'}: ${p.runs}, ${fmt(p.paddingFactor, 2)}x, ${fmt(p.textsPerSec)}`;
const row = (cells: string[], widths: number[]): string =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');

export function formatTable(r: BenchResult): string {
  const m = r.machine;
  const lines: string[] = [];
  lines.push(`impact-sentiment bench${r.quick ? ' (--quick)' : ''}  ${r.startedAt}`);
  lines.push(
    `machine: ${m.cpu}, ${m.cores} cores (${m.simd.join(' ')}), ${m.memoryGb} GB, Node ${m.node} ${m.platform}, ` +
      `load ${m.load1}`,
  );
  if (m.trainingRunning)
    lines.push('WARNING: a training run (train.py) was using a core during this bench: numbers are pessimistic');
  lines.push(
    `model: ${r.model.id} (${r.model.dir}), default dtype ${r.model.defaultDtype}, ${r.model.threads} ORT thread(s)`,
  );
  lines.push(
    `texts: ${r.texts.count} generated posts (seed ${r.texts.seed}), ` +
      `tokens p50 ${r.texts.tokensP50} / p90 ${r.texts.tokensP90} / max ${r.texts.tokensMax}, ` +
      `${r.texts.cutToMaxTokens} cut to the model maximum; ` +
      `median of ${r.plan.runs} runs after ${r.plan.warmups} warm-up (head-to-heads with raw ORT: ` +
      `${r.headToHeadPlan.runs} rounds, DistilBERT-shaped ${r.prodShapeHeadToHeadRounds ?? '-'})`,
  );
  lines.push('');
  const w = [64, 10, 9];
  lines.push(row(['throughput', 'texts/s', 'ms/text'], w));
  const tp = (label: string, perSec: number | null | undefined) =>
    lines.push(row([label, fmt(perSec), perSec ? fmt(1000 / perSec, 2) : '-'], w));
  tp(`raw ORT, batches of 50 sorted and cut by the best plan, ${r.model.defaultDtype} (floor)`, r.rawOrtTextsPerSec);
  tp(`raw ORT, exactly the classifier's runs`, r.rawOrtClassifierRunsTextsPerSec);
  for (const [dtype, byBatch] of Object.entries(r.classifier)) {
    for (const [batch, t] of Object.entries(byBatch)) tp(`classifier ${dtype}, batch ${batch}`, t.textsPerSec);
  }
  tp(
    `classifier ${r.model.defaultDtype}, batch 50, routed to both models (as deployed)`,
    r.routedClassifierTextsPerSec,
  );
  if (r.singleThread) {
    tp(`raw ORT, 1 thread, ${r.model.defaultDtype}`, r.singleThread.rawOrtTextsPerSec);
    tp(`classifier, 1 thread, ${r.model.defaultDtype}, batch 50`, r.singleThread.classifierTextsPerSec);
  }
  tp(`raw ORT, batches sorted across all ${r.texts.count} texts, same plan`, r.sortedAcrossBatches.rawOrtTextsPerSec);
  tp('classifier fed those same sorted batches', r.sortedAcrossBatches.classifierTextsPerSec);
  if (r.lexicon) tp('lexicon fallback, batch 50', r.lexicon.textsPerSec);
  const ps = r.prodShape;
  if (ps.skipped) lines.push(`DistilBERT-shaped: skipped (${ps.skipped})`);
  else {
    tp('DistilBERT-shaped raw ORT, best plan (floor)', ps.rawOrtTextsPerSec);
    tp(`DistilBERT-shaped raw ORT, exactly the classifier's runs`, ps.rawOrtClassifierRunsTextsPerSec);
    tp('DistilBERT-shaped raw ORT, batches sorted across all texts', ps.sortedAcrossBatches?.rawOrtTextsPerSec);
    tp('DistilBERT-shaped classifier fed those sorted batches', ps.sortedAcrossBatches?.classifierTextsPerSec);
    tp('DistilBERT-shaped classifier q8, batch 50', ps.q8TextsPerSec);
    tp('DistilBERT-shaped classifier fp32, batch 50', ps.fp32TextsPerSec);
    if (ps.singleThreadQ8TextsPerSec)
      tp('DistilBERT-shaped classifier q8, 1 thread, batch 50', ps.singleThreadQ8TextsPerSec);
    const torch = ps.torchEager;
    if (torch && 'skipped' in torch) lines.push(`DistilBERT-shaped PyTorch eager: skipped (${torch.skipped})`);
    else if (torch)
      tp(
        `DistilBERT-shaped PyTorch ${torch.torchVersion} eager fp32, batch 50, ${torch.threads} thread(s)`,
        torch.textsPerSec,
      );
  }
  tp(`reference only: the seed's estimate for its Python plan (5 s per batch of 50)`, SEED_PYTHON.textsPerSec);
  lines.push('');
  lines.push(
    `ratio classifier/raw ORT (batch 50, ${r.model.defaultDtype}): ${fmt(r.ratioToRawOrt, 3)}; DistilBERT-shaped: ` +
      `${fmt(ps.ratioToRawOrt, 3)}`,
  );
  if (r.singleThread) {
    lines.push(
      `  on 1 thread: ${fmt(r.singleThread.classifierTextsPerSec / r.singleThread.rawOrtTextsPerSec, 3)}; ` +
        `DistilBERT-shaped q8: ${fmt(ps.singleThreadRatioToRawOrt, 3)}`,
    );
  }
  const torch = ps.torchEager;
  if (torch && !('skipped' in torch)) {
    lines.push(
      'ratio classifier/PyTorch eager (DistilBERT-shaped, batch 50, same weights, texts, token ids and threads): ' +
        `q8 ${fmt(ps.ratioToTorchEager, 2)}, ` +
        `fp32 ${fmt(ps.fp32RatioToTorchEager, 2)}; ` +
        `PyTorch pads each batch to its longest text (${fmt(torch.paddingFactor, 2)}x), ` +
        `max |logit difference| vs onnxruntime fp32 ${torch.maxLogitDifference.toExponential(1)}`,
    );
  }
  lines.push(
    `ratio on the classifier's own runs: ${fmt(r.ratioToRawOrtSameRuns, 3)} (the rest is JavaScript: input hygiene, ` +
      'language, tokenizer, tensors)',
  );
  lines.push(
    `ratio on batches sorted across all texts (both fed them): ${fmt(r.sortedAcrossBatches.ratioToRawOrt, 3)}; ` +
      `DistilBERT-shaped: ${fmt(ps.sortedAcrossBatches?.ratioToRawOrt, 3)}`,
  );
  lines.push(
    `raw ORT plans (cost per run in padded tokens: runs, padding, texts/s): ${r.rawOrtPlans.map(planText).join('; ')}`,
  );
  if (ps.rawOrtPlans) lines.push(`  DistilBERT-shaped: ${ps.rawOrtPlans.map(planText).join('; ')}`);
  lines.push(`  batches sorted across all texts: padding ${fmt(r.sortedAcrossBatches.paddingFactor, 2)}`);
  lines.push(`tokenizeShare: ${fmt(r.tokenizeShare * 100, 1)}% of classifier time`);
  lines.push(
    `session options (raw ORT, ${r.model.defaultDtype}): ` +
      `${r.sessionOptions.map((s) => `${s.name} ${fmt(s.textsPerSec)}`).join('; ')}`,
  );
  if (r.profile) {
    const p = r.profile;
    lines.push(
      `profile, ms per pass of ${r.texts.count} texts at batch 50: ` +
        `hygiene+language ${fmt(p.inputHygieneMs, 1)} (language ${fmt(p.languageDetectionMs, 1)}), ` +
        `tokenize ${fmt(p.tokenizeMs, 1)} (tokenizer.encode() ${fmt(p.plainEncodeMs, 1)}), ` +
        `tensors ${fmt(p.tensorsMs, 1)}, session.run ${fmt(p.sessionRunMs, 1)}, ` +
        `softmax ${fmt(p.softmaxMs, 2)}; sum ${fmt(p.stagesTotalMs, 1)} vs measured ${fmt(p.measuredClassifierMs, 1)}`,
    );
  }
  const h = r.handler;
  if (h && 'skipped' in h) lines.push(`handler: skipped (${h.skipped})`);
  else if (h) {
    lines.push(
      `handler (SQS event of ${h.batchSize}, DynamoDB Local): ` +
        `${fmt(h.handlerMsPerBatch, 1)} ms/batch vs bare classifier ${fmt(h.classifierMsPerBatch, 1)} ` +
        `-> overhead ${fmt(h.overheadMsPerBatch, 1)} ms/batch ` +
        `(${fmt(h.overheadShare * 100, 1)}%)${h.failedRecords ? `, ${h.failedRecords} FAILED records` : ''}`,
    );
  }
  const c = r.coldStart;
  if (c && 'skipped' in c) lines.push(`cold start: skipped (${c.skipped})`);
  else if (c) {
    lines.push(
      `cold start (fresh bundled process, ${r.model.defaultDtype}), English posts: ${fmt(c.coldStartMs)} ms ` +
        `to the first scored batch of 50 = ${coldStartParts(c)}; peak RSS ${fmt(c.peakRssMb)} MB ` +
        `(${fmt(c.firstBatchRssMb)} after the first batch; VmHWM: getrusage maxRSS says ${fmt(c.maxRssMb)} ` +
        "as it counts this bench process's RSS at fork)",
    );
  }
  const mixed = r.coldStartMixed;
  if (mixed) {
    lines.push(
      `cold start, the bench's mixed languages (first batch scored by ${mixed.firstBatchModels.join(' + ')}): ` +
        `${fmt(mixed.coldStartMs)} ms = ${coldStartParts(mixed)}; peak RSS ${fmt(mixed.peakRssMb)} MB`,
    );
  }
  lines.push('');
  lines.push(
    `cost per million posts: Lambda ${r.cost.assumptions.memoryMb} MB $${fmt(r.cost.lambdaPerMillionUsd, 2)}` +
      `${ps.costPerMillionUsd ? ` (DistilBERT-shaped q8: $${fmt(ps.costPerMillionUsd, 2)})` : ''}; ` +
      `seed Python plan $${fmt(r.cost.seedPythonPerMillionUsd, 2)}; ` +
      `AWS Comprehend $${fmt(r.cost.comprehendPerMillionUsd)}`,
  );
  if (h && !('skipped' in h) && r.cost.lambdaWithHandlerPerMillionUsd !== null) {
    lines.push(
      `  with the handler's overhead as measured on DynamoDB Local (${fmt(h.overheadMsPerBatch / h.batchSize, 2)} ` +
        `ms/post, mostly waiting on I/O): $${fmt(r.cost.lambdaWithHandlerPerMillionUsd, 2)}`,
    );
  }
  lines.push(
    `  assumptions: $${r.cost.assumptions.usdPerGbSecond}/GB-s, ` +
      `$${r.cost.assumptions.usdPerMillionRequests}/M requests, ` +
      `${r.cost.assumptions.postsPerInvocation} posts/invocation; ${r.cost.assumptions.note}`,
  );
  lines.push('');
  for (const t of r.targets)
    lines.push(
      `${t.pass === null ? 'SKIP' : t.pass ? 'PASS' : 'MISS'}  ${t.name}: ` +
        `${fmt(t.value, t.value !== null && t.value < 10 ? 3 : 0)} (target ${t.limit})`,
    );
  for (const [part, error] of Object.entries(r.errors)) lines.push(`ERROR in ${part}: ${error}`);
  return lines.join('\n');
}
