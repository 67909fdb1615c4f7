// rescore on the emulators: posts scored by the lexicon fallback (the configured model is missing) are
// re-enqueued for another model, optionally from a day on; the classify handler running that model
// replaces the results and the aggregates follow through the stream's MODIFY records.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type TestStack } from '../../support/stack.js';
import { ingestPosts } from '../../../src/producer/ingest.js';
import { COUNTER_FIELDS, allSourcesDayKey } from '../../../src/domain/aggregation.js';
import { LEXICON_MODEL_ID } from '../../../src/classifier/lexicon.js';
import { documentClient } from '../../../src/aws/clients.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { MISSING_MODEL_DIR, runOps } from '../../support/cli.js';
import { runPipeline } from '../../support/pipeline.js';
import { contraryClassifier } from '../../support/classifiers.js';
import { makePosts } from '../../support/posts.js';
import { queueCounts } from '../../support/queues.js';
import { readResults } from '../../support/tables.js';
import { assertAggregatesMatchResults } from '../../support/aggregates.js';

const OTHER_MODEL = 'contrary-v2';

describe('ops rescore', () => {
  let stack: TestStack;
  let restoreModelDir: string | undefined;
  before(async () => {
    restoreModelDir = process.env.MODEL_DIR;
    process.env.MODEL_DIR = MISSING_MODEL_DIR; // first pass: getClassifier falls back to the lexicon
    stack = await startStack();
  });
  after(async () => {
    await stack?.teardown();
    if (restoreModelDir === undefined) delete process.env.MODEL_DIR;
    else process.env.MODEL_DIR = restoreModelDir;
  });

  async function allSourcesDay(day: string): Promise<Record<string, number>> {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: stack.stage.tables.aggregates, Key: allSourcesDayKey(day) }),
    );
    assert.ok(Item, `aggregate for ${day}`);
    return Item as Record<string, number>;
  }

  it('re-enqueues lexicon-scored posts since a day; rescoring with the other model moves the aggregates', async () => {
    const { createClassifyBatch } = await import('../../../src/pipeline/classify.js');
    const { createAggregateBatch } = await import('../../../src/pipeline/aggregate.js');
    const aggregate = createAggregateBatch();
    const posts = makePosts(30, { prefix: 'rescore', days: 3 }); // 10 posts on each of 2024-05-01..03
    const summary = await ingestPosts(posts, {
      postsTable: stack.stage.tables.posts,
      queueUrl: stack.stage.queues.classify.url,
    });
    assert.equal(summary.enqueued, 30);

    await runPipeline(stack, { classify: createClassifyBatch(), aggregate });
    const firstPass = await readResults(stack.stage.tables.results);
    assert.equal(firstPass.size, 30);
    for (const result of firstPass.values()) {
      assert.equal(result.modelId, LEXICON_MODEL_ID);
      assert.equal(result.method, 'lexicon');
    }
    await assertAggregatesMatchResults(stack.stage.tables.results, stack.stage.tables.aggregates);
    const before = await allSourcesDay('2024-05-02');
    const firstDayBefore = await allSourcesDay('2024-05-01');
    assert.ok(before.positive > 0 && before.positive !== before.negative, 'the lexicon pass leans one way');

    const dryRun = await runOps(stack, ['rescore', '--model', OTHER_MODEL, '--since', '2024-05-02', '--dry-run']);
    assert.equal(dryRun.code, 0, dryRun.stderr);
    assert.match(
      dryRun.stdout,
      new RegExp(
        '20 post\\(s\\) on or after 2024-05-02 ' +
          `not scored by ${OTHER_MODEL} \\(20 from ${LEXICON_MODEL_ID} \\(lexicon\\)\\)`,
      ),
    );
    assert.deepEqual(await queueCounts(stack.clients.sqs, stack.stage.queues.classify.url), {
      visible: 0,
      inFlight: 0,
    });

    const run = await runOps(stack, ['rescore', '--model', OTHER_MODEL, '--since', '2024-05-02']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Enqueued 20 post\(s\)/);
    assert.equal((await queueCounts(stack.clients.sqs, stack.stage.queues.classify.url)).visible, 20);

    // The classify handler now runs the other model.
    const rescoreHandler = createClassifyBatch({ classifier: async () => contraryClassifier(OTHER_MODEL) });
    await runPipeline(stack, { classify: rescoreHandler, aggregate });
    const secondPass = await readResults(stack.stage.tables.results);
    for (const [postId, result] of secondPass) {
      const expected = result.day >= '2024-05-02' ? OTHER_MODEL : LEXICON_MODEL_ID;
      assert.equal(result.modelId, expected, `${postId} on ${result.day}`);
    }
    await assertAggregatesMatchResults(stack.stage.tables.results, stack.stage.tables.aggregates);
    // The other model sees it the other way round: the day's positive and negative counts swap.
    const afterRescore = await allSourcesDay('2024-05-02');
    assert.equal(afterRescore.count, before.count);
    assert.equal(afterRescore.positive, before.negative);
    assert.equal(afterRescore.negative, before.positive);
    assert.ok(Math.abs(afterRescore.scoreSum + before.scoreSum) < 1e-9);
    const firstDay = await allSourcesDay('2024-05-01');
    for (const field of COUNTER_FIELDS)
      assert.equal(firstDay[field], firstDayBefore[field], `2024-05-01 ${field} untouched`);

    // Nothing left to do since that day; without --since the first day's 10 posts remain.
    const again = await runOps(stack, ['rescore', '--model', OTHER_MODEL, '--since', '2024-05-02']);
    assert.match(again.stdout, /Enqueued 0 post\(s\)/);
    // Results of the multilingual model classify routes posts to are current too: a rescore for a new English
    // model leaves them alone (else every rescore would re-enqueue them, and they would come back unchanged).
    const routed = await runOps(stack, [
      'rescore',
      '--model',
      'next-english-model',
      '--multilingual',
      OTHER_MODEL,
      '--dry-run',
    ]);
    assert.match(
      routed.stdout,
      new RegExp(
        `^10 post\\(s\\) not scored by next-english-model \\(10 from ${LEXICON_MODEL_ID} \\(lexicon\\)\\)`,
        'm',
      ),
    );
    // Every routed model of the list is current, in either place of it (classify serves v1 and v2 side by side).
    for (const list of [`routed-v1,${OTHER_MODEL}`, `${OTHER_MODEL},routed-v2`]) {
      const both = await runOps(stack, [
        'rescore',
        '--model',
        'next-english-model',
        '--multilingual',
        list,
        '--dry-run',
      ]);
      assert.match(both.stdout, /^10 post\(s\) not scored by next-english-model/m, list);
    }
    const twice = await runOps(stack, ['rescore', '--model', 'x', '--multilingual', 'a,a', '--dry-run']);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /--multilingual lists "a" twice/);
    const unrouted = await runOps(stack, [
      'rescore',
      '--model',
      'next-english-model',
      '--multilingual',
      'none',
      '--dry-run',
    ]);
    assert.match(unrouted.stdout, /^30 post\(s\) not scored by next-english-model/m);
    const rest = await runOps(stack, ['rescore', '--model', OTHER_MODEL]);
    assert.match(rest.stdout, /Enqueued 10 post\(s\)/);
    await runPipeline(stack, { classify: rescoreHandler, aggregate });
    for (const result of (await readResults(stack.stage.tables.results)).values())
      assert.equal(result.modelId, OTHER_MODEL);
    await assertAggregatesMatchResults(stack.stage.tables.results, stack.stage.tables.aggregates);
  });

  it('rejects a missing --model and a malformed --since without touching the queue', async () => {
    const noModel = await runOps(stack, ['rescore']);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /rescore needs --model/);
    const badDay = await runOps(stack, ['rescore', '--model', OTHER_MODEL, '--since', '05/02/2024']);
    assert.equal(badDay.code, 2);
    assert.match(badDay.stderr, /--since must be YYYY-MM-DD/);
    assert.deepEqual(await queueCounts(stack.clients.sqs, stack.stage.queues.classify.url), {
      visible: 0,
      inFlight: 0,
    });
  });
});
