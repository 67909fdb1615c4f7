// `npm run ingest -- --from-postgres`: a real PostgreSQL (Debian's server on a loopback port) into the real
// emulators, through the CLI as a user runs it. Tables of the users' shape (bigint ids, timestamptz), mapped and
// queried, the columns checked up front, timestamps with and without a zone, NULL and empty text, the password
// never printed, the exit codes, a `\copy ... csv header` export, --resume after a kill -9, and a stopped stack.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startStack, type TestStack } from '../../support/stack.js';
import { runIngest, startIngest } from '../../support/cli.js';
import { drainQueue } from '../../support/queues.js';
import { readAll } from '../../support/tables.js';
import { postgresBinDir, startLocalPostgres, type LocalPostgres } from '../../../src/local/postgres-server.js';
import { samplePosts } from '../../../bench/posts.js';

let stack: TestStack;
let server: LocalPostgres;
let db: pg.Client;
let dir: string;

/** The users' table: bigint ids past 2^31, timestamptz, and the columns the pipeline's scores go back into. */
const TWEETS = [
  [9000000001, 'What a great launch, well done team', '2026-11-20 13:11:04.861168+00', 'twitter'],
  [9000000002, 'The app keeps crashing, really bad', '2026-11-20 23:30:00-05', 'twitter'],
  [9000000003, 'Delivery is scheduled for Friday', '2026-11-21 08:00:00+05:30', 'reddit'],
  [9000000004, null, '2026-11-21 09:00:00+00', 'twitter'],
  [9000000005, '', '2026-11-21 10:00:00+00', 'news'],
  [9000000006, 'Customer support answered in minutes', '2026-11-22 00:00:00+00', null],
] as const;
const VALID_IDS = ['9000000001', '9000000002', '9000000003', '9000000006'];
/** Rows of the table a run is killed in, then resumed. */
const RESUME_ROWS = 12_000;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pg-ingest-'));
  stack = await startStack();
  server = await startLocalPostgres();
  db = new pg.Client({ connectionString: server.url });
  await db.connect();
  await db.query(`
    CREATE TABLE tweets (id bigint PRIMARY KEY, text text, created_at timestamptz, platform text, sentiment text,
                         sentiment_score real);
    CREATE TABLE renamed (tweet_id bigint PRIMARY KEY, body text, posted timestamptz, platform text);
    CREATE TABLE naive (id bigint PRIMARY KEY, text text, created_at timestamp);
    CREATE TABLE many (id bigint PRIMARY KEY, text text NOT NULL, created_at timestamptz NOT NULL);`);
  for (const row of TWEETS)
    await db.query('INSERT INTO tweets (id, text, created_at, platform) VALUES ($1, $2, $3, $4)', [...row]);
  await db.query(
    `INSERT INTO renamed SELECT id, text, created_at, platform FROM tweets WHERE coalesce(text, '') <> ''`,
  );
  await db.query(`INSERT INTO naive VALUES (1, 'summer time in Berlin', '2026-07-01 12:00:00'),
                                           (2, 'winter time in Berlin', '2026-01-15 12:00:00.25')`);
  const texts = samplePosts(RESUME_ROWS, 7);
  await db.query(
    `INSERT INTO many SELECT 100000 + i, t, timestamptz '2026-11-01 00:00:00+00' + i * interval '1 minute'
       FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i)`,
    [texts],
  );
});

after(async () => {
  await db?.end();
  await server?.stop();
  await stack?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

/** `npm run ingest -- args`, its --resume checkpoints kept in the test's directory, not the repository's. */
function ingest(args: string[], env: Record<string, string> = {}) {
  const fromPostgres = args.includes('--from-postgres') && !args.includes('--resume-dir');
  return runIngest(stack, fromPostgres ? [...args, '--resume-dir', join(dir, 'resume')] : args, env);
}

async function queuedIds(): Promise<string[]> {
  const messages = await drainQueue(stack.clients.sqs, stack.stage.queues.classify.url);
  return messages.map((m) => JSON.parse(m.Body as string).postId as string);
}

type StoredPost = { postId: string; text: string; createdAt: string; source: string };
const storedPosts = async () =>
  new Map((await readAll<StoredPost>(stack.stage.tables.posts)).map((post) => [post.postId, post]));

describe('ingest --from-postgres', () => {
  it('reads a table by the default map: bigint ids as text, timestamptz as is, NULL/empty text rejected', async () => {
    await stack.freshStage();
    const rejects = join(dir, 'rejects.jsonl');
    const run = await ingest(['--from-postgres', server.url, '--table', 'tweets', '--rejects', rejects]);
    assert.equal(run.code, 1, `a rejected row makes the run fail\n${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /table tweets -> /);
    assert.match(run.stdout, /read 6, stored 4, enqueued 4, rejected 2, failed 0/);
    const rejected = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      rejected.map((r) => [r.postId, r.reason]),
      [
        ['9000000004', 'text: text must not be empty'],
        ['9000000005', 'text: text must not be empty'],
      ],
      'a NULL text is rejected like an empty one',
    );
    assert.deepEqual((await queuedIds()).sort(), VALID_IDS);
    const posts = await storedPosts();
    assert.deepEqual([...posts.keys()].sort(), VALID_IDS);
    assert.equal(posts.get('9000000001')?.createdAt, '2026-11-20T13:11:04.861Z');
    assert.equal(posts.get('9000000002')?.createdAt, '2026-11-21T04:30:00.000Z');
    assert.equal(posts.get('9000000003')?.createdAt, '2026-11-21T02:30:00.000Z');
    assert.equal(posts.get('9000000001')?.source, 'unknown', 'platform is not mapped by default');
    assert.equal('sentiment' in (posts.get('9000000001') ?? {}), false, 'a table gives its mapped columns only');
  });

  it('maps columns with --map and exits 0 when every row is ingested', async () => {
    await stack.freshStage();
    const run = await ingest([
      '--from-postgres',
      server.url,
      '--table',
      'renamed',
      '--map',
      'postId=tweet_id,text=body,createdAt=posted,source=platform',
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /read 4, stored 4, enqueued 4, rejected 0, failed 0/);
    const posts = await storedPosts();
    assert.deepEqual([...posts.keys()].sort(), VALID_IDS);
    assert.equal(posts.get('9000000003')?.source, 'reddit');
    assert.equal(posts.get('9000000003')?.text, 'Delivery is scheduled for Friday');
    assert.equal(posts.get('9000000006')?.source, 'unknown', 'a NULL platform is no source');
  });

  it('takes a --query whose columns are named as the fields, extra columns kept', async () => {
    await stack.freshStage();
    const run = await ingest([
      '--from-postgres',
      server.url,
      '--query',
      `SELECT id AS "postId", text, created_at AS "createdAt", platform AS source, length(text) AS chars
         FROM tweets WHERE coalesce(text, '') <> '';`,
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /read 4, stored 4, enqueued 4/);
    const post = (await storedPosts()).get('9000000001') as StoredPost & { chars?: number };
    assert.equal(post.source, 'twitter');
    assert.equal(post.chars, 35);
    assert.deepEqual((await queuedIds()).sort(), VALID_IDS);

    // Read in id order, a repeated id follows its first row: rejected as a duplicate, the first row kept.
    const twice = await ingest([
      '--from-postgres',
      server.url,
      '--query',
      'SELECT id, text, created_at FROM tweets WHERE id IN (9000000001, 9000000003) UNION ALL ' +
        'SELECT id, upper(text), created_at FROM tweets WHERE id = 9000000001',
    ]);
    assert.equal(twice.code, 1);
    assert.match(twice.stdout, /read 3, stored 2, enqueued 2, rejected 1/);
    assert.match(twice.stdout, /row 2 \(9000000001\): duplicate postId \(first at row 1; that row is kept\)/);
  });

  it('names a missing column and the columns found, before reading a row', async () => {
    await stack.freshStage();
    const run = await ingest(['--from-postgres', server.url, '--table', 'renamed']);
    assert.equal(run.code, 2, 'a usage error: --map fixes it');
    assert.match(run.stderr, /table renamed has no column for postId \(no column postId or id\)/);
    assert.match(run.stderr, /columns found: tweet_id, body, posted, platform/);
    assert.match(run.stderr, /--map FIELD=COLUMN/);
    const mapped = await ingest(['--from-postgres', server.url, '--table', 'tweets', '--map', 'source=place']);
    assert.equal(mapped.code, 2);
    assert.match(mapped.stderr, /source \(--map source=place: no column place\)/);
    assert.deepEqual(await queuedIds(), []);
  });

  it('needs --timezone for a timestamp without time zone, and applies it', async () => {
    await stack.freshStage();
    const bare = await ingest(['--from-postgres', server.url, '--table', 'naive']);
    assert.equal(bare.code, 2, bare.stdout + bare.stderr);
    assert.match(bare.stderr, /column created_at of table naive is a timestamp without time zone.*--timezone ZONE/);
    const unknown = await ingest(['--from-postgres', server.url, '--table', 'naive', '--timezone', 'Mars/Base']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--timezone Mars\/Base: .*time zone "Mars\/Base" not recognized/);
    assert.deepEqual(await queuedIds(), []);

    const zoned = await ingest(['--from-postgres', server.url, '--table', 'naive', '--timezone', 'Europe/Berlin']);
    assert.equal(zoned.code, 0, zoned.stdout + zoned.stderr);
    const posts = await storedPosts();
    assert.equal(posts.get('1')?.createdAt, '2026-07-01T10:00:00.000Z', 'CEST is UTC+2');
    assert.equal(posts.get('2')?.createdAt, '2026-01-15T11:00:00.250Z', 'CET is UTC+1');
  });

  it('takes the connection from POSTGRES_URL or the libpq variables and never prints the password', async () => {
    await stack.freshStage();
    const password = 'Sup3r-Secret-pw';
    const { port } = server;
    const withUrl = await ingest([
      '--from-postgres',
      `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      '--table',
      'renamed',
      '--map',
      'postId=tweet_id,text=body,createdAt=posted',
    ]);
    assert.equal(withUrl.code, 0, withUrl.stdout + withUrl.stderr);
    assert.match(withUrl.stdout, new RegExp(`postgres://postgres@127\\.0\\.0\\.1:${port}/postgres table renamed -> `));
    const fromEnv = { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres', PGPASSWORD: password };
    const withEnv = await ingest(['--from-postgres', '', '--table', 'tweets', '--resume-dir', join(dir, 'env-state')], {
      ...fromEnv,
      PGDATABASE: 'postgres',
    });
    assert.match(withEnv.stdout, /read 6, stored 4, enqueued 4, rejected 2/);
    const fromServeVariable = await ingest(
      ['--from-postgres', '', '--table', 'renamed', '--map', 'postId=tweet_id,text=body,createdAt=posted'],
      { POSTGRES_URL: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, PGPORT: '1' },
    );
    assert.equal(fromServeVariable.code, 0, `'' takes POSTGRES_URL first\n${fromServeVariable.stderr}`);
    const failures = await Promise.all([
      ingest(['--from-postgres', `postgres://postgres:${password}@127.0.0.1:${port}/nosuchdb`, '--table', 't']),
      ingest(['--from-postgres', 'postgres://', '--table', 'tweets'], { ...fromEnv, PGDATABASE: 'nosuchdb' }),
      ingest(['--from-postgres', `postgres://postgres:${password}@127.0.0.1:1/postgres`, '--table', 't']),
      ingest(['--from-postgres', server.url, '--table', 'no_such_table'], fromEnv),
    ]);
    for (const run of failures) {
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /cannot connect to PostgreSQL|does not exist/);
    }
    for (const run of [withUrl, withEnv, fromServeVariable, ...failures]) {
      assert.doesNotMatch(run.stdout + run.stderr, new RegExp(password), 'the password is never printed');
    }
  });

  it('ingests a `\\copy ... csv header` export as it is, and exits 1 for its rejected rows', async () => {
    await stack.freshStage();
    const csv = join(dir, 'tweets.csv');
    const psql = spawnSync(
      join(postgresBinDir(), 'psql'),
      ['-X', '-q', server.url, '-c', `\\copy tweets to '${csv}' csv header`],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(psql.status, 0, psql.stderr);
    const exported = readFileSync(csv, 'utf8');
    assert.match(exported, /^id,text,created_at,platform,sentiment,sentiment_score\n/);
    assert.match(
      exported,
      /\n9000000001,"What a great launch, well done team",2026-11-20 13:11:04\.861168\+00,twitter,,\n/,
    );

    const run = await ingest([csv]);
    assert.equal(run.code, 1, 'two rows have no text');
    assert.match(run.stdout, /read 6, stored 4, enqueued 4, rejected 2, failed 0/);
    const posts = await storedPosts();
    assert.deepEqual([...posts.keys()].sort(), VALID_IDS);
    assert.equal(posts.get('9000000002')?.createdAt, '2026-11-21T04:30:00.000Z');
    assert.equal((posts.get('9000000001') as Record<string, unknown>).platform, 'twitter', 'extra columns kept');

    const mapped = await ingest([csv, '--map', 'source=platform']);
    assert.equal((await storedPosts()).get('9000000003')?.source, 'reddit');
    assert.equal(mapped.code, 1);

    const headerless = join(dir, 'other.csv');
    writeFileSync(headerless, 'tweet_id,body\n1,hello\n');
    const missing = await ingest([headerless]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /has no column for postId .* columns found: tweet_id, body\./);
  });

  it('--resume after a kill -9 continues after the last row enqueued: every row enqueued, none missing', async (t) => {
    await stack.freshStage();
    const stateDir = join(dir, 'resume-state');
    const args = ['--from-postgres', server.url, '--table', 'many', '--resume-dir', stateDir];
    const first = startIngest(stack, args);
    // Killed once a few rounds are checkpointed, well before the end.
    let checkpointRows = 0;
    while (checkpointRows < 2_000) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const files = existsSync(stateDir) ? readdirSync(stateDir).filter((f) => f.endsWith('.json')) : [];
      if (files.length === 1) checkpointRows = readCheckpoint(join(stateDir, files[0])).rows;
      if (first.child.exitCode !== null) break;
    }
    // A moment later, so the kill usually lands inside a round: some of its posts enqueued, none checkpointed.
    await new Promise((resolve) => setTimeout(resolve, 150));
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL', `the first run must be killed mid-run\n${killed.stdout}${killed.stderr}`);
    const [stateFile] = readdirSync(stateDir).filter((f) => f.endsWith('.json'));
    const checkpoint = readCheckpoint(join(stateDir, stateFile));
    assert.ok(checkpoint.rows < RESUME_ROWS, `killed at ${checkpoint.rows} of ${RESUME_ROWS} rows`);

    const resumed = await ingest([...args, '--resume']);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(
      resumed.stdout,
      new RegExp(`Resuming after id ${checkpoint.lastKey} \\(${checkpoint.rows} rows done before`),
    );
    const resumedRows = RESUME_ROWS - checkpoint.rows;
    assert.match(resumed.stdout, new RegExp(`read ${resumedRows}, stored ${resumedRows}, enqueued ${resumedRows}`));

    const ids = await queuedIds();
    const expected = Array.from({ length: RESUME_ROWS }, (_, i) => String(100001 + i));
    assert.deepEqual([...new Set(ids)].sort(), expected.sort(), 'every row enqueued, none missing');
    const duplicates = ids.length - RESUME_ROWS;
    t.diagnostic(`killed after checkpoint at ${checkpoint.rows} rows; ${duplicates} rows enqueued twice`);
    assert.ok(duplicates < 1_000, `only the rows after the last checkpoint are sent again (${duplicates})`);
    assert.equal((await storedPosts()).size, RESUME_ROWS);
    assert.equal(readCheckpoint(join(stateDir, stateFile)).rows, RESUME_ROWS, 'the checkpoint reaches the end');

    const again = await ingest([...args, '--resume']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /0 rows to go/);
    assert.match(again.stdout, /read 0, stored 0, enqueued 0/);
  });
});

function readCheckpoint(path: string): { lastKey: string; rows: number } {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('ingest against a stopped stack', () => {
  it('says so in one line, naming the endpoint and how to start --serve, without retrying', async () => {
    const nothing = 'http://127.0.0.1:1'; // a privileged port: nothing listens there
    const file = join(dir, 'one.jsonl');
    writeFileSync(file, `${JSON.stringify({ postId: 'p1', text: 'hello', createdAt: '2026-11-20T00:00:00Z' })}\n`);
    const env = {
      AWS_ENDPOINT_URL_DYNAMODB: nothing,
      AWS_ENDPOINT_URL_SQS: nothing,
      QUEUE_URL: `${nothing}/000000000000/impact-sentiment-dev-classify`,
    };
    for (const args of [[file], ['--from-postgres', server.url, '--table', 'tweets']]) {
      const run = await ingest(args, env);
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], new RegExp(`DynamoDB at ${nothing} \\(AWS_ENDPOINT_URL_DYNAMODB\\)`));
      assert.match(lines[0], new RegExp(`SQS at ${nothing}`));
      assert.match(lines[0], /connection refused.*`npm start -- --serve`/);
    }
  });
});
