// npm run bench -- [--json] [--model ID|DIR] [--quick] [--no-handler] [--no-prod-shape]
// npm run bench -- --pipeline [--json] [--burst N] [--classify-posts N]
// npm run bench -- --postgres [--json] [--rows N]
// npm run bench -- --postgres-sink [--json] [--sink-posts N] [--sink-rate N]
// npm run bench -- --faults [--json] [--rate N] [--posts N] (fault-run.ts: the pipeline under injected faults)
//
// Speed, memory and cost of the classify path on generated posts: raw onnxruntime (the floor), the
// project's classifier at batch 1/8/50 in q8 and fp32, the lexicon fallback, the SQS handler against
// DynamoDB Local, a cold start in a fresh process, and the same on a DistilBERT-shaped model. Targets are
// reported PASS/MISS; the exit code is non-zero only when the bench itself fails. --pipeline measures the
// write path instead (pipeline-run.ts): aggregate handler vs one transaction per record, units and cost per post.
// --postgres measures the backfill from PostgreSQL beside the file ingest of the same rows (postgres-backfill.ts).
// --json prints one JSON object on stdout (progress goes to stderr); npm itself prints a "> bench" banner
// on stdout first, so pipe `npm run -s bench -- --json` (or `npx tsx bench/bench.ts --json`).
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type ModelDtype } from '../src/config.js';
import {
  benchConfig,
  profileStages,
  timeClassifier,
  timeLexicon,
  timeTokenizer,
  transformerClassifier,
} from './classifier-runs.js';
import { measureColdStart } from './cold-start.js';
import { lambdaCostPerMillion } from './cost.js';
import { ensureDistilbertShaped } from './distilbert.js';
import { timeHandler } from './handler-run.js';
import { isTrainingRunning, log, machineInfo, median, type RunPlan } from './measure.js';
import { samplePosts } from './posts.js';
import { UsageError, errorMessage } from '../src/errors.js';
import { runCli } from '../src/cli/run.js';
import { identifyLanguage } from '../src/classifier/language.js';
import {
  headToHead,
  headToHeadOnOneThread,
  measureProdShape,
  measureRawOrt,
  planSummary,
  type HeadToHead,
} from './raw-ort-runs.js';
import { sessionVariants, tokenizeAll, type ModelRef } from './raw-ort.js';
import { timeTorchEager } from './torch-eager.js';
import { costSection, formatTable, judge, type BenchResult } from './report.js';

const USAGE = `usage: npm run bench -- [--json] [--model ID|DIR] [--quick] [--no-handler] [--no-prod-shape] [--seed N]
       npm run bench -- --pipeline [--json] [--burst N] [--classify-posts N] [--seed N]
       npm run bench -- --postgres [--json] [--rows N] [--seed N]
       npm run bench -- --postgres-sink [--json] [--sink-posts N] [--sink-rate N] [--seed N]
       npm run bench -- --faults [--json] [--rate N] [--posts N] [--seed N]
  (default)         the classify path: raw onnxruntime, the classifier at batch 1/8/50 in q8 and fp32, the lexicon,
                    the SQS handler on DynamoDB Local, a cold start, and a DistilBERT-shaped peer; targets PASS/MISS
  --model           a model id in MODEL_DIR or a model directory (default: $MODEL_ID)
  --quick           fewer repetitions (a smoke run, not a measurement)
  --no-handler      skip the handler run (no DynamoDB Local)
  --no-prod-shape   skip the DistilBERT-shaped model
  --pipeline        the write path instead: aggregate handler vs one transaction per record, units and cost per post
  --burst           results in the --pipeline burst (default 20000)
  --classify-posts  posts --pipeline runs through classify (default 200)
  --postgres        the backfill instead: ingest --from-postgres vs the file ingest of the same rows (a \\copy export)
                    into DynamoDB Local and fauxqs, rows/s and peak RSS at N/4 and N rows
  --rows            rows in the --postgres table (default 200000)
  --postgres-sink   the PostgreSQL sink's latency under the serve loop (real handlers, a real PostgreSQL):
                    scored post -> row updated, p50/p99 (target p99 within 5 s)
  --sink-posts      posts --postgres-sink sends (default 600)
  --sink-rate       posts per second it sends them at (default 20)
  --faults          the pipeline under injected faults at today's rates and at --rate times them, side by side:
                    lost, aggregate mismatches, double counts, valid/scored posts in the DLQ, posts/s, write units
  --rate            --faults: the multiple of today's fault rates (default 3)
  --posts           --faults: valid posts per run (default 10000)
  --seed            the generated posts' seed (default 42)
  --json            exactly one JSON object on stdout (progress on stderr; use npm run -s)
Exit status: 0 when the bench ran (a MISS is reported, not an error), 1 when it failed, 2 for bad arguments.`;

const OPTIONS = {
  json: { type: 'boolean', default: false },
  quick: { type: 'boolean', default: false },
  model: { type: 'string' },
  'no-handler': { type: 'boolean', default: false },
  'no-prod-shape': { type: 'boolean', default: false },
  seed: { type: 'string', default: '42' },
  pipeline: { type: 'boolean', default: false },
  burst: { type: 'string', default: '20000' },
  'classify-posts': { type: 'string', default: '200' },
  postgres: { type: 'boolean', default: false },
  rows: { type: 'string', default: '200000' },
  'postgres-sink': { type: 'boolean', default: false },
  'sink-posts': { type: 'string', default: '600' },
  'sink-rate': { type: 'string', default: '20' },
  faults: { type: 'boolean', default: false },
  rate: { type: 'string', default: '3' },
  posts: { type: 'string', default: '10000' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

let args: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

// In --json mode stdout carries exactly one JSON object: everything else printed goes to stderr.
const writeStdout = process.stdout.write.bind(process.stdout);

/** --model takes a model id (in MODEL_DIR) or a model directory. */
function resolveModel(option: string | undefined, defaults: ModelRef): ModelRef {
  if (!option) return defaults;
  if (option.includes('/') || isAbsolute(option)) {
    const dir = resolve(option);
    return { dir: dirname(dir), id: basename(dir) };
  }
  return { dir: defaults.dir, id: option };
}

async function section<T>(name: string, errors: Record<string, string>, fn: () => Promise<T>): Promise<T | null> {
  log(`- ${name}`);
  try {
    return await fn();
  } catch (error) {
    errors[name] = errorMessage(error);
    log(`  FAILED: ${errors[name]}`);
    return null;
  }
}

function count(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got "${value}"`);
  return n;
}

async function pipelineMain(): Promise<void> {
  const { measurePipeline } = await import('./pipeline-run.js');
  const { formatPipelineTable, pipelineResult } = await import('./pipeline-report.js');
  const burst = count(args.burst, '--burst', 1);
  const classifyPosts = count(args['classify-posts'], '--classify-posts', 1);
  log(`bench --pipeline: a burst of ${burst} results, classify on ${classifyPosts} posts`);
  const result = pipelineResult(
    await measurePipeline({ burst, classifyPosts, seed: Number(args.seed) }),
    machineInfo(),
  );
  if (args.json) writeStdout(`${JSON.stringify(result, null, 2)}\n`);
  else console.log(`\n${formatPipelineTable(result)}`);
}

async function postgresMain(): Promise<void> {
  const { formatBackfill, measurePostgresBackfill } = await import('./postgres-backfill.js');
  const rows = count(args.rows, '--rows', 4);
  log(`bench --postgres: ${rows} rows from a local PostgreSQL vs the file ingest of the same rows`);
  const result = {
    kind: 'postgres',
    machine: machineInfo(),
    ...(await measurePostgresBackfill({ rows, seed: Number(args.seed) })),
  };
  if (args.json) writeStdout(`${JSON.stringify(result, null, 2)}\n`);
  else console.log(`\n${formatBackfill(result)}`);
}

async function postgresSinkMain(): Promise<void> {
  const { formatSinkLatency, measureSinkLatency } = await import('./postgres-sink.js');
  const result = await measureSinkLatency({
    posts: count(args['sink-posts'], '--sink-posts', 1),
    perSecond: count(args['sink-rate'], '--sink-rate', 1),
    seed: Number(args.seed),
  });
  if (args.json) writeStdout(`${JSON.stringify({ postgresSink: result, machine: machineInfo() }, null, 2)}\n`);
  else console.log(`\n${formatSinkLatency(result)}`);
}

async function faultsMain(): Promise<void> {
  const { formatFaultTable, measureFaults } = await import('./fault-run.js');
  const rate = Number(args.rate);
  if (!(rate >= 1)) throw new UsageError(`--rate must be a number >= 1, got "${args.rate}"`);
  const posts = count(args.posts, '--posts', 1);
  log(`bench --faults: ${posts} posts at 1x and ${rate}x today's fault rates`);
  const result = await measureFaults({ posts, rate, seed: Number(args.seed) });
  if (args.json) writeStdout(`${JSON.stringify({ machine: machineInfo(), ...result }, null, 2)}\n`);
  else console.log(`\n${formatFaultTable(result)}`);
}

async function main(argv: string[]): Promise<number> {
  args = parseArgs({ args: argv, options: OPTIONS }).values;
  if (args.help) return (console.log(USAGE), 0);
  if (args.json) process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  const run = args.faults
    ? faultsMain
    : args.postgres
      ? postgresMain
      : args['postgres-sink']
        ? postgresSinkMain
        : args.pipeline
          ? pipelineMain
          : classifyMain;
  await run();
  // DynamoDB Local's watchdog and ORT's thread pools would keep the process alive: runCli exits.
  return 0;
}

async function classifyMain(): Promise<void> {
  const config = loadConfig();
  const model = resolveModel(args.model, { dir: resolve(config.model.dir), id: config.model.id });
  if (!existsSync(resolve(model.dir, model.id, 'config.json'))) {
    throw new Error(`no model at ${resolve(model.dir, model.id)}: pass --model ID (in ${model.dir}) or --model DIR`);
  }
  const { threads } = config.model;
  const defaultDtype = config.model.dtype;
  const otherDtype: ModelDtype = defaultDtype === 'q8' ? 'fp32' : 'q8';
  // The handler reads its config from the environment: point it at the same model and threads. The head-to-heads
  // with raw ORT run one model on every post, so routing is off for them (and for the handler beside them); the
  // routed throughput is timed on its own below, and the cold start runs as deployed (routing on).
  const deployedMultilingual = config.multilingualModelIds;
  Object.assign(process.env, {
    MODEL_ID: model.id,
    MODEL_DIR: model.dir,
    ORT_THREADS: String(threads),
    MULTILINGUAL_MODEL_ID: 'none',
  });

  const quick = args.quick;
  const plan: RunPlan = quick ? { warmups: 1, runs: 2 } : { warmups: 1, runs: 5 };
  // The shipped model's head-to-heads give the headline ratio, and a pass takes under a second: more rounds there.
  const versusPlan: RunPlan = quick ? plan : { warmups: 1, runs: 11 };
  // The DistilBERT-shaped head-to-heads: 5 rounds of 2-3 s passes moved its ratio by 5% between runs.
  const prodVersusPlan: RunPlan = quick ? { warmups: 1, runs: 1 } : { warmups: 1, runs: 9 };
  const seed = Number(args.seed);
  const texts = samplePosts(quick ? 100 : 400, seed);
  const machine = machineInfo();
  const errors: Record<string, string> = {};
  log(
    `bench: ${model.id} from ${model.dir}, ${texts.length} texts, ` +
      `${threads} thread(s)${machine.trainingRunning ? ' (train.py is running: numbers are pessimistic)' : ''}`,
  );

  const tokens = await tokenizeAll(model, texts);
  const lengths = tokens.ids.map((ids) => ids.length).sort((a, b) => a - b);
  const raw = await measureRawOrt(model, tokens, defaultDtype, threads, plan);
  const rawOther = await measureRawOrt(model, tokens, otherDtype, threads, plan, { sweep: false });

  const classifier: BenchResult['classifier'] = {};
  let versus: HeadToHead | undefined;
  for (const dtype of [defaultDtype, otherDtype]) {
    log(`- classifier ${dtype}`);
    const instance = await transformerClassifier(benchConfig(model, dtype, threads));
    classifier[dtype] = {};
    for (const batch of [1, 8]) classifier[dtype][batch] = await timeClassifier(instance, texts, batch, plan);
    // Batch 50 in the default dtype is the headline: timed in rounds against raw ORT's floor.
    if (dtype === defaultDtype) {
      versus = await headToHead(model, tokens, texts, dtype, raw, instance, versusPlan);
      classifier[dtype][50] = versus.classifier;
    } else {
      classifier[dtype][50] = await timeClassifier(instance, texts, 50, plan);
    }
  }
  const h = versus!;
  const atFifty = h.classifier;
  const routed = await section('classifier routed', errors, async () => {
    if (deployedMultilingual.length === 0) return null;
    const config = loadConfig({
      ...process.env,
      MULTILINGUAL_MODEL_ID: deployedMultilingual.join(','),
      MODEL_DTYPE: defaultDtype,
    });
    return timeClassifier(await transformerClassifier(config), texts, 50, plan);
  });
  const tokenizeMs = await timeTokenizer(model, texts, 50, plan);
  const defaultClassifier = await transformerClassifier(benchConfig(model, defaultDtype, threads));
  const profile = await section('profile', errors, () =>
    profileStages(model, benchConfig(model, defaultDtype, threads), texts, tokens, plan, median(atFifty.passMs)),
  );
  const lexicon = await section('lexicon', errors, () => timeLexicon(texts, plan));

  const singleThread = await section('single thread', errors, async () => {
    const one = threads === 1 ? h : await headToHeadOnOneThread(model, tokens, texts, defaultDtype, versusPlan);
    return {
      rawOrtTextsPerSec: one.floor.textsPerSec,
      classifierTextsPerSec: one.classifier.textsPerSec,
      msPerPost: one.classifier.msPerText,
    };
  });

  const handler = args['no-handler']
    ? { skipped: '--no-handler' }
    : await section('handler', errors, () =>
        timeHandler(texts, defaultClassifier, quick ? { warmups: 1, runs: 2 } : { warmups: 2, runs: 5 }),
      );
  const coldStarts = await section('cold start', errors, () =>
    measureColdStart(model, threads, { english: englishOnly(texts), mixed: texts }, quick ? 1 : 3),
  );
  const coldStart = coldStarts?.english ?? null;

  const prodShape: BenchResult['prodShape'] = args['no-prod-shape']
    ? nullProdShape('--no-prod-shape')
    : ((await section('DistilBERT-shaped', errors, async () => {
        const shaped = await ensureDistilbertShaped(model);
        if ('skipped' in shaped) return nullProdShape(shaped.skipped);
        const prodPlan: RunPlan = quick ? { warmups: 1, runs: 1 } : { warmups: 1, runs: 5 };
        // Only the classifier's options and the best on the shipped model: a full sweep takes minutes here.
        const variants = [sessionVariants(threads)[0], raw.bestVariant].filter(
          (v, i, all) => all.findIndex((w) => w.name === v.name) === i,
        );
        const measured = await measureProdShape(shaped.model, texts, defaultDtype, threads, prodPlan, {
          variants,
          singleThread: !quick,
          generated: shaped.generated,
          headToHeadPlan: prodVersusPlan,
        });
        // The peer, right after the classifier's passes in the same run: same texts, ids, batches and threads.
        const torchEager = await timeTorchEager(shaped.model, texts, threads, prodPlan);
        const over = (perSec: number | null) =>
          'skipped' in torchEager || perSec === null ? null : perSec / torchEager.textsPerSec;
        return {
          ...measured,
          torchEager,
          ratioToTorchEager: over(measured.q8TextsPerSec),
          fp32RatioToTorchEager: over(measured.fp32TextsPerSec),
        };
      })) ?? nullProdShape(`failed: ${errors['DistilBERT-shaped']}`));

  const result: BenchResult = {
    machine: { ...machine, trainingRunning: machine.trainingRunning || isTrainingRunning() },
    startedAt: new Date().toISOString(),
    quick,
    model: { id: model.id, dir: model.dir, defaultDtype, threads },
    texts: {
      count: texts.length,
      seed,
      tokensP50: lengths[lengths.length >> 1],
      tokensP90: lengths[Math.floor(lengths.length * 0.9)],
      tokensMax: lengths[lengths.length - 1],
      cutToMaxTokens: lengths.filter((n) => n >= tokens.maxTokens).length,
    },
    plan,
    headToHeadPlan: versusPlan,
    prodShapeHeadToHeadRounds: prodShape.rawOrtTextsPerSec === null ? null : prodVersusPlan.runs,
    rawOrtTextsPerSec: h.floor.textsPerSec,
    floorRunOverheadTokens: planSummary(h.floor).runOverheadTokens,
    rawOrtPlans: raw.plans.map(planSummary),
    rawOrtClassifierRunsTextsPerSec: h.classifierRuns.textsPerSec,
    ratioToRawOrtSameRuns: atFifty.textsPerSec / h.classifierRuns.textsPerSec,
    sortedAcrossBatches: h.sortedAcrossBatches,
    sessionOptions: raw.variants,
    bestSessionOptions: raw.bestName,
    classifierTextsPerSec: atFifty.textsPerSec,
    routedClassifierTextsPerSec: routed?.textsPerSec ?? null,
    ratioToRawOrt: atFifty.textsPerSec / h.floor.textsPerSec,
    tokenizeShare: tokenizeMs / median(atFifty.passMs),
    coldStartMs: coldStart?.coldStartMs ?? null,
    coldStartMixedMs: coldStarts?.mixed.coldStartMs ?? null,
    peakRssMb: coldStart?.peakRssMb ?? null,
    costPerMillionUsd: singleThread ? lambdaCostPerMillion(singleThread.msPerPost) : null,
    classifier,
    rawOrtByDtype: {
      [defaultDtype]: h.floor.textsPerSec,
      [otherDtype]: Math.max(...rawOther.plans.map((p) => p.textsPerSec)),
    },
    singleThread,
    lexicon,
    handler,
    coldStart,
    coldStartMixed: coldStarts?.mixed ?? null,
    profile,
    cost: costSection(
      singleThread?.msPerPost ?? null,
      handler && 'overheadMsPerBatch' in handler ? handler.overheadMsPerBatch / handler.batchSize : null,
    ),
    prodShape,
    targets: [],
    errors,
  };
  result.targets = judge(result);
  if (args.json) writeStdout(`${JSON.stringify(result, null, 2)}\n`);
  else console.log(`\n${formatTable(result)}`);
}

/** The posts the router sends to the English model (English or undetermined): English-only traffic. */
function englishOnly(texts: string[]): string[] {
  return texts.filter((text) => ['eng', 'und'].includes(identifyLanguage(text)));
}

function nullProdShape(skipped: string): BenchResult['prodShape'] {
  return {
    rawOrtTextsPerSec: null,
    classifierTextsPerSec: null,
    ratioToRawOrt: null,
    fp32TextsPerSec: null,
    q8TextsPerSec: null,
    torchEager: null,
    ratioToTorchEager: null,
    fp32RatioToTorchEager: null,
    skipped,
  };
}

runCli(import.meta.url, 'bench', main, { usage: USAGE });
