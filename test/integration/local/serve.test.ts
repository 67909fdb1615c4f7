// `npm start -- --serve` as a user runs it: a child process that keeps serving; the --input posts get scored
// and aggregated; a query-protocol SQS call gets one clear line; Ctrl-C (SIGINT) ends it with status 0 and no
// DynamoDB Local left behind. docs/python.md's examples run against it in python-examples.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { processIsRunning } from '../../../src/local/emulators.js';
import { sourceDayKey } from '../../../src/domain/aggregation.js';
import { exportedVariables, servedDocuments, startServe, waitForOutput, type Serve } from '../../support/serve.js';

describe('npm start -- --serve', { timeout: 600_000 }, () => {
  let serve: Serve;
  let env: Record<string, string>;
  let javaPid = 0;
  let dir: string;
  let documents: DynamoDBDocumentClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'serve-'));
    const input = join(dir, 'posts.jsonl');
    writeFileSync(
      input,
      [
        {
          postId: 'input-1',
          text: 'Wonderful work, thank you all!',
          createdAt: '2026-11-24T10:00:00Z',
          source: 'forum',
        },
        { postId: 'input-2', text: '\u200b\u200d\ufe0f', createdAt: '2026-11-24T11:00:00+05:00', source: 'forum' },
        { postId: 'input-3', text: 'from the far future', createdAt: '9999-12-31T23:30:00-05:00', source: 'forum' },
      ]
        .map((row) => JSON.stringify(row))
        .join('\n'),
    );
    serve = startServe(['--input', input]);
    await waitForOutput(serve, /aggregated \d+/);
    env = exportedVariables(serve.output);
    javaPid = Number(/java pid (\d+)/.exec(serve.output)?.[1]);
    documents = servedDocuments(env);
  });

  after(async () => {
    documents?.destroy();
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
    if (javaPid && processIsRunning(javaPid)) process.kill(-javaPid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the export block (with STAGE), how to send posts, and ingests --input first', () => {
    assert.equal(env.STAGE, 'local');
    for (const name of [
      'AWS_ENDPOINT_URL_SQS',
      'AWS_ENDPOINT_URL_DYNAMODB',
      'POSTS_TABLE',
      'RESULTS_TABLE',
      'AGGREGATES_TABLE',
      'QUEUE_URL',
    ]) {
      assert.ok(env[name], `${name} exported`);
    }
    assert.match(serve.output, /from Python \(boto3 >= 1\.34\.90\)/);
    assert.match(serve.output, /aws sqs send-message --queue-url \$QUEUE_URL .*--endpoint-url \$AWS_ENDPOINT_URL_SQS/);
    assert.match(serve.output, /3 rows read, 2 stored, 2 enqueued, 1 rejected/);
    assert.match(serve.output, /input-3\): createdAt: .*UTC year 10000/);
    assert.ok(javaPid > 0 && processIsRunning(javaPid), 'DynamoDB Local runs while serving');
  });

  it('answers an SQS call in the query protocol with what to upgrade, and says so once in its output', async () => {
    const call = () =>
      fetch(`${env.AWS_ENDPOINT_URL_SQS}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'user-agent': 'Boto3/1.26.27 Python/3.11.2 Linux/6.1 Botocore/1.29.27',
        },
        body: new URLSearchParams({
          Action: 'GetQueueUrl',
          QueueName: `impact-sentiment-${env.STAGE}-classify`,
          Version: '2012-11-05',
        }),
      });
    for (let i = 0; i < 2; i++) {
      const answer = await call();
      assert.equal(answer.status, 400);
      assert.match(
        await answer.text(),
        /<Code>InvalidAction<\/Code><Message>GetQueueUrl: .*JSON protocol.*boto3\/botocore &gt;= 1\.34\.90/,
      );
    }
    const line = await waitForOutput(
      serve,
      /^SQS GetQueueUrl refused \(Boto3\/1\.26\.27 [^)]*\): .*Upgrade the SDK: boto3\/botocore >= 1\.34\.90.*$/m,
    );
    assert.equal(serve.output.split('\n').filter((l) => l.startsWith('SQS GetQueueUrl refused')).length, 1, line[0]);
  });

  it('scores and aggregates the ingested posts; a text of zero-width characters is flagged empty', async () => {
    await waitForOutput(serve, /-> queued 0 \| in flight 0 \| scored 2 \| in the DLQ 0 \| aggregated 2$/m);
    const read = async (postId: string) =>
      (await documents.send(new GetCommand({ TableName: env.RESULTS_TABLE, Key: { postId } }))).Item;
    assert.equal((await read('input-1'))?.day, '2026-11-24');
    assert.equal((await read('input-2'))?.flags?.empty, true);
    const key = sourceDayKey('forum', '2026-11-24');
    const day = (
      await documents.send(
        new QueryCommand({
          TableName: env.AGGREGATES_TABLE,
          KeyConditionExpression: 'pk = :pk AND sk = :sk',
          ExpressionAttributeValues: { ':pk': key.pk, ':sk': key.sk },
        }),
      )
    ).Items?.[0];
    assert.equal(day?.count, 2);
  });

  it('stops on SIGINT with status 0, leaving no DynamoDB Local behind', async () => {
    serve.child.kill('SIGINT');
    const { code, signal } = await serve.exited;
    assert.equal(signal, null, serve.output);
    assert.equal(code, 0, serve.output);
    assert.match(serve.output, /finishing the batch in hand/);
    assert.match(serve.output, new RegExp(`DynamoDB Local java pid ${javaPid} exited`));
    assert.equal(processIsRunning(javaPid), false, 'no java left');
    const java = spawnSync('pgrep', ['-f', `DynamoDBLocal.jar.*-port ${new URL(env.AWS_ENDPOINT_URL_DYNAMODB).port}`], {
      encoding: 'utf8',
    });
    assert.equal(java.stdout.trim(), '', 'no DynamoDB Local on the served port');
  });
});
