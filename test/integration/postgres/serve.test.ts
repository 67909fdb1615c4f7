// `npm start -- --serve --postgres URL` end to end as a child process: rows of a real table scored and written
// back; with --port-base and --persist a restart prints the same variables and finds the stage's data; the
// table checked before anything starts; `--input missing.csv` one line and exit 2.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { encodePostMessage } from '../../../src/domain/messages.js';
import { processIsRunning } from '../../../src/local/emulators.js';
import type { LocalPostgres } from '../../../src/local/postgres-server.js';
import { REPO_ROOT } from '../../support/cli.js';
import { createTweets, readTweets, startTestPostgres, TWEETS_COLUMNS, withClient } from '../../support/postgres.js';
import { exportedVariables, servedDocuments, startServe, waitForOutput, type Serve } from '../../support/serve.js';

const IDS = ['9500000001', '9500000002', '9500000003', '9500000004', '9500000005', '9500000006'];
const TEXTS = ['What a lovely, wonderful day', 'This is awful and sad', 'The train leaves at nine'];

/** Two free consecutive loopback ports, the first returned. */
async function freePortPair(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await free(base)) && (await free(base + 1))) return base;
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Stores a post and enqueues it on the serve's stack, as a producer would; answers its row once written back. */
async function scoreThroughServe(env: Record<string, string>, url: string, postId: string, text: string) {
  const documents = servedDocuments(env);
  const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
  const sqs = new SQSClient({ endpoint: env.AWS_ENDPOINT_URL_SQS, region: env.AWS_REGION, credentials });
  try {
    await documents.send(
      new PutCommand({ TableName: env.POSTS_TABLE, Item: { postId, text, createdAt: '2026-12-02T10:00:00Z' } }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: env.QUEUE_URL, MessageBody: encodePostMessage(postId) }));
    return await waitFor(`row ${postId} written back`, async () => {
      const row = (await readTweets(url)).get(postId);
      return row?.sentiment ? row : undefined;
    });
  } finally {
    documents.destroy();
    sqs.destroy();
  }
}

async function stop(serve: Serve): Promise<void> {
  serve.child.kill('SIGINT');
  const { code } = await serve.exited;
  assert.equal(code, 0, serve.output);
}

describe('npm start -- --serve --postgres', { timeout: 900_000 }, () => {
  let server: LocalPostgres;
  let dir: string;
  let serve: Serve | undefined;

  before(async () => {
    server = await startTestPostgres();
    dir = mkdtempSync(join(tmpdir(), 'serve-postgres-'));
  });

  after(async () => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
    const javaPid = Number(/java pid (\d+)/.exec(serve?.output ?? '')?.[1]);
    if (javaPid && processIsRunning(javaPid)) process.kill(-javaPid, 'SIGKILL');
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scores the rows of a real table and writes them back; --port-base and --persist survive a restart', async () => {
    await createTweets(server.url, IDS);
    const input = join(dir, 'posts.jsonl');
    writeFileSync(
      input,
      IDS.map((postId, i) => JSON.stringify({ postId, text: TEXTS[i % 3], createdAt: '2026-12-01T10:00:00Z' })).join(
        '\n',
      ),
    );
    const portBase = await freePortPair();
    const persist = join(dir, 'dynamodb');
    const args = ['--postgres', server.url, '--pg-columns', TWEETS_COLUMNS, '--port-base', String(portBase)];
    serve = startServe([...args, '--persist', persist, '--input', input]);
    await waitForOutput(serve, /Scores go back to PostgreSQL: table tweets/);
    const env = exportedVariables(serve.output);
    assert.equal(env.AWS_ENDPOINT_URL_DYNAMODB, `http://127.0.0.1:${portBase}`);
    assert.equal(env.AWS_ENDPOINT_URL_SQS, `http://127.0.0.1:${portBase + 1}`);
    assert.doesNotMatch(serve.output, new RegExp(server.url.replace(/[/:.]/g, '\\$&')), 'the URL is not printed');

    const scored = await waitFor('every row scored', async () => {
      const rows = await readTweets(server.url);
      return IDS.every((id) => rows.get(id)?.sentiment) ? rows : undefined;
    });
    // The model's labels (the shipped model, or the lexicon without it): the plain ones at least.
    assert.deepEqual(
      IDS.map((id) => scored.get(id)?.sentiment).filter((_, i) => i % 3 !== 2),
      ['positive', 'negative', 'positive', 'negative'],
    );
    assert.ok(IDS.every((id) => scored.get(id)?.sentiment_scored_at instanceof Date));
    const block = /export [\s\S]*?QUEUE_URL=\S+/.exec(serve.output)![0];
    await stop(serve);

    // Restarted on the same ports and data: the same variables, the results still there, new posts still flow.
    serve = startServe([...args, '--persist', persist]);
    await waitForOutput(serve, /Serving:/);
    assert.equal(/export [\s\S]*?QUEUE_URL=\S+/.exec(serve.output)![0], block, 'the same export block');
    await waitForOutput(serve, /scored 6 /);
    const documents = servedDocuments(env);
    try {
      const kept = await documents.send(new GetCommand({ TableName: env.RESULTS_TABLE, Key: { postId: IDS[0] } }));
      assert.equal(kept.Item?.label, 'positive', 'the results survived the restart');
    } finally {
      documents.destroy();
    }
    await withClient(server.url, (c) => c.query(`INSERT INTO tweets (id, text) VALUES (9500000007, 'so happy')`));
    assert.equal(
      (await scoreThroughServe(env, server.url, '9500000007', 'I am so happy, great news'))?.sentiment,
      'positive',
    );
    await stop(serve);
    assert.match(serve.output, /PostgreSQL sink invocations/);
  });

  it('--postgres with no URL starts a PostgreSQL of its own with the table, and writes scores there', async () => {
    const portBase = await freePortPair();
    serve = startServe(['--port-base', String(portBase), '--postgres', '--pg-columns', TWEETS_COLUMNS]);
    const [, url] = await waitForOutput(serve, /export POSTGRES_URL=(\S+)/);
    assert.equal(new URL(url).port, String(portBase + 2));
    await waitForOutput(serve, /Serving:/);
    const env = exportedVariables(serve.output);
    await withClient(url, (c) => c.query(`INSERT INTO tweets (id, text) VALUES (42, 'what a wonderful day')`));
    assert.equal((await scoreThroughServe(env, url, '42', 'what a wonderful day'))?.sentiment, 'positive');
    await stop(serve);
  });

  it('checks the table before starting anything: a missing column is one line naming it, exit 2', async () => {
    await withClient(server.url, (c) =>
      c.query(
        'DROP TABLE IF EXISTS plain; CREATE TABLE plain (id bigint PRIMARY KEY, sentiment text, sentiment_score real)',
      ),
    );
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/local-run.ts', '--serve', '--postgres', server.url, '--pg-table', 'plain'],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.equal(run.stdout, '', 'nothing started');
    assert.match(run.stderr, /^npm start: --postgres: table plain has no column "sentiment_scored_at" for scoredAt /);
    assert.match(run.stderr, /ALTER TABLE "plain" ADD COLUMN .*; columns found: id, sentiment, sentiment_score\n$/);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  });

  it('--input missing.csv: one line, exit 2, nothing started', () => {
    for (const serveFlag of [[], ['--serve']]) {
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'src/cli/local-run.ts', ...serveFlag, '--input', 'missing.csv'],
        { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 },
      );
      assert.equal(run.status, 2, run.stdout + run.stderr);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr, 'npm start: --input missing.csv: no such file\n');
    }
  });
});
