// Run in a fresh process by cold-start.ts (bundled like the Lambda package): from the first line of the
// program to the first scored batch, then the remaining batches, reporting times and peak RSS as one JSON
// line on stdout. Configuration (MODEL_ID, MODEL_DIR, ORT_THREADS; MODEL_DTYPE unset = default) from env.
import { readFileSync } from 'node:fs';

// performance.now() counts from process start, so node's own boot is included.
const entered = performance.now();
const textsFile = process.argv[2];
if (!textsFile) throw new Error('usage: cold-start-child TEXTS_JSON');
const texts = JSON.parse(readFileSync(textsFile, 'utf8')) as string[];

const { getClassifier } = await import('../../src/classifier/index.js');
const imported = performance.now();
const classifier = await getClassifier();
const loaded = performance.now();
const first = await classifier.classify(texts.slice(0, 50));
const firstScored = performance.now();
const firstBatchRssKb = process.resourceUsage().maxRSS;
for (let i = 50; i < texts.length; i += 50) await classifier.classify(texts.slice(i, i + 50));

process.stdout.write(`${JSON.stringify({
  method: first[0]?.method,
  enteredMs: entered,
  importMs: imported - entered,
  loadMs: loaded - imported,
  firstBatchMs: firstScored - loaded,
  coldStartMs: firstScored,
  firstBatchRssMb: firstBatchRssKb / 1024,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  texts: texts.length,
})}\n`);
