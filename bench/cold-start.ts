// Cold start: a fresh node process, bundled with esbuild the way serverless.yml packages the Lambda (ESM,
// onnxruntime external, a linked source map) and run with the functions' NODE_OPTIONS, from
// process start to the first scored batch of 50.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { bundleOptions } from '../src/cli/bundle.js';
import { NODE_OPTIONS } from '../src/resources.js';
import { median } from './measure.js';
import type { ModelRef } from './raw-ort.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
// Inside node_modules so the bundle's external imports resolve from the repo's node_modules, as on Lambda.
const outDir = join(repoRoot, 'node_modules', '.cache', 'impact-sentiment-bench');

export interface ColdStartRun {
  /** The models that scored the first batch (the English one, and each routed one it had posts for). */
  firstBatchModels: string[];
  enteredMs: number;
  importMs: number;
  loadMs: number;
  firstBatchMs: number;
  coldStartMs: number;
  firstBatchRssMb: number;
  /** The child's own peak RSS (VmHWM on Linux). */
  peakRssMb: number;
  /** process.resourceUsage().maxRSS in the child: on Linux it includes the bench process's RSS at fork. */
  maxRssMb: number;
}

export interface ColdStartResult extends ColdStartRun {
  runs: ColdStartRun[];
}

/**
 * Bundles cold-start-child.ts into `dir`, as serverless.yml bundles the handlers: its onnxruntime import resolves
 * from the node_modules above `dir` (the repository's, or an unpacked package's).
 */
export async function bundleChild(dir = outDir): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'cold-start-child.mjs');
  // As serverless.yml bundles the handlers (src/cli/bundle.ts): the deployed NODE_OPTIONS read the source map.
  await build({
    ...bundleOptions({ outfile }),
    entryPoints: [fileURLToPath(new URL('./cold-start-child.ts', import.meta.url))],
  });
  return outfile;
}

/** The posts of a cold start: English-only traffic (the common case), and the bench's mix of languages. */
export interface ColdStartTexts {
  english: string[];
  mixed: string[];
}

export interface ColdStartPair {
  /** First batch all English or undetermined: only the English model loads (the routed ones are lazy). */
  english: ColdStartResult;
  /** First batch with posts in the routed models' languages: each model it needs loads before it is scored. */
  mixed: ColdStartResult;
}

/** `count` fresh processes for each kind of traffic, alternating; medians of the times, the largest peak RSS. */
export async function measureColdStart(
  model: ModelRef,
  threads: number,
  texts: ColdStartTexts,
  count: number,
): Promise<ColdStartPair> {
  const child = await bundleChild();
  const files = { english: join(outDir, 'texts-english.json'), mixed: join(outDir, 'texts-mixed.json') };
  writeFileSync(files.english, JSON.stringify(texts.english));
  writeFileSync(files.mixed, JSON.stringify(texts.mixed));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MODEL_ID: model.id,
    MODEL_DIR: model.dir,
    ORT_THREADS: String(threads),
  };
  delete env.MODEL_DTYPE; // the default dtype, as deployed
  delete env.MULTILINGUAL_MODEL_ID; // routing as deployed (the bench turns it off for its head-to-heads)
  // The functions' NODE_OPTIONS, not the bench's (whose tsx loader the child does not need: it runs plain JS).
  env.NODE_OPTIONS = NODE_OPTIONS;
  const runs: Record<keyof ColdStartTexts, ColdStartRun[]> = { english: [], mixed: [] };
  for (let i = 0; i < count; i++) {
    for (const kind of ['english', 'mixed'] as const) {
      const { stdout } = await run(process.execPath, [child, files[kind]], { env, cwd: repoRoot, maxBuffer: 1 << 20 });
      const line = stdout.trim().split('\n').pop() ?? '';
      const result = JSON.parse(line) as ColdStartRun & { method: string };
      if (result.method !== 'transformer')
        throw new Error(`cold-start child fell back to ${result.method}: model ${model.id} did not load`);
      runs[kind].push(result);
    }
  }
  return { english: summarise(runs.english), mixed: summarise(runs.mixed) };
}

function summarise(runs: ColdStartRun[]): ColdStartResult {
  type Timing = Exclude<keyof ColdStartRun, 'firstBatchModels'>;
  const med = (key: Timing) => median(runs.map((r) => r[key]));
  return {
    enteredMs: med('enteredMs'),
    importMs: med('importMs'),
    loadMs: med('loadMs'),
    firstBatchMs: med('firstBatchMs'),
    coldStartMs: med('coldStartMs'),
    firstBatchRssMb: Math.max(...runs.map((r) => r.firstBatchRssMb)),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)),
    firstBatchModels: [...new Set(runs.flatMap((r) => r.firstBatchModels))],
    runs,
  };
}
