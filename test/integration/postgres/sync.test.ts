// npm run ops -- sync-postgres: results scored before the sink existed (or lost in an outage) reach the table,
// dead-lettered posts get their reason, a newer score is never replaced, a second run writes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { startStack, type TestStack } from '../../support/stack.js';
import { runOps } from '../../support/cli.js';
import { createTweets, readTweets, startTestPostgres, TWEETS_COLUMNS, withClient } from '../../support/postgres.js';
import { putResults } from '../../support/postgres-sink.js';
import type { LocalPostgres } from '../../../src/local/postgres-server.js';

let stack: TestStack;
let server: LocalPostgres;

before(async () => {
  [stack, server] = await Promise.all([startStack(), startTestPostgres()]);
});

after(async () => {
  await stack?.teardown();
  await server?.stop();
});

describe('npm run ops -- sync-postgres', () => {
  it('fills the rows scored before the sink, with the guard, idempotently; --dry-run writes nothing', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => String(9600000000 + i));
    await createTweets(server.url, ids);
    // 240 scored before the sink existed, one dead-lettered, nine never scored; one row already holds a newer score.
    await putResults(
      stack,
      ids.slice(0, 240).map((postId, i) => ({
        postId,
        label: (['positive', 'negative', 'neutral'] as const)[i % 3],
        score: 0.25,
        classifiedAt: '2026-12-01T00:00:00Z',
      })),
    );
    await stack.clients.documents.send(
      new PutCommand({
        TableName: stack.stage.tables.failures,
        Item: {
          postId: ids[240],
          reason: 'invalid-post',
          detail: 'post: text: empty',
          failedAt: '2026-12-01T00:00:00Z',
        },
      }),
    );
    await withClient(server.url, (c) =>
      c.query(`UPDATE tweets SET sentiment = 'neutral', sentiment_scored_at = '2026-12-05T00:00:00Z' WHERE id = $1`, [
        ids[0],
      ]),
    );
    const args = ['sync-postgres', '--postgres', server.url, '--pg-columns', TWEETS_COLUMNS];

    const dry = await runOps(stack, [...args, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Dry run: 239 row\(s\) of tweets would get their score and 1 their failure reason/);
    assert.equal([...(await readTweets(server.url)).values()].filter((r) => r.sentiment).length, 1);

    const first = await runOps(stack, args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Wrote 240 row\(s\) of tweets: 239 result\(s\) and 1 failure reason\(s\) found for 249/);
    assert.match(first.stderr, /checked 249\/249 unscored rows/);
    const rows = await readTweets(server.url);
    assert.equal(rows.get(ids[0])?.sentiment, 'neutral', 'the newer score is kept');
    assert.equal(rows.get(ids[1])?.sentiment, 'negative');
    assert.equal(rows.get(ids[1])?.sentiment_scored_at?.toISOString(), '2026-12-01T00:00:00.000Z');
    assert.equal(rows.get(ids[240])?.sentiment_failure, 'invalid-post: post: text: empty');
    assert.equal(rows.get(ids[249])?.sentiment, null, 'no result: still pending');

    const second = await runOps(stack, args);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Wrote 0 row\(s\)/);
    assert.deepEqual(await readTweets(server.url), rows);
  });

  it('a missing column is a usage error naming it (exit 2)', async () => {
    await withClient(server.url, (c) =>
      c.query('DROP TABLE IF EXISTS bare; CREATE TABLE bare (id bigint, sentiment text)'),
    );
    const run = await runOps(stack, ['sync-postgres', '--postgres', server.url, '--pg-table', 'bare']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /table bare has no column "sentiment_score" for score/);
  });
});
