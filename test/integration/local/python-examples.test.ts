// docs/python.md's Python, run as written against `npm start -- --serve` and a real PostgreSQL: the three
// sentiment.py blocks saved as one module, then every example that uses it (publishing Python values, reading,
// the Flask app, the PostgreSQL backfill and write-back). What it checks: check_post() agrees with the pipeline's
// schema; bigint ids, datetimes and floats are published; a naive datetime or an empty text is refused before
// anything is sent; results_of reads 150 results in two BatchGetItem calls and asks again for keys left
// unprocessed; the all-sources day; a poison post's DLQ reason as data (failed, not pending); the PostgreSQL rows
// published and their scores written back by the UPDATE example.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { processIsRunning } from '../../../src/local/emulators.js';
import { validatePostInput } from '../../../src/domain/posts.js';
import {
  localPostgresUnavailable,
  startLocalPostgres,
  type LocalPostgres,
} from '../../../src/local/postgres-server.js';
import { REPO_ROOT } from '../../support/cli.js';
import {
  docsPythonBlocks,
  exportedVariables,
  servedDocuments,
  findPython,
  runPython,
  startServe,
  waitForOutput,
  type PythonRun,
  type Serve,
} from '../../support/serve.js';

const found = findPython(['psycopg', 'flask']);
const skip = 'unavailable' in found ? found.unavailable : localPostgresUnavailable();

/** The docs' block that starts with this comment line. */
function block(blocks: string[], firstLine: string): string {
  const code = blocks.find((b) => b.startsWith(firstLine));
  assert.ok(code, `docs/python.md has a block starting "${firstLine}"`);
  return code;
}

/** One JSON value per line of a Python example's output. */
function jsonLines(stdout: string): any[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** The users' table, with rows as their Flask app stores them (two the pipeline would refuse). */
const TWEETS = [
  ...Array.from({ length: 10 }, (_, n) => ({
    id: `90000001${String(n).padStart(2, '0')}`,
    text: n % 2 ? `The new bike lanes are a great idea, number ${n}` : `Another delay on line ${n}, awful`,
    createdAt: `2026-11-28 ${String(8 + n).padStart(2, '0')}:15:30.123456+01`,
    platform: n % 3 ? 'twitter' : null,
  })),
  { id: '9000000111', text: null, createdAt: '2026-11-28 09:00:00+00', platform: 'twitter' },
  { id: '9000000112', text: '', createdAt: '2026-11-28 09:00:00+00', platform: 'twitter' },
  // Dead-lettered: another producer stores it with an empty text (see the dead_letters test).
  { id: '9000000113', text: '', createdAt: '2026-11-28 09:00:00+00', platform: 'twitter' },
];

describe('docs/python.md against npm start -- --serve and a real PostgreSQL', { skip, timeout: 900_000 }, () => {
  const python = 'python' in found ? found.python : 'python3';
  const blocks = docsPythonBlocks();
  let serve: Serve;
  let postgres: LocalPostgres;
  let database: pg.Client;
  let env: Record<string, string>;
  let javaPid = 0;
  let dir: string;
  let documents: DynamoDBDocumentClient;

  /** Runs the code with sentiment.py importable; fails the test on a non-zero exit. */
  async function py(code: string): Promise<PythonRun> {
    const run = await runPython(python, code, env, { cwd: dir });
    assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
    return run;
  }

  /** Waits until nothing is queued or in flight and the counts are these. */
  function settled(scored: number, deadLettered: number): Promise<RegExpExecArray> {
    return waitForOutput(
      serve,
      new RegExp(
        `queued 0 \\| in flight 0 \\| scored ${scored} \\| in the DLQ ${deadLettered} \\| aggregated ${scored}$`,
        'm',
      ),
    );
  }

  async function stored(table: string, postId: string): Promise<Record<string, unknown> | undefined> {
    return (await documents.send(new GetCommand({ TableName: table, Key: { postId } }))).Item;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'python-examples-'));
    const module = blocks.filter((b) => b.startsWith('# sentiment.py')).join('\n');
    assert.equal(module.match(/^# sentiment\.py, part \d of 3/gm)?.length, 3, 'three parts of sentiment.py');
    writeFileSync(join(dir, 'sentiment.py'), module);
    writeFileSync(join(dir, 'app.py'), block(blocks, '# app.py'));
    const readme = [...readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').matchAll(/^```python\n([\s\S]*?)^```$/gm)];
    assert.equal(readme.length, 1, "the README's one Python block: its Flask snippet");
    writeFileSync(join(dir, 'readme_app.py'), readme[0][1]);
    serve = startServe([]);
    postgres = await startLocalPostgres();
    database = new pg.Client({ connectionString: postgres.url });
    await database.connect();
    await database.query(
      'CREATE TABLE tweets (id bigint PRIMARY KEY, text text, created_at timestamptz, platform text, ' +
        'sentiment text, sentiment_score real)',
    );
    for (const t of TWEETS)
      await database.query('INSERT INTO tweets (id, text, created_at, platform) VALUES ($1, $2, $3, $4)', [
        t.id,
        t.text,
        t.createdAt,
        t.platform,
      ]);
    await waitForOutput(serve, /queued \d+ \| in flight \d+ \| scored \d+/);
    const exported = exportedVariables(serve.output);
    javaPid = Number(/java pid (\d+)/.exec(serve.output)?.[1]);
    env = { ...exported, PYTHONPATH: dir, DATABASE_URL: postgres.url, IMPACT_SENTIMENT_DIR: REPO_ROOT };
    documents = servedDocuments(env);
  });

  after(async () => {
    documents?.destroy();
    await database?.end().catch(() => undefined);
    await postgres?.stop();
    if (serve?.child.exitCode === null) {
      serve.child.kill('SIGINT');
      await Promise.race([serve.exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
    if (javaPid && processIsRunning(javaPid)) process.kill(-javaPid, 'SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("check_post() accepts and refuses exactly the posts the pipeline's schema does", async () => {
    const post = { postId: 'a', text: 'x', createdAt: '2026-11-25T08:00:00Z' };
    const cases: Array<Record<string, unknown>> = [
      post,
      { ...post, postId: '' },
      { ...post, postId: ' a' },
      { ...post, postId: 'a\u0007b' },
      { ...post, postId: 'x'.repeat(512) },
      { ...post, postId: 'x'.repeat(513) },
      { ...post, postId: '😀'.repeat(512) }, // characters (code points), not UTF-16 units
      { ...post, postId: '😀'.repeat(513) },
      { ...post, text: '' },
      { ...post, text: '   ' }, // scored neutral and flagged empty, not dead-lettered
      { ...post, text: 'x'.repeat(50_000) },
      { ...post, text: 'x'.repeat(50_001) },
      { ...post, text: '😀'.repeat(50_000) },
      { ...post, text: '😀'.repeat(50_001) },
      { ...post, text: 7 },
      { ...post, createdAt: '2026-11-25T08:00Z' },
      { ...post, createdAt: '2026-11-25T08:00:00' },
      { ...post, createdAt: '2026-02-30T08:00:00Z' },
      { ...post, createdAt: '2026-11-25T24:00:00Z' },
      { ...post, createdAt: '2026-11-25t08:00:00z' },
      { ...post, createdAt: '2026-11-25T08:00:00.123456789-05:30' },
      { ...post, createdAt: '9999-12-31T23:30:00-05:00' },
      { ...post, createdAt: '0001-01-01T00:00:00+01:00' },
      { ...post, createdAt: '0001-01-01T00:00:00-01:00' },
      { ...post, source: 'x'.repeat(256) },
      { ...post, source: 'x'.repeat(257) },
      { ...post, source: null, author: null, url: null },
      { ...post, author: 'x'.repeat(1025) },
      { ...post, url: 'x'.repeat(4097) },
      { ...post, text: 'x'.repeat(50_000), padding: 'y'.repeat(300_000) },
    ];
    const file = join(dir, 'cases.json');
    writeFileSync(file, JSON.stringify(cases));
    const run = await py(`
import json
from sentiment import PostError, check_post
for case in json.load(open(${JSON.stringify(file)}, encoding="utf-8")):
    try:
        check_post(case)
        print("ok")
    except PostError as error:
        print(f"refused: {error}")
`);
    const answers = run.stdout.trim().split('\n');
    assert.equal(answers.length, cases.length);
    cases.forEach((row, i) => {
      const pipeline = validatePostInput(row);
      const shown = JSON.stringify(row).slice(0, 120);
      assert.equal(
        answers[i] === 'ok',
        pipeline.ok,
        `${shown}: python ${answers[i]}; pipeline ${JSON.stringify(pipeline)}`,
      );
    });
    // Conversions: PostgreSQL's timestamptz text is rewritten as ISO 8601; NaN is refused, a float kept exact.
    const converted = await py(`
import json
from decimal import Decimal
from sentiment import PostError, check_post
print(check_post({"postId": 1, "text": "x", "createdAt": "2026-11-20 13:11:04.861168+00"})["createdAt"])
print(check_post({"postId": 2, "text": "x", "createdAt": "2026-11-20 13:11:04-0530", "w": 0.1})["w"] == Decimal("0.1"))
for bad in [{"postId": True}, {"postId": 3, "w": float("nan")}, {"postId": 4, "w": {1, 2}}]:
    try:
        check_post({"text": "x", "createdAt": "2026-11-20T13:11:04Z", **bad})
    except PostError as error:
        print(error)
`);
    assert.deepEqual(converted.stdout.trim().split('\n'), [
      '2026-11-20T13:11:04.861168+00:00',
      'True',
      'postId: must be a string or an int, got bool',
      'w: nan cannot be stored (DynamoDB has no NaN or infinity)',
      'w: a set cannot be stored: convert it to text, a number, a list or a dict',
    ]);
  });

  it('publishes bigint ids, datetimes and float extras; refuses naive datetimes and empty texts unsent', async () => {
    const run = await py(block(blocks, '# example: publish ordinary Python values'));
    const [sent, naive, empty, ...rest] = run.stdout.trim().split('\n');
    assert.equal(sent, '[]', 'nothing to send again');
    assert.match(
      naive,
      /^not sent: post 0 \('naive-time'\): createdAt: a naive datetime has no timezone and the pipeline would/,
    );
    assert.match(empty, /^not sent: post 0 \('empty-text'\): text: must be a non-empty string, got '': the pipeline/);
    assert.deepEqual(rest, []);

    await settled(2, 0);
    const post = await stored(env.POSTS_TABLE, '9000000001');
    assert.equal(post?.createdAt, '2026-11-25T08:00:00+00:00');
    assert.equal(post?.reach, 0.37);
    assert.deepEqual(post?.tags, ['garden']);
    assert.deepEqual((await stored(env.POSTS_TABLE, 'example-2'))?.location, { lat: 51.5072, lon: -0.1276 });
    assert.equal((await stored(env.RESULTS_TABLE, '9000000001'))?.day, '2026-11-25');
    for (const refused of ['naive-time', 'empty-text'])
      assert.equal(await stored(env.POSTS_TABLE, refused), undefined, `${refused} was not stored`);
  });

  it('reads a result, several, the source days, the all-sources day and a pending status', async () => {
    const run = await py(block(blocks, '# example: read results and aggregates'));
    const lines = run.stdout.trim().split('\n');
    const result = await stored(env.RESULTS_TABLE, '9000000001');
    const first = /^\('(\w+)', (\S+), '(\S+)'\)$/.exec(lines[0]);
    assert.ok(first, lines[0]);
    assert.deepEqual([first[1], Number(first[2]), first[3]], [result?.label, result?.score, '2026-11-25']);
    assert.equal(lines[1], "['9000000001', 'example-2']");
    const day =
      /^\{'day': '2026-11-25', 'count': 2, 'negative': (\d), 'neutral': (\d), 'positive': (\d), 'meanScore': \S+\}$/;
    const counts = day.exec(lines[2]);
    assert.ok(counts, lines[2]);
    assert.equal(
      counts.slice(1).reduce((sum, n) => sum + Number(n), 0),
      2,
    );
    assert.equal(lines[3], lines[2], 'all sources on 2026-11-25 are the twitter posts');
    assert.equal(lines[4], "{'never-sent': {'status': 'pending'}}");
    assert.equal(lines.length, 5, run.stdout);
  });

  it('results_of: 150 results in two BatchGetItem calls, unprocessed keys again; all-sources day', async () => {
    await py(`
from datetime import datetime, timezone
from sentiment import publish
assert publish([{"postId": f"bulk-{n}", "text": f"Post {n}: the park clean-up went well", "source": "bulk",
                 "createdAt": datetime(2026, 11, 26, 12, tzinfo=timezone.utc)} for n in range(150)]) == []
`);
    await settled(152, 0);
    const run = await py(`
import json, sentiment
calls = []
sentiment.dynamodb.meta.client.meta.events.register("before-call.dynamodb.BatchGetItem", lambda **_: calls.append(1))
found = sentiment.results_of([f"bulk-{n}" for n in range(150)] + ["bulk-0", "never-sent"])
first_calls = len(calls)

# As a throttled table does: each call's answer leaves its last 30 keys unprocessed, twice.
real, asked, left = sentiment.dynamodb.batch_get_item, [], [2]
def partly(RequestItems):
    keys = RequestItems[sentiment.results.name]["Keys"]
    asked.append(len(keys))
    if left[0] == 0 or len(keys) <= 30:
        return real(RequestItems=RequestItems)
    left[0] -= 1
    page = real(RequestItems={sentiment.results.name: {"Keys": keys[:-30]}})
    return {**page, "UnprocessedKeys": {sentiment.results.name: {"Keys": keys[-30:]}}}
sentiment.dynamodb.batch_get_item = partly
again = sentiment.results_of([f"bulk-{n}" for n in range(150)])
print(json.dumps({"found": len(found), "calls": first_calls, "again": len(again), "asked": asked,
                  "same": again == {k: v for k, v in found.items()},
                  "day": sentiment.day_of_all_sources("2026-11-26"),
                  "none": sentiment.day_of_all_sources("1999-01-01")}))
`);
    const answer = JSON.parse(run.stdout);
    assert.equal(answer.found, 150);
    assert.equal(answer.calls, 2, '151 distinct keys: 100 + 51 (DynamoDB Local leaves none unprocessed)');
    // Unprocessed keys are asked for again until none is left: 100 (70 answered), 30; 50 (20 answered), 30.
    assert.deepEqual(answer.asked, [100, 30, 50, 30]);
    assert.equal(answer.again, 150);
    assert.equal(answer.same, true);
    assert.equal(answer.day.count, 150);
    assert.equal(answer.day.negative + answer.day.neutral + answer.day.positive, 150);
    assert.equal(answer.none, null);
  });

  it("dead_letters() answers a poison post's reason as data: status_of says failed, not pending", async () => {
    // Another producer stores a post with an empty text (publish() would have refused it) and enqueues it.
    await py(`
import json, sentiment
sentiment.posts.put_item(Item={"postId": "9000000113", "text": "", "createdAt": "2026-11-28T09:00:00Z"})
sentiment.sqs.send_message(QueueUrl=sentiment.queue_url(), MessageBody=json.dumps({"v": 1, "postId": "9000000113"}))
`);
    await settled(152, 1);
    const run = await py(`
import json, subprocess, sentiment
listings, run = [], subprocess.run
subprocess.run = lambda *args, **kwargs: listings.append(args[0]) or run(*args, **kwargs)
dead = sentiment.dead_letters()
status = sentiment.status_of([9000000113, "example-2", "soon"])     # answered from the same listing
listed = len(listings)
sentiment.dead_letters(max_age=0)
print(json.dumps({"dead": dead, "status": status, "listed": listed, "again": len(listings)}))
`);
    const { dead, status, listed, again } = JSON.parse(run.stdout);
    assert.deepEqual([listed, again], [1, 2], 'listed once a minute (max_age), again when asked to');
    assert.equal(dead.length, 1, run.stdout);
    assert.deepEqual(Object.keys(dead[0]).sort(), [
      'detail',
      'failedAt',
      'messageId',
      'postId',
      'reason',
      'receiveCount',
      'sentAt',
    ]);
    assert.equal(dead[0].postId, '9000000113');
    assert.equal(dead[0].reason, 'invalid-post');
    assert.match(dead[0].detail, /text/);
    assert.equal(status['9000000113'].status, 'failed');
    assert.equal(status['9000000113'].reason, 'invalid-post');
    assert.equal(status['example-2'].status, 'scored');
    assert.ok(['negative', 'neutral', 'positive'].includes(status['example-2'].result.label));
    assert.deepEqual(status.soon, { status: 'pending' });
  });

  it('the Flask app publishes a JSON body, answers 400 for a bad post, and shows scored and failed posts', async () => {
    const client = `
import json
from app import app
client = app.test_client()
def show(response):
    print(json.dumps([response.status_code, response.get_json()]))
`;
    const first = await py(`${client}
show(client.post("/posts", json=[{"postId": 9000000201, "text": "Great meeting tonight, thanks all",
                                  "createdAt": "2026-11-27T20:00:00+02:00", "source": "web", "weight": 0.5}]))
show(client.post("/posts", json=[{"postId": 9000000202, "text": "", "createdAt": "2026-11-27T20:00:00"}]))
show(client.get("/posts/9000000113/sentiment"))
`);
    const [created, refused, failed] = jsonLines(first.stdout);
    assert.deepEqual(created, [202, { failed: [] }]);
    assert.equal(refused[0], 400);
    assert.match(refused[1].error, /^post 0 \(9000000202\): text: must be a non-empty string.*; createdAt: /);
    assert.deepEqual(failed[0], 200);
    assert.equal(failed[1].status, 'failed');
    assert.equal(failed[1].reason, 'invalid-post');
    assert.equal(await stored(env.POSTS_TABLE, '9000000202'), undefined);

    await settled(153, 1);
    const second = await py(`${client}
show(client.get("/posts/9000000201/sentiment"))
show(client.get("/days/2026-11-27"))
show(client.get("/sources/web/days?from=2026-11-01&to=2026-11-30"))
`);
    const [scored, day, days] = jsonLines(second.stdout);
    assert.equal(scored[1].status, 'scored');
    assert.equal(scored[1].result.postId, '9000000201');
    assert.equal(typeof scored[1].result.score, 'number');
    assert.equal(scored[1].result.day, '2026-11-27');
    assert.equal(day[1].count, 1);
    assert.deepEqual(
      days[1].map((d: { day: string; count: number }) => [d.day, d.count]),
      [['2026-11-27', 1]],
    );
  });

  it("the README's Flask snippet runs on sentiment.py as it stands", async () => {
    const run = await py(`
import json
from readme_app import app
client = app.test_client()
for response in [client.post("/posts", json=[{"text": "hi", "createdAt": "2026-11-27T20:00:00"}]),
                 client.get("/posts/9000000201/sentiment"),
                 client.get("/sources/web/days?from=2026-11-01&to=2026-11-30")]:
    print(json.dumps([response.status_code, response.get_json()]))
`);
    const [refused, scored, days] = jsonLines(run.stdout);
    assert.equal(refused[0], 400);
    assert.match(refused[1].error, /createdAt: '2026-11-27T20:00:00' is not ISO 8601 with seconds and Z or an offset/);
    assert.equal(scored[1].status, 'scored');
    assert.equal(days[1][0].count, 1);
  });

  it('publishes the unscored PostgreSQL rows, then writes their scores back with UPDATE', async () => {
    const backfill = await py(block(blocks, '# backfill_from_postgres.py'));
    const lines = backfill.stdout.trim().split('\n');
    assert.equal(lines.pop(), '10 published, 0 to send again, 3 rejected');
    assert.deepEqual(
      lines.map((l) => /^tweet (\d+) not sent: (text: must be a non-empty string, got (None|''))/.exec(l)?.[1]),
      ['9000000111', '9000000112', '9000000113'],
      backfill.stdout,
    );
    await settled(163, 1);

    const writeBack = block(blocks, '# write_back_to_postgres.py');
    const first = await py(writeBack);
    assert.deepEqual(first.stdout.trim().split('\n'), [
      'tweet 9000000113 failed: invalid-post: post 9000000113: text: text must not be empty',
      '10 written back, 2 still pending',
    ]);
    const { rows } = await database.query<{ id: string; sentiment: string | null; sentiment_score: number | null }>(
      'SELECT id, sentiment, sentiment_score FROM tweets ORDER BY id',
    );
    for (const row of rows) {
      const result = await stored(env.RESULTS_TABLE, row.id);
      if (!TWEETS.find((t) => t.id === row.id)?.text) {
        assert.equal(row.sentiment, null, `tweet ${row.id} refused or failed: no score`);
        continue;
      }
      assert.ok(result, `tweet ${row.id} scored`);
      assert.equal(row.sentiment, result.label);
      assert.ok(Math.abs(Number(row.sentiment_score) - Number(result.score)) < 1e-6, `${row.id} score`);
    }
    const second = await py(writeBack);
    assert.match(second.stdout, /^0 written back, 2 still pending$/m, 'a second run changes nothing');
  });
});
