// The measured peer: PyTorch eager (Debian's python3-torch) on the DistilBERT-shaped model's own weights, the
// same texts, token ids, batches of 50 and thread count as the classifier (bench/torch-eager.py).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { disableOnnxRuntimeTelemetry } from '../src/config.js';
import { buildFeeds, modelPath, tokenizeAll, type ModelRef } from './raw-ort.js';
import { chunks, log, textsPerSec, type RunPlan } from './measure.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const BATCH = 50;

export interface TorchEager {
  textsPerSec: number;
  msPerText: number;
  passMs: number[];
  threads: number;
  torchVersion: string;
  /** Padded tokens / real tokens: each batch of 50 padded to its longest text. */
  paddingFactor: number;
  /** Largest |logit difference| between PyTorch and onnxruntime (fp32) on the first text: same weights. */
  maxLogitDifference: number;
}

export type TorchEagerResult = TorchEager | { skipped: string };

export async function timeTorchEager(
  model: ModelRef,
  texts: string[],
  threads: number,
  plan: RunPlan,
): Promise<TorchEagerResult> {
  const weights = join(model.dir, model.id, 'torch', 'model.pt');
  if (!existsSync(weights))
    return { skipped: `no ${weights} (test/fixtures/models/make-distilbert-shaped.py writes it)` };
  try {
    await run(PYTHON, ['-c', 'import torch']);
  } catch {
    return { skipped: `${PYTHON} cannot import torch (apt-get install python3-torch)` };
  }
  const tokens = await tokenizeAll(model, texts);
  const batches = chunks(tokens.ids, BATCH);
  const dir = join(repoRoot, 'node_modules', '.cache', 'impact-sentiment-bench');
  mkdirSync(dir, { recursive: true });
  const batchesFile = join(dir, 'torch-batches.json');
  writeFileSync(batchesFile, JSON.stringify({ batches }));
  log(`  PyTorch eager, ${threads} thread(s), ${plan.runs} pass(es) after ${plan.warmups} warm-up`);
  const { stdout } = await run(
    PYTHON,
    [
      fileURLToPath(new URL('./torch-eager.py', import.meta.url)),
      join(model.dir, model.id),
      batchesFile,
      '--threads',
      String(threads),
      '--warmups',
      String(plan.warmups),
      '--runs',
      String(plan.runs),
    ],
    { maxBuffer: 16 << 20, env: { ...process.env, OMP_NUM_THREADS: String(threads) } },
  );
  const answer = JSON.parse(stdout.trim().split('\n').pop()!) as {
    passMs: number[];
    texts: number;
    threads: number;
    paddingFactor: number;
    torchVersion: string;
    firstLogits: number[];
  };
  const perSec = textsPerSec(answer.texts, answer.passMs);
  return {
    textsPerSec: perSec,
    msPerText: 1000 / perSec,
    passMs: answer.passMs,
    threads: answer.threads,
    torchVersion: answer.torchVersion,
    paddingFactor: answer.paddingFactor,
    maxLogitDifference: await logitDifference(model, tokens.ids[0], tokens.padId, answer.firstLogits),
  };
}

/** onnxruntime's fp32 logits for one text against PyTorch's: proof both ran the same weights. */
async function logitDifference(model: ModelRef, ids: number[], padId: number, torchLogits: number[]): Promise<number> {
  disableOnnxRuntimeTelemetry(); // as the classifier does
  const session = await ort.InferenceSession.create(modelPath(model, 'fp32'), { intraOpNumThreads: 1 });
  try {
    const { feeds } = buildFeeds([ids], padId, session.inputNames);
    const out = await session.run(feeds);
    const logits = [...(out.logits.data as Float32Array)];
    return Math.max(...logits.map((v, i) => Math.abs(v - torchLogits[i])));
  } finally {
    await session.release();
  }
}
