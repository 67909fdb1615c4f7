// The sink under injected faults on a real PostgreSQL: its connections terminated (pg_terminate_backend) before
// and during batches, the server restarted on the same port and data, a row held locked past lock_timeout. Each
// time no row is left without its score or failure reason, none ends with an older result than the newest, and
// nothing reaches the stream-failure queue.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type pg from 'pg';
import { startStack, type TestStack } from '../../support/stack.js';
import { createTweets, readTweets, startTestPostgres, TWEETS_COLUMNS, withClient } from '../../support/postgres.js';
import { putResults, runSink, type TestResult } from '../../support/postgres-sink.js';
import { drainQueue } from '../../support/queues.js';
import { parseSinkColumns } from '../../../src/domain/postgres-columns.js';
import type { LocalPostgres } from '../../../src/local/postgres-server.js';

process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const LOCK_TIMEOUT_MS = 200;
let stack: TestStack;
let server: LocalPostgres;
let base: string;
let pool: pg.Pool;

before(async () => {
  base = mkdtempSync(join(tmpdir(), 'sink-faults-'));
  [stack, server] = await Promise.all([startStack(), startTestPostgres({ dataDir: base })]);
  const { createPool } = await import('../../../src/postgres/pool.js');
  pool = await createPool({ url: server.url, lockTimeoutMs: LOCK_TIMEOUT_MS, statementTimeoutMs: 10_000 });
});

after(async () => {
  await pool?.end();
  await stack?.teardown();
  await server?.stop();
  rmSync(base, { recursive: true, force: true });
});

beforeEach(async () => {
  await stack.freshStage();
});

async function sink() {
  const { createPostgresSinkBatch } = await import('../../../src/pipeline/postgres-sink.js');
  return createPostgresSinkBatch({
    sink: {
      table: 'tweets',
      columns: parseSinkColumns(TWEETS_COLUMNS),
      connection: { url: server.url, lockTimeoutMs: LOCK_TIMEOUT_MS, statementTimeoutMs: 10_000 },
    },
    pool: async () => pool,
  });
}

/**
 * Posts 0..n-1: even ones get an older result, then the newest (a rescore), odd ones the newest, then an older
 * one arriving late (a slow replay); every tenth post is dead-lettered instead. Answers the ids.
 */
async function writeResultsAndFailures(prefix: number, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => String(prefix + i));
  await createTweets(server.url, ids);
  const newest = (postId: string): TestResult => ({
    postId,
    label: 'positive',
    score: 0.75,
    modelId: 'v2',
    classifiedAt: '2026-12-02T00:00:00Z',
  });
  const older = (postId: string): TestResult => ({
    postId,
    label: 'negative',
    score: -0.5,
    modelId: 'v1',
    classifiedAt: '2026-12-01T00:00:00Z',
  });
  for (const [i, postId] of ids.entries()) {
    if (i % 10 === 9) {
      await stack.clients.documents.send(
        new PutCommand({
          TableName: stack.stage.tables.failures,
          Item: { postId, reason: 'invalid-post', detail: 'post: text: empty', failedAt: '2026-12-01T00:00:00Z' },
        }),
      );
      continue;
    }
    await putResults(stack, i % 2 === 0 ? [older(postId), newest(postId)] : [newest(postId), older(postId)]);
  }
  return ids;
}

async function assertEveryRowDone(ids: string[]): Promise<void> {
  const rows = await readTweets(server.url);
  for (const [i, id] of ids.entries()) {
    const row = rows.get(id)!;
    if (i % 10 === 9) {
      assert.equal(row.sentiment_failure, 'invalid-post: post: text: empty', `${id}: its failure reason`);
      assert.equal(row.sentiment, null, id);
    } else {
      assert.deepEqual(
        [row.sentiment, row.sentiment_model, row.sentiment_scored_at?.toISOString()],
        ['positive', 'v2', '2026-12-02T00:00:00.000Z'],
        `${id}: the newest result`,
      );
    }
  }
  assert.deepEqual(await drainQueue(stack.clients.sqs, stack.stage.queues.streamFailures.url), []);
}

const terminateSinkConnections = () =>
  withClient(server.url, (c) =>
    c.query(
      `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
        WHERE application_name = 'impact-sentiment' AND pid <> pg_backend_pid()`,
    ),
  );

describe('PostgreSQL sink under faults', { timeout: 300_000 }, () => {
  it('connections terminated before and during batches', async () => {
    const handler = await sink();
    await pool.query('SELECT 1'); // the pool holds an idle connection
    const ids = await writeResultsAndFailures(9700000000, 300);
    await terminateSinkConnections(); // the idle connection the next batch would use is gone
    let terminated = 0;
    const killer = setInterval(() => {
      terminateSinkConnections().then(
        ({ rows }) => {
          terminated += Number(rows[0].n);
        },
        () => undefined,
      );
    }, 25);
    try {
      await runSink(stack, handler);
    } finally {
      clearInterval(killer);
    }
    assert.ok(terminated > 0, 'connections were terminated while the sink ran');
    await assertEveryRowDone(ids);
  });

  it('the server restarted on the same port and data directory', async () => {
    const handler = await sink();
    const ids = await writeResultsAndFailures(9710000000, 120);
    const { port } = server;
    await server.stop();
    const running = runSink(stack, handler);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    server = await startTestPostgres({ port, dataDir: base });
    await running;
    await assertEveryRowDone(ids);
  });

  it('a row locked by another session past lock_timeout', async () => {
    const handler = await sink();
    const ids = await writeResultsAndFailures(9720000000, 60);
    await withClient(server.url, async (holder) => {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM tweets WHERE id = ANY($1::bigint[]) FOR UPDATE', [[ids[0], ids[9]]]);
      const running = runSink(stack, handler);
      // Longer than the mapping's own retries would last (maximumRetryAttempts x lock_timeout): the sink waits.
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      const { rows } = await withClient(server.url, (c) =>
        c.query<{ n: string }>('SELECT count(*) AS n FROM tweets WHERE sentiment_scored_at IS NOT NULL'),
      );
      assert.equal(rows[0].n, '0', 'nothing written while the batch cannot take its rows');
      await holder.query('COMMIT');
      await running;
    });
    await assertEveryRowDone(ids);
  });
});
