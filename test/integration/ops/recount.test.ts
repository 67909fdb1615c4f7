// recount on the emulators: after the pipeline ran, aggregates are damaged behind its back (wrong counters,
// a missing item, an item for results that do not exist); --check lists that and changes nothing, recount
// fixes exactly the range (and source) asked for, leaves days with recent results alone, and retries an
// item the aggregate handler wrote while it was being recounted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startStack, type TestStack } from '../../support/stack.js';
import { ingestPosts } from '../../../src/producer/ingest.js';
import { loadConfig } from '../../../src/config.js';
import { scanItems } from '../../../src/aws/dynamodb.js';
import {
  allSourcesDayKey,
  isBookkeepingKey,
  keyId,
  sourceDayKey,
  type AggregateKey,
} from '../../../src/domain/aggregation.js';
import type { PipelineHandlers } from '../../../src/local/event-sources.js';
import { recountAggregates } from '../../../src/ops/recount.js';
import { MISSING_MODEL_DIR, runOps } from '../../support/cli.js';
import { runPipeline } from '../../support/pipeline.js';
import { makePosts } from '../../support/posts.js';
import { assertAggregatesMatchResults } from '../../support/aggregates.js';

const NO_SETTLE = ['--settle-minutes', '0']; // the results were classified seconds ago, and the pipeline is idle

describe('ops recount', () => {
  let stack: TestStack;
  let handlers: PipelineHandlers;
  let restoreModelDir: string | undefined;
  before(async () => {
    restoreModelDir = process.env.MODEL_DIR;
    process.env.MODEL_DIR = MISSING_MODEL_DIR;
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    stack = await startStack();
    const { createClassifyBatch } = await import('../../../src/pipeline/classify.js');
    const { createAggregateBatch } = await import('../../../src/pipeline/aggregate.js');
    handlers = { classify: createClassifyBatch(), aggregate: createAggregateBatch() };
  });
  after(async () => {
    await stack?.teardown();
    if (restoreModelDir === undefined) delete process.env.MODEL_DIR;
    else process.env.MODEL_DIR = restoreModelDir;
  });

  const table = () => stack.stage.tables.aggregates;

  async function get(key: AggregateKey): Promise<Record<string, unknown> | undefined> {
    return (await stack.clients.documents.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true })))
      .Item;
  }

  async function aggregateItems(): Promise<Map<string, Record<string, unknown>>> {
    const items = new Map<string, Record<string, unknown>>();
    for await (const item of scanItems(table())) {
      const key = { pk: String(item.pk), sk: String(item.sk) };
      if (!isBookkeepingKey(key)) items.set(keyId(key), item);
    }
    return items;
  }

  async function bump(key: AggregateKey, field: string, by: number): Promise<void> {
    await stack.clients.documents.send(
      new UpdateCommand({
        TableName: table(),
        Key: key,
        UpdateExpression: 'ADD #f :by',
        ExpressionAttributeNames: { '#f': field },
        ExpressionAttributeValues: { ':by': by },
      }),
    );
  }

  /** A fresh stage with 45 posts on 2024-05-01..03 run through the pipeline, then damaged in three ways. */
  async function damagedStage() {
    await stack.freshStage();
    const posts = makePosts(45, { prefix: 'recount', days: 3 });
    await ingestPosts(posts, { postsTable: stack.stage.tables.posts, queueUrl: stack.stage.queues.classify.url });
    await runPipeline(stack, handlers);
    await assertAggregatesMatchResults(stack.stage.tables.results, stack.stage.tables.aggregates);
    const wrong = sourceDayKey('twitter', '2024-05-01');
    const missing = sourceDayKey('reddit', '2024-05-02');
    const ghost = sourceDayKey('ghost', '2024-05-02');
    const outOfRange = sourceDayKey('news', '2024-05-03');
    const original = { wrong: (await get(wrong))!, missing: (await get(missing))! };
    await bump(wrong, 'count', 5);
    await bump(wrong, 'positive', 5);
    await bump(allSourcesDayKey('2024-05-01'), 'scoreSum', 0.25);
    await stack.clients.documents.send(new DeleteCommand({ TableName: table(), Key: missing }));
    await stack.clients.documents.send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...ghost,
          count: 3,
          negative: 3,
          neutral: 0,
          positive: 0,
          scoreSum: -2,
          day: '2024-05-02',
          source: 'ghost',
        },
      }),
    );
    await bump(outOfRange, 'neutral', 2);
    return { wrong, missing, ghost, outOfRange, original };
  }

  it('--check lists every difference in range, writes nothing and exits 1', async () => {
    const { wrong, original } = await damagedStage();
    const before = await aggregateItems();
    const run = await runOps(stack, ['recount', '--from', '2024-05-01', '--to', '2024-05-02', '--check', ...NO_SETTLE]);
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stdout.split('\n');
    const line = (prefix: string) => lines.find((l) => l.startsWith(prefix));
    assert.equal(
      line('differs     SOURCE#twitter DAY#2024-05-01'),
      'differs     SOURCE#twitter DAY#2024-05-01: ' +
        `count ${Number(original.wrong.count) + 5} -> ${original.wrong.count}, ` +
        `positive ${Number(original.wrong.positive) + 5} -> ${original.wrong.positive}`,
    );
    assert.match(line('differs     ALL DAY#2024-05-01') ?? '', /: scoreSum -?[\d.]+ -> -?[\d.]+$/);
    assert.match(line('differs     SOURCE#reddit DAY#2024-05-02') ?? '', /\(missing\): count 0 -> [1-9]/);
    assert.equal(
      line('differs     SOURCE#ghost DAY#2024-05-02'),
      'differs     SOURCE#ghost DAY#2024-05-02 (no results: zero): count 3 -> 0, scoreSum -2 -> 0, negative 3 -> 0',
    );
    assert.equal(lines.filter((l) => l.startsWith('differs')).length, 4, run.stdout);
    assert.doesNotMatch(run.stdout, /DAY#2024-05-03/, 'the day after the range is not looked at');
    assert.match(run.stdout, /30 result\(s\) in range \(45 scanned\)/);
    assert.match(run.stdout, /4 item\(s\) differ\. --check: nothing written\./);
    assert.deepEqual(await aggregateItems(), before, 'nothing written');
    assert.equal((await get(wrong))!.count, Number(original.wrong.count) + 5);
  });

  it('fixes wrong counters, missing items and items that should be zero, only in the range', async () => {
    const { wrong, missing, ghost, outOfRange, original } = await damagedStage();
    const outOfRangeBefore = await get(outOfRange);
    const run = await runOps(stack, [
      'recount',
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-02',
      '--segments',
      '3',
      ...NO_SETTLE,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.split('\n').filter((l) => l.startsWith('fixed')).length, 4, run.stdout);
    assert.match(run.stdout, /^fixed {7}SOURCE#ghost DAY#2024-05-02 \(no results: zero\): count 3 -> 0/m);
    assert.match(run.stdout, /4 item\(s\) differed, 4 fixed\./);
    assert.equal((await get(wrong))!.count, original.wrong.count);
    const restored = (await get(missing))!;
    for (const field of ['count', 'negative', 'neutral', 'positive', 'day', 'source'] as const)
      assert.equal(restored[field], original.missing[field], field);
    assert.ok(Math.abs(Number(restored.scoreSum) - Number(original.missing.scoreSum)) < 1e-9);
    assert.deepEqual(
      { ...(await get(ghost)), updatedAt: undefined, recountedAt: undefined },
      {
        ...ghost,
        count: 0,
        negative: 0,
        neutral: 0,
        positive: 0,
        scoreSum: 0,
        day: '2024-05-02',
        source: 'ghost',
        updatedAt: undefined,
        recountedAt: undefined,
      },
    );
    assert.deepEqual(await get(outOfRange), outOfRangeBefore, 'outside --from/--to: untouched');

    const again = await runOps(stack, [
      'recount',
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-02',
      '--check',
      ...NO_SETTLE,
    ]);
    assert.equal(again.code, 0, again.stdout);
    assert.match(again.stdout, /No differences/);
    const rest = await runOps(stack, ['recount', '--from', '2024-05-03', '--to', '2024-05-03', ...NO_SETTLE]);
    assert.equal(rest.code, 0, rest.stderr);
    assert.match(rest.stdout, /^fixed {7}SOURCE#news DAY#2024-05-03: neutral \d+ -> \d+$/m);
    await assertAggregatesMatchResults(stack.stage.tables.results, stack.stage.tables.aggregates);
  });

  it('--source recounts only that source', async () => {
    const { wrong, missing } = await damagedStage();
    const wrongBefore = await get(wrong);
    const run = await runOps(stack, [
      'recount',
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-03',
      '--source',
      'reddit',
      ...NO_SETTLE,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      run.stdout
        .split('\n')
        .filter((l) => l.startsWith('fixed'))
        .map((l) => l.split(/\s+/).slice(1, 3).join(' ')),
      ['SOURCE#reddit DAY#2024-05-02'],
    );
    assert.ok(await get(missing));
    assert.deepEqual(await get(wrong), wrongBefore, 'another source: untouched');
    assert.ok(await get(sourceDayKey('ghost', '2024-05-02')), 'another source: untouched');
  });

  it('leaves days whose results are newer than the settle time alone, and says so', async () => {
    const { wrong } = await damagedStage();
    const wrongBefore = await get(wrong);
    const run = await runOps(stack, ['recount', '--from', '2024-05-01', '--to', '2024-05-01']); // default: 15 minutes
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /^not settled SOURCE#twitter DAY#2024-05-01: count/m);
    assert.match(run.stdout, /0 fixed\. 2 on days with results newer than the settle time, left alone/);
    assert.deepEqual(await get(wrong), wrongBefore);
  });

  it('refuses bad ranges and options with a usage error', async () => {
    for (const [args, message] of [
      [['--from', '2024-05-01'], /recount needs --to YYYY-MM-DD/],
      [['--from', '2024-13-01', '--to', '2024-12-01'], /--from must be a date YYYY-MM-DD, got "2024-13-01"/],
      [['--from', '2024-02-30', '--to', '2024-03-01'], /--from must be a date/],
      [['--from', 'yesterday', '--to', '2024-03-01'], /--from must be a date/],
      [['--from', '2024-05-02', '--to', '2024-05-01'], /--from 2024-05-02 is after --to 2024-05-01/],
      [['--from', '2024-05-01', '--to', '2024-05-01', '--segments', '0'], /--segments must be a positive integer/],
      [
        ['--from', '2024-05-01', '--to', '2024-05-01', '--settle-minutes', 'soon'],
        /--settle-minutes must be a number >= 0, got "soon"/,
      ],
    ] as const) {
      const run = await runOps(stack, ['recount', ...args]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}`);
      assert.match(run.stderr, message);
    }
  });

  it('retries an item the aggregate handler changed between read and write; ends equal to the results', async () => {
    const { wrong } = await damagedStage();
    let interleaved = 0;
    const result = await recountAggregates(loadConfig(), {
      from: '2024-05-01',
      to: '2024-05-03',
      settleSeconds: 0,
      beforeWrite: async (key) => {
        if (interleaved > 0 || keyId(key) !== keyId(wrong)) return;
        interleaved += 1;
        // A new post of that source and day goes through the real pipeline: its delta lands on the item
        // after the recount read it, so the recount's write must be refused and the item recounted.
        await ingestPosts(
          [
            {
              postId: 'late-arrival',
              text: 'wonderful, great, lovely',
              createdAt: '2024-05-01T23:00:00Z',
              source: 'twitter',
            },
          ],
          { postsTable: stack.stage.tables.posts, queueUrl: stack.stage.queues.classify.url },
        );
        await runPipeline(stack, handlers);
      },
    });
    assert.equal(interleaved, 1);
    assert.equal(result.rounds, 2, 'a second round for the item that changed');
    const twitter = result.differences.find((d) => keyId(d.key) === keyId(wrong))!;
    assert.equal(twitter.status, 'fixed');
    assert.ok(
      result.differences.every((d) => d.status === 'fixed'),
      JSON.stringify(result.differences),
    );
    assert.equal(result.counted, 46);
    await assertAggregatesMatchResults(stack.stage.tables.results, stack.stage.tables.aggregates);
  });
});
