// `npm start -- --serve` as a user runs it: a child process that keeps serving; the README's Python
// code blocks, extracted from docs/python.md and run as written with the exported variables, get their
// posts scored and aggregated and read back; a query-protocol SQS call gets one clear line; Ctrl-C
// (SIGINT) ends it with status 0 and no DynamoDB Local left behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { FIRST_JSON_BOTOCORE } from '../../../src/local/fauxqs.js';
import { processIsRunning } from '../../../src/local/emulators.js';
import { sourceDayKey } from '../../../src/domain/aggregation.js';
import { exportedVariables, startServe, waitForOutput, type Serve } from '../../support/serve.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

/** The README's ```python blocks, in order. */
function readmePythonBlocks(): string[] {
  const readme = readFileSync(join(repo, 'docs', 'python.md'), 'utf8');
  return [...readme.matchAll(/^```python\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
}

/**
 * Why the Python blocks cannot run here (no python3, no boto3, or one too old for SQS's JSON protocol); undefined
 * if they can.
 */
function pythonUnavailable(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import botocore; print(botocore.__version__)'], { encoding: 'utf8' });
  if (probe.error) return `no python3 on PATH (${probe.error.message})`;
  if (probe.status !== 0) return `python3 has no boto3/botocore: ${probe.stderr.trim().split('\n').pop()}`;
  const version = probe.stdout.trim();
  const parts = (v: string) => v.split('.').map(Number);
  const [have, need] = [parts(version), parts(FIRST_JSON_BOTOCORE)];
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) > need[i]) return undefined;
    if ((have[i] ?? 0) < need[i])
      return `python3's botocore ${version} is older than ${FIRST_JSON_BOTOCORE} (SQS's JSON protocol)`;
  }
  return undefined;
}

function runPython(
  code: string,
  env: Record<string, string>,
): { status: number | null; stdout: string; stderr: string } {
  // Only the exported variables point boto3 anywhere: no profile or config file of this machine.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  const run = spawnSync('python3', ['-c', code], {
    encoding: 'utf8',
    env: { ...clean, ...env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

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
    documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
        region: env.AWS_REGION,
        credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
      }),
    );
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

  it("runs the README's Python producer and reader as written: posts are scored, aggregated, read back", async (t) => {
    const unavailable = pythonUnavailable();
    if (unavailable) return t.skip(unavailable);
    const blocks = readmePythonBlocks();
    const producer = blocks.find((code) => code.includes('send_message_batch'));
    const reader = blocks.find((code) => code.includes('get_item') && code.includes('.query('));
    assert.ok(producer && reader, 'the README has a producer and a reader example');

    const produced = runPython(producer, env);
    assert.equal(produced.status, 0, produced.stderr);
    assert.equal(produced.stdout.trim(), '[]', 'no post failed to enqueue');

    // Both README posts and the two ingested ones: scored, then counted by the aggregates.
    await waitForOutput(serve, /-> queued 0 \| in flight 0 \| scored 4 \| in the DLQ 0 \| aggregated 4$/m);
    const result = (
      await documents.send(new GetCommand({ TableName: env.RESULTS_TABLE, Key: { postId: 'example-1' } }))
    ).Item;
    assert.ok(result, 'example-1 scored');
    assert.equal(result.day, '2026-11-25');
    const invisible = (
      await documents.send(new GetCommand({ TableName: env.RESULTS_TABLE, Key: { postId: 'input-2' } }))
    ).Item;
    assert.equal(invisible?.flags?.empty, true, 'a text of zero-width characters is flagged empty');
    const key = sourceDayKey('twitter', '2026-11-25');
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

    const read = runPython(reader, env);
    assert.equal(read.status, 0, read.stderr);
    const [first, ...days] = read.stdout.trim().split('\n');
    assert.equal(first, `('${result.label}', ${Number(result.score)}, '2026-11-25')`);
    assert.equal(days.length, 1, read.stdout);
    assert.match(
      days[0],
      /^\{'day': '2026-11-25', 'count': 2, 'negative': \d, 'neutral': \d, 'positive': \d, 'meanScore': -?[\d.e-]+\}$/,
    );
    const counted = /'negative': (\d), 'neutral': (\d), 'positive': (\d)/.exec(days[0])!.slice(1).map(Number);
    assert.equal(
      counted.reduce((a, b) => a + b, 0),
      2,
    );
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
