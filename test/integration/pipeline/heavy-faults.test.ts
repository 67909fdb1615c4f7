// The whole pipeline at three times the fault rates it was built against (test/support/fault-run.ts): DynamoDB
// and SQS requests throttled, failed, reset before and after they took effect, batch calls answered in part;
// model calls and loads failing in routed (English + multilingual) batches, a few texts no model call can score;
// invocations crashing mid-batch; duplicate deliveries. Every valid post must end scored and none in the DLQ,
// the aggregates must equal a recount with nothing counted twice, and the metrics must count the last-receive
// fallbacks. Seeded: a failure names its seed and replays the same faults. (The speed and write units under
// faults are the bench's: `npm run bench -- --faults`.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type TestStack } from '../../support/stack.js';

process.env.MODEL_ID = 'no-such-model-lexicon-fallback';
process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'ImpactSentimentTest';

let stack: TestStack;
let runWithFaults: typeof import('../../support/fault-run.js').runWithFaults;

before(async () => {
  stack = await startStack();
  // Imported after the environment above is set (it loads the modules that create the Powertools singletons).
  ({ runWithFaults } = await import('../../support/fault-run.js'));
});

after(async () => {
  await stack?.teardown();
});

const SEED = 2026;

describe('the pipeline under three times the fault rates', () => {
  it('scores every valid post, dead-letters none, counts each once', { timeout: 600_000 }, async () => {
    const report = await runWithFaults(stack, { posts: 2000, rate: 3, seed: SEED, poison: 0.005 });
    const summary = JSON.stringify({ seed: SEED, ...report }, null, 1);

    // The faults really happened, at about three times the base rates.
    const share = ({ faults, calls }: { faults: number; calls: number }) => faults / calls;
    assert.ok(share(report.requests.dynamodb) > 0.2, summary);
    assert.ok(share(report.requests.sqs) > 0.15, summary);
    assert.ok(report.model.failed / report.model.calls > 0.12, summary);
    assert.ok(report.model.failedLoads > 0 && report.crashes > 0 && report.duplicatesSent > 300, summary);
    assert.ok(report.poisoned.posts >= 5, summary);

    assert.equal(report.lost, 0, summary);
    assert.equal(report.validInDlq, 0, summary);
    assert.equal(report.scoredInDlq, 0, summary);
    assert.deepEqual(report.dlqByReason, {}, summary);
    assert.equal(report.aggregateMismatches, 0, summary);
    assert.equal(report.doubleCounts, 0, summary);

    // The texts no model call could score ended scored by the lexicon on their last receive, and were counted.
    assert.equal(report.poisoned.lexicon, report.poisoned.posts, summary);
    // (A fallback is counted once per record: two deliveries of one post may both fall back.)
    assert.ok(report.metrics.LastReceiveFallbacks >= report.lexiconResults, summary);
    assert.ok(report.metrics.LastReceiveFallbacks <= report.lexiconResults + report.duplicatesSent, summary);
    assert.ok(report.metrics.DuplicatesSkipped > 0, summary);
    assert.equal(report.metrics.DlqSends ?? 0, 0, summary);
  });
});
