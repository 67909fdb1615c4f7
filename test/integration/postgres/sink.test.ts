// The PostgreSQL sink on the real emulators and a real PostgreSQL: posts scored by the classify handler reach
// the users' table (a bigint id matches the post id "9000000001"), a dead-lettered post gets its reason, an older
// result never overwrites a newer one, and a table without the mapped columns is refused with a clear error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type pg from 'pg';
import { startStack, type TestStack } from '../../support/stack.js';
import { createTweets, readTweets, startTestPostgres, TWEETS_COLUMNS, withClient } from '../../support/postgres.js';
import { putResults, runSink } from '../../support/postgres-sink.js';
import { assertAggregatesMatchResults } from '../../support/aggregates.js';
import { drainQueue } from '../../support/queues.js';
import { encodePostMessage } from '../../../src/domain/messages.js';
import { parseSinkColumns } from '../../../src/domain/postgres-columns.js';
import type { LocalPostgres } from '../../../src/local/postgres-server.js';
import type { PostgresSinkConfig } from '../../../src/config.js';

process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

let stack: TestStack;
let server: LocalPostgres;
let pool: pg.Pool;

before(async () => {
  [stack, server] = await Promise.all([startStack(), startTestPostgres()]);
  const { createPool } = await import('../../../src/postgres/pool.js');
  pool = await createPool({ url: server.url, lockTimeoutMs: 1_000, statementTimeoutMs: 10_000 });
});

after(async () => {
  await pool?.end();
  await stack?.teardown();
  await server?.stop();
});

function sinkConfig(table = 'tweets', columns = TWEETS_COLUMNS): PostgresSinkConfig {
  return {
    table,
    columns: parseSinkColumns(columns),
    connection: { url: server.url, lockTimeoutMs: 1_000, statementTimeoutMs: 10_000 },
  };
}

async function sinkHandler(config = sinkConfig()) {
  const { createPostgresSinkBatch } = await import('../../../src/pipeline/postgres-sink.js');
  return createPostgresSinkBatch({ sink: config, pool: async () => pool });
}

/** classify (with the lexicon: quick, and its labels are plain), aggregate and the sink, until idle. */
async function runWholePipeline() {
  const { createClassifyBatch } = await import('../../../src/pipeline/classify.js');
  const { LexiconClassifier } = await import('../../../src/classifier/lexicon.js');
  const { handler: aggregate } = await import('../../../handlers/aggregate.js');
  const classify = createClassifyBatch({ classifier: async () => new LexiconClassifier() });
  await runSink(stack, await sinkHandler(), { classify, aggregate });
}

describe('PostgreSQL sink', () => {
  it('writes each scored post into its row, a bigint id matching the post id', async () => {
    await stack.freshStage();
    const ids = ['9000000001', '9000000002', '9000000003', '9000000004'];
    await createTweets(server.url, [...ids, '9000000099']);
    const { ingestPosts } = await import('../../../src/producer/ingest.js');
    const texts = ['I love this, wonderful and great', 'this is terrible, awful and sad', 'the meeting is at noon'];
    await ingestPosts(
      ids.map((postId, i) => ({ postId, text: texts[i % 3], createdAt: '2024-05-01T10:00:00Z', source: 'twitter' })),
      { postsTable: stack.stage.tables.posts, queueUrl: stack.stage.queues.classify.url },
    );
    await runWholePipeline();

    const rows = await readTweets(server.url);
    assert.deepEqual(
      ids.map((id) => rows.get(id)?.sentiment),
      ['positive', 'negative', 'neutral', 'positive'],
    );
    for (const id of ids) {
      const row = rows.get(id)!;
      assert.equal(typeof row.sentiment_score, 'number', `${id}: score`);
      assert.ok(row.sentiment_model, `${id}: model`);
      assert.ok(row.sentiment_scored_at instanceof Date, `${id}: scored at`);
      assert.equal(row.sentiment_failure, null);
    }
    assert.equal(rows.get('9000000099')?.sentiment, null, 'a row no post named is left alone');
  });

  it("writes a dead-lettered post's reason to the failure column, and the aggregates do not count it", async () => {
    await stack.freshStage();
    await createTweets(server.url, ['9100000001', '9100000002']);
    // A stored post the pipeline can never score (its createdAt is not a date): dead-lettered as invalid-post.
    await stack.clients.documents.send(
      new PutCommand({
        TableName: stack.stage.tables.posts,
        Item: { postId: '9100000001', text: 'I love it', createdAt: 'yesterday' },
      }),
    );
    await stack.clients.documents.send(
      new PutCommand({
        TableName: stack.stage.tables.posts,
        Item: { postId: '9100000002', text: 'I love it', createdAt: '2024-05-01T00:00:00Z' },
      }),
    );
    const { sendMessage } = await import('../../../src/aws/sqs-queues.js');
    for (const postId of ['9100000001', '9100000002'])
      await sendMessage(stack.clients.sqs, stack.stage.queues.classify.url, { body: encodePostMessage(postId) });
    await runWholePipeline();

    const rows = await readTweets(server.url);
    assert.match(rows.get('9100000001')?.sentiment_failure ?? '', /^invalid-post: post 9100000001: createdAt/);
    assert.equal(rows.get('9100000001')?.sentiment, null, 'failed, not scored');
    assert.equal(rows.get('9100000001')?.sentiment_scored_at, null);
    assert.equal(rows.get('9100000002')?.sentiment, 'positive');
    assert.equal(rows.get('9100000002')?.sentiment_failure, null);
    const dlq = await drainQueue(stack.clients.sqs, stack.stage.queues.classifyDlq.url);
    assert.equal(dlq.length, 1, 'the DLQ still holds the message with its reason');
    await assertAggregatesMatchResults(stack.stage.tables.results, stack.stage.tables.aggregates);
  });

  it('a post given up on after its retries (never stored) gets that reason too', async () => {
    await stack.freshStage({ visibilityTimeoutSeconds: 1 });
    await createTweets(server.url, ['9150000001']);
    const { sendMessage } = await import('../../../src/aws/sqs-queues.js');
    await sendMessage(stack.clients.sqs, stack.stage.queues.classify.url, { body: encodePostMessage('9150000001') });
    await runWholePipeline();
    const row = (await readTweets(server.url)).get('9150000001');
    assert.match(row?.sentiment_failure ?? '', /^post-not-found: gave up after 5 receives: post 9150000001 is not/);
    assert.equal(row?.sentiment_scored_at, null);
  });

  it('a later score clears the failure; a failure never replaces a score', async () => {
    await stack.freshStage();
    await createTweets(server.url, ['9200000001', '9200000002']);
    const failure = (postId: string, failedAt: string) =>
      stack.clients.documents.send(
        new PutCommand({
          TableName: stack.stage.tables.failures,
          Item: { postId, reason: 'model-error', detail: 'gave up after 5 receives: boom', failedAt },
        }),
      );
    await failure('9200000001', '2024-05-01T00:00:00Z');
    await runSink(stack, await sinkHandler());
    assert.equal(
      (await readTweets(server.url)).get('9200000001')?.sentiment_failure,
      'model-error: gave up after 5 receives: boom',
    );
    // Redriven and scored: the score wins and the failure is cleared; a failure after a score changes nothing.
    await putResults(stack, [
      { postId: '9200000001', label: 'negative', score: -0.5, classifiedAt: '2024-05-01T01:00:00Z' },
      { postId: '9200000002', label: 'positive', score: 0.7, classifiedAt: '2024-05-01T01:00:00Z' },
    ]);
    await failure('9200000002', '2024-05-01T02:00:00Z');
    await runSink(stack, await sinkHandler());
    const rows = await readTweets(server.url);
    assert.equal(rows.get('9200000001')?.sentiment, 'negative');
    assert.equal(rows.get('9200000001')?.sentiment_failure, null);
    assert.equal(rows.get('9200000002')?.sentiment, 'positive');
    assert.equal(rows.get('9200000002')?.sentiment_failure, null);
  });

  it('an older result never overwrites a newer one (rescore, replays, out of order)', async () => {
    await stack.freshStage();
    await createTweets(server.url, ['9300000001', '9300000002']);
    await putResults(stack, [
      { postId: '9300000001', label: 'positive', score: 0.9, modelId: 'v2', classifiedAt: '2024-06-01T00:00:00Z' },
    ]);
    await runSink(stack, await sinkHandler());
    // An older result arrives after the newer one (a replayed batch, a slow rescore of the previous model).
    await putResults(stack, [
      { postId: '9300000001', label: 'negative', score: -0.9, modelId: 'v1', classifiedAt: '2024-05-01T00:00:00Z' },
      { postId: '9300000002', label: 'negative', score: -0.4, modelId: 'v1', classifiedAt: '2024-05-01T00:00:00Z' },
      { postId: '9300000002', label: 'neutral', score: 0.1, modelId: 'v2', classifiedAt: '2024-06-01T00:00:00Z' },
    ]);
    await runSink(stack, await sinkHandler());
    const rows = await readTweets(server.url);
    assert.equal(rows.get('9300000001')?.sentiment, 'positive');
    assert.equal(rows.get('9300000001')?.sentiment_model, 'v2');
    assert.equal(rows.get('9300000002')?.sentiment, 'neutral', 'the newest of one batch wins too');
    assert.equal(rows.get('9300000002')?.sentiment_scored_at?.toISOString(), '2024-06-01T00:00:00.000Z');
  });

  it('leaves out post ids that cannot name a row of the id column instead of failing the batch', async () => {
    await stack.freshStage();
    await createTweets(server.url, ['9400000001']);
    await putResults(stack, [
      { postId: 'cli-1', label: 'positive', score: 0.5, classifiedAt: '2024-05-01T00:00:00Z' },
      { postId: '99999999999999999999', label: 'positive', score: 0.5, classifiedAt: '2024-05-01T00:00:00Z' },
      { postId: '9400000001', label: 'neutral', score: 0, classifiedAt: '2024-05-01T00:00:00Z' },
    ]);
    await runSink(stack, await sinkHandler());
    assert.equal((await readTweets(server.url)).get('9400000001')?.sentiment, 'neutral');
    assert.deepEqual(await drainQueue(stack.clients.sqs, stack.stage.queues.streamFailures.url), []);
  });

  it('refuses a table without a mapped column, naming it and the columns found', async () => {
    await withClient(server.url, (client) =>
      client.query(
        'DROP TABLE IF EXISTS plain; ' +
          'CREATE TABLE plain (id bigint PRIMARY KEY, text text, sentiment text, sentiment_score real)',
      ),
    );
    const { describeSinkTable } = await import('../../../src/postgres/results-writer.js');
    await assert.rejects(
      describeSinkTable(pool, { table: 'plain', columns: parseSinkColumns(undefined) }),
      (error: Error) => {
        assert.match(error.message, /table plain has no column "sentiment_scored_at" for scoredAt/);
        assert.match(error.message, /ALTER TABLE "plain" ADD COLUMN "sentiment_scored_at" timestamptz/);
        assert.match(error.message, /columns found: id, text, sentiment, sentiment_score$/);
        return true;
      },
    );
    await assert.rejects(
      describeSinkTable(pool, { table: 'plain', columns: parseSinkColumns('scoredAt=text,label=mood') }),
      /table plain has no column "mood" for label \(map it with --pg-columns label=COLUMN/,
    );
    await assert.rejects(
      describeSinkTable(pool, { table: 'nope', columns: parseSinkColumns('') }),
      /table nope not found/,
    );
  });
});
