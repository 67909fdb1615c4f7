// The aggregate function never loads a model, so the classifier's settings must not break it: not at import
// (the metrics singleton) and not per batch (the tables it reads).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { REPO_ROOT } from '../../support/cli.js';

const RUN_EMPTY_BATCH = `
const { handler } = await import('./handlers/aggregate.ts');
const context = { functionName: 'aggregate', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 30_000 };
console.log(JSON.stringify(await handler({ Records: [] }, context)));
`;

test('the aggregate handler loads and answers with MODEL_DTYPE and ORT_THREADS that do not parse', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RUN_EMPTY_BATCH], {
    cwd: REPO_ROOT,
    env: { ...process.env, MODEL_DTYPE: 'int3', ORT_THREADS: 'zero', POWERTOOLS_METRICS_NAMESPACE: 'Test' },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').pop() ?? ''), { batchItemFailures: [] });
});
