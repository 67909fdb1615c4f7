// npm run bench -- --faults [--rate 3] [--posts 10000] [--seed N] [--json]
// The whole pipeline on the emulators under injected faults (test/support/fault-run.ts): at today's rates (1x) and
// at --rate times them, side by side in one run. Reports what must stay 0 (lost posts, aggregate items that differ
// from a recount, double counts, valid and scored posts in the DLQ), the faults injected, the last-receive
// fallbacks and stale dead letters avoided, posts/s and DynamoDB write units per post.
import type { FaultRunReport } from '../test/support/fault-run.js';
import { startStack } from '../test/support/stack.js';
import { log } from './measure.js';

export interface FaultBenchOptions {
  posts: number;
  rate: number;
  seed: number;
}

export interface FaultBenchResult {
  posts: number;
  seed: number;
  runs: Array<{ multiple: number; report: FaultRunReport }>;
}

export async function measureFaults(options: FaultBenchOptions): Promise<FaultBenchResult> {
  // The functions' logs would flood the output, and their metrics are read from stdout by the run itself.
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
  process.env.MODEL_ID = 'no-such-model-lexicon-fallback';
  const stack = await startStack();
  try {
    // The logger may exist already (bench.ts loads classifier modules): quiet it too.
    (await import('../src/observability.js')).logger.setLogLevel('CRITICAL');
    const { runWithFaults } = await import('../test/support/fault-run.js');
    const runs: FaultBenchResult['runs'] = [];
    for (const multiple of [1, options.rate]) {
      log(`- ${options.posts} posts at ${multiple}x today's fault rates`);
      const report = await runWithFaults(stack, {
        posts: options.posts,
        rate: multiple,
        seed: options.seed,
        timeoutMs: 3_600_000,
        onBatch: (invocations, ms) => {
          if (invocations % 100 === 0) log(`  ${invocations} invocations, ${(ms / 1000).toFixed(0)} s`);
        },
      });
      runs.push({ multiple, report });
    }
    return { posts: options.posts, seed: options.seed, runs };
  } finally {
    await stack.teardown();
  }
}

const pct = (faults: number, calls: number) => `${((100 * faults) / Math.max(1, calls)).toFixed(1)}% of ${calls}`;

export function formatFaultTable(result: FaultBenchResult): string {
  const rows: Array<[string, (r: FaultRunReport) => string]> = [
    ['DynamoDB requests faulted', (r) => pct(r.requests.dynamodb.faults, r.requests.dynamodb.calls)],
    ['SQS requests faulted', (r) => pct(r.requests.sqs.faults, r.requests.sqs.calls)],
    ['model calls failed', (r) => pct(r.model.failed, r.model.calls)],
    ['model loads failed', (r) => pct(r.model.failedLoads, r.model.loads)],
    ['invocations crashed', (r) => pct(r.crashes, r.invocations)],
    ['duplicate deliveries sent', (r) => String(r.duplicatesSent)],
    ['lost (target 0)', (r) => String(r.lost)],
    ['aggregate mismatches (target 0)', (r) => String(r.aggregateMismatches)],
    ['double counts (target 0)', (r) => String(r.doubleCounts)],
    ['valid posts in the DLQ (target 0)', (r) => String(r.validInDlq)],
    ['scored posts in the DLQ (target 0)', (r) => String(r.scoredInDlq)],
    ['DLQ messages by reason', (r) => JSON.stringify(r.dlqByReason)],
    ['LastReceiveFallbacks', (r) => String(r.metrics.LastReceiveFallbacks ?? 0)],
    ['ScoredBeforeDeadLetter', (r) => String(r.metrics.ScoredBeforeDeadLetter ?? 0)],
    ['DuplicatesSkipped', (r) => String(r.metrics.DuplicatesSkipped ?? 0)],
    ['posts/s', (r) => r.postsPerSecond.toFixed(1)],
    ['write units per post', (r) => r.writeUnitsPerPost.toFixed(2)],
  ];
  const header = ['', ...result.runs.map((run) => `${run.multiple}x`)];
  const table = [header, ...rows.map(([name, cell]) => [name, ...result.runs.map((run) => cell(run.report))])];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const lines = table.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
  return [`${result.posts} posts under faults (seed ${result.seed})`, ...lines].join('\n');
}
