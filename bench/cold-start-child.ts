// Run in a fresh process by cold-start.ts (bundled like the Lambda package): from the first line of the
// program to the first scored batch, then the remaining batches, reporting times and peak RSS as one JSON
// line on stdout. Configuration (MODEL_ID, MODEL_DIR, ORT_THREADS; MODEL_DTYPE unset = default) from env.
import { readFileSync } from 'node:fs';

/**
 * This process's own peak RSS in MB. Linux's getrusage maxRSS (process.resourceUsage().maxRSS) keeps the
 * parent's RSS at fork across exec, so a child spawned by a big bench process reports the parent's size;
 * VmHWM in /proc/self/status belongs to this process's own address space.
 */
function ownPeakRssMb(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS / 1024;
}

// performance.now() counts from process start, so node's own boot is included.
const entered = performance.now();
const textsFile = process.argv[2];
if (!textsFile) throw new Error('usage: cold-start-child TEXTS_JSON');
const texts = JSON.parse(readFileSync(textsFile, 'utf8')) as string[];

const { getClassifier } = await import('../src/classifier/index.js');
const imported = performance.now();
const classifier = await getClassifier();
const loaded = performance.now();
const first = await classifier.classify(texts.slice(0, 50));
const firstScored = performance.now();
const firstBatchRssMb = ownPeakRssMb();
for (let i = 50; i < texts.length; i += 50) await classifier.classify(texts.slice(i, i + 50));

process.stdout.write(
  `${JSON.stringify({
    method: first[0]?.method,
    firstBatchModels: [...new Set(first.map((r) => r.modelId))],
    firstBatchLabels: first.map((r) => r.label),
    enteredMs: entered,
    importMs: imported - entered,
    loadMs: loaded - imported,
    firstBatchMs: firstScored - loaded,
    coldStartMs: firstScored,
    firstBatchRssMb,
    peakRssMb: ownPeakRssMb(),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    texts: texts.length,
  })}\n`,
);
