// The whole flow on the emulators: files -> producer (library and CLI) -> queue -> classify (the real
// model when it is in models/, else the lexicon fallback) -> results -> stream -> aggregates, plus poison
// and orphan messages. Nothing is lost: scored + dead-lettered == enqueued, aggregates == a recount.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startStack, type TestStack } from '../../support/stack.js';
import { pipelineEventSources, runUntilIdle } from '../../../src/local/event-sources.js';
import { loadConfig } from '../../../src/config.js';
import { encodePostMessage } from '../../../src/domain/messages.js';
import { makePosts } from '../../support/posts.js';
import { attribute, drainQueue, sendBodies } from '../../support/queues.js';
import { readResults } from '../../support/tables.js';
import { assertAggregatesMatchResults } from '../../support/aggregates.js';

process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

let stack: TestStack;
let dir: string;

before(async () => {
  stack = await startStack();
  dir = mkdtempSync(join(tmpdir(), 'pipeline-flow-'));
});

after(async () => {
  await stack?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function csvCell(value: string | undefined): string {
  if (value === undefined) return '';
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

describe('whole pipeline', () => {
  it('ingests files, scores every valid post, DLQs the rest with reasons, and aggregates match a recount', async () => {
    const { stage } = stack;
    const config = loadConfig();
    const modelPresent = existsSync(join(config.model.dir, config.model.id, 'config.json'));

    // A JSONL file: valid posts and every kind of invalid row.
    const jsonlPosts = makePosts(150, { prefix: 'j', seed: 3 });
    const jsonlLines = [
      ...jsonlPosts.map((p) => JSON.stringify(p)),
      JSON.stringify({ text: 'no id', createdAt: '2024-05-01T00:00:00Z' }),
      JSON.stringify({ postId: 'no-text', createdAt: '2024-05-01T00:00:00Z' }),
      JSON.stringify({ postId: 77, text: 'numeric id', createdAt: '2024-05-01T00:00:00Z' }),
      JSON.stringify({ postId: 'bad-date', text: 'when?', createdAt: 'the other day' }),
      '{"postId": "broken json", ',
      '',
      JSON.stringify(jsonlPosts[0]), // duplicate of the first row
    ];
    const jsonlFile = join(dir, 'posts.jsonl');
    writeFileSync(jsonlFile, jsonlLines.join('\n') + '\n');

    // A CSV file for the CLI: valid posts, a row with the wrong number of cells, an empty text, a bad date.
    const csvPosts = makePosts(30, { prefix: 'c', seed: 4 }).map((p, i) =>
      i === 0 ? { ...p, text: 'quoted, with "commas"\nand a newline' } : p,
    );
    const csvFile = join(dir, 'posts.csv');
    writeFileSync(
      csvFile,
      [
        'postId,text,createdAt,source,author',
        ...csvPosts.map((p) => [p.postId, p.text, p.createdAt, p.source, p.author].map(csvCell).join(',')),
        'c-short,only two cells',
        'c-empty,,2024-05-01T00:00:00Z,news,x',
        'c-date,fine text,01/05/2024,news,x',
      ].join('\n') + '\n',
    );

    const { ingestPosts, readPostsFile } = await import('../../../src/producer/ingest.js');
    const jsonl = await ingestPosts(readPostsFile(jsonlFile), {
      postsTable: stage.tables.posts,
      queueUrl: stage.queues.classify.url,
    });
    assert.equal(jsonl.read, 156, 'blank lines are not rows');
    assert.equal(jsonl.stored, 150);
    assert.equal(jsonl.enqueued, 150);
    assert.deepEqual(jsonl.failed, []);
    assert.deepEqual(
      jsonl.rejected.map((r) => r.row),
      [151, 152, 153, 154, 155, 157],
    );
    const reasons = jsonl.rejected.map((r) => r.reason);
    assert.match(reasons[0], /postId/);
    assert.match(reasons[1], /text/);
    assert.match(reasons[2], /postId/);
    assert.match(reasons[3], /createdAt/);
    assert.match(reasons[4], /invalid JSON/);
    assert.match(reasons[5], /duplicate postId \(first at row 1/);

    const rejectsFile = join(dir, 'rejects.jsonl');
    // Rejected rows make ingest exit 1 (a cron job must not read them as success).
    const cli = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/ingest.ts', csvFile, '--rejects', rejectsFile],
      {
        cwd: ROOT,
        env: { ...process.env, ...stack.env },
      },
    ).then(
      () => assert.fail('3 rejected rows, yet ingest exited 0'),
      (error: { code: number; stdout: string }) => error,
    );
    assert.equal(cli.code, 1);
    assert.match(cli.stdout, /read 33, stored 30, enqueued 30, rejected 3, failed 0/);
    const rejects = readFileSync(rejectsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(rejects.length, 3);
    assert.ok(
      rejects.some((r) => /Invalid Record Length/.test(r.reason)),
      'the short CSV row is reported',
    );
    assert.ok(rejects.some((r) => r.postId === 'c-empty' && /text/.test(r.reason)));
    assert.ok(rejects.some((r) => r.postId === 'c-date' && /createdAt/.test(r.reason)));

    // Messages no producer of ours would send: two poison ones and one for a post that never exists.
    await sendBodies(stack.clients.sqs, stage.queues.classify.url, [
      '<<garbage>>',
      '{"v":1,"postId":null}',
      encodePostMessage('orphan'),
    ]);
    const enqueued = jsonl.enqueued + 30 + 3;

    const sources = pipelineEventSources(
      stack.clients,
      stage,
      {
        classify: (await import('../../../handlers/classify.js')).handler,
        aggregate: (await import('../../../handlers/aggregate.js')).handler,
      },
      { classify: { maximumBatchingWindowSeconds: 0.5 } },
    );
    await runUntilIdle([sources.classify, sources.aggregate], { timeoutMs: 300_000 });

    const results = await readResults(stage.tables.results);
    const dead = await drainQueue(stack.clients.sqs, stage.queues.classifyDlq.url);
    assert.equal(results.size + dead.length, enqueued, 'scored + dead-lettered == enqueued');
    assert.equal(results.size, 180);
    for (const post of [...jsonlPosts, ...csvPosts]) assert.ok(results.has(post.postId), post.postId);
    assert.deepEqual(
      dead.map((m) => attribute(m, 'failureReason')).sort(),
      ['not-json', 'post-not-found', 'schema-invalid'],
      'every DLQ message carries its reason',
    );
    assert.equal(
      JSON.parse(dead.find((m) => attribute(m, 'failureReason') === 'post-not-found')!.Body!).postId,
      'orphan',
    );

    const methods = new Set([...results.values()].map((r) => r.method));
    assert.deepEqual(
      [...methods],
      [modelPresent ? 'transformer' : 'lexicon'],
      modelPresent ? 'the real model scored every post' : 'no model in models/: the lexicon fallback scored every post',
    );
    if (modelPresent) assert.ok([...results.values()].every((r) => r.modelId === config.model.id));
    const labels = new Set([...results.values()].map((r) => r.label));
    assert.ok(labels.size >= 2, `posts of clearly different tone get different labels (${[...labels]})`);
    const day = results.get('j-0')!;
    assert.equal(day.day, jsonlPosts[0].createdAt.slice(0, 10));
    assert.equal(results.get('j-9')!.source, 'unknown', 'a post without a source is counted under "unknown"');

    assert.equal(await assertAggregatesMatchResults(stage.tables.results, stage.tables.aggregates), 180);
  });

  it('reports valid posts it could not store or enqueue, with the reason, instead of dropping them', async () => {
    const stage = await stack.freshStage();
    const { ingestPosts } = await import('../../../src/producer/ingest.js');
    const posts = makePosts(30, { prefix: 'lost', seed: 1 });

    const unstored = await ingestPosts(posts, {
      postsTable: `${stage.tables.posts}-missing`,
      queueUrl: stage.queues.classify.url,
    });
    assert.deepEqual([unstored.stored, unstored.enqueued, unstored.failed.length], [0, 0, 30]);
    assert.ok(
      unstored.failed.every((f) => /^not stored: .*ResourceNotFound/.test(f.reason)),
      unstored.failed[0]?.reason,
    );
    assert.deepEqual(
      unstored.failed.map((f) => f.postId),
      posts.map((p) => p.postId),
    );

    const unqueued = await ingestPosts(posts, {
      postsTable: stage.tables.posts,
      queueUrl: `${stage.queues.classify.url}-missing`,
    });
    assert.deepEqual([unqueued.stored, unqueued.enqueued, unqueued.failed.length], [30, 0, 30]);
    assert.ok(
      unqueued.failed.every((f) => /^stored but not enqueued: /.test(f.reason)),
      unqueued.failed[0]?.reason,
    );

    // Re-running against the right queue recovers them: what was reported can be retried.
    const rerun = await ingestPosts(posts, { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
    assert.deepEqual([rerun.stored, rerun.enqueued, rerun.failed.length, rerun.rejected.length], [30, 30, 0, 0]);
    assert.equal((await drainQueue(stack.clients.sqs, stage.queues.classify.url)).length, 30);
  });

  it('sends large messages in batches under the size limit and reports one that is too large by itself', async () => {
    const stage = await stack.freshStage();
    const { sendMessages } = await import('../../../src/aws/sqs.js');
    const bodies = Array.from({ length: 25 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(40_000) }));
    const tooLarge = 'y'.repeat(1_100_000);
    const failures = await sendMessages(
      stage.queues.classify.url,
      [...bodies.slice(0, 12), { body: tooLarge }, ...bodies.slice(12)].map((b) =>
        typeof b === 'string' ? { body: b } : b,
      ),
    );
    assert.deepEqual(
      failures.map((f) => f.index),
      [12],
    );
    assert.ok(failures[0].error.length > 0);
    const received = await drainQueue(stack.clients.sqs, stage.queues.classify.url);
    assert.deepEqual(
      received.map((m) => JSON.parse(m.Body!).i).sort((a, b) => a - b),
      bodies.map((_, i) => i),
    );
  });
});
