// npm run bench -- --postgres [--rows N]: a backfill from PostgreSQL against the file ingest of the same rows, in one
// run. A local PostgreSQL (Debian's server) gets a table of the users' shape filled with generated posts
// (bench/posts.ts); the same rows are exported with psql's `\copy ... csv header`; then `npm run ingest` runs as a
// child process on each, the file first, into DynamoDB Local and fauxqs (a fresh stage each time). Rows/s are the
// child's wall time; peak RSS is the child's own high-water mark (VmHWM), at N/4 rows and at N rows to show it flat.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import pg from 'pg';
import { postgresBinDir, startLocalPostgres, type LocalPostgres } from '../src/local/postgres-server.js';
import { startStack, type TestStack } from '../test/support/stack.js';
import { log } from './measure.js';
import { samplePosts } from './posts.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PLATFORMS = ['twitter', 'reddit', 'news', 'forums'];
/** Rows inserted per statement while filling the table. */
const FILL_BATCH = 10_000;

export interface IngestRun {
  source: 'file' | 'postgres';
  rows: number;
  seconds: number;
  rowsPerSec: number;
  peakRssMb: number;
  /** What the ingest printed as its summary line, e.g. `read 200000, stored 200000, ...`. */
  summary: string;
}

export interface BackfillMeasurement {
  rows: number;
  seed: number;
  runs: IngestRun[];
  /** PostgreSQL rows/s over file rows/s at `rows` (target >= 0.9). */
  ratioToFile: number;
  /** PostgreSQL peak RSS at `rows` and at a quarter of it (target <= 300 MB, flat). */
  postgresPeakRssMb: { quarter: number; full: number };
}

/**
 * Fills `tweets(id bigint, text, created_at timestamptz, platform, sentiment, sentiment_score)` with `rows` posts,
 * and `tweets_quarter` with its first quarter.
 */
async function fillTweets(url: string, rows: number, seed: number): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`CREATE TABLE tweets (id bigint PRIMARY KEY, text text NOT NULL, created_at timestamptz NOT NULL,
                      platform text, sentiment text, sentiment_score real)`);
    const texts = samplePosts(rows, seed);
    for (let start = 0; start < rows; start += FILL_BATCH) {
      const slice = texts.slice(start, start + FILL_BATCH);
      await db.query(
        `INSERT INTO tweets (id, text, created_at, platform)
         SELECT 9000000000 + $2::bigint + i, t,
                timestamptz '2026-11-01 00:00:00+00' + ($2::bigint + i) * interval '7 s',
                ($3::text[])[1 + ($2::bigint + i) % 4]
           FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i)`,
        [slice, start, PLATFORMS],
      );
    }
    // The same first quarter as a table of its own: the RSS at two sizes, read the same way.
    await db.query(`CREATE TABLE tweets_quarter AS SELECT * FROM tweets ORDER BY id LIMIT ${Math.max(1, rows >> 2)};
                    ALTER TABLE tweets_quarter ADD PRIMARY KEY (id)`);
    await db.query('VACUUM ANALYZE tweets, tweets_quarter');
  } finally {
    await db.end();
  }
}

/** A table as `\copy` writes it (the export the users make today). */
function exportCsv(server: LocalPostgres, table: string, file: string): void {
  const copy = `\\copy ${table} to '${file}' csv header`;
  const psql = spawnSync(join(postgresBinDir(), 'psql'), ['-X', '-q', server.url, '-c', copy], { encoding: 'utf8' });
  if (psql.status !== 0) throw new Error(`psql \\copy failed: ${psql.stderr.trim()}`);
}

/** What `npm run ingest` runs (package.json's script, its node flags included), with this node. */
function ingestCommand(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [node, ...rest] = scripts.ingest.split(/\s+/);
  if (node !== 'node') throw new Error(`npm run ingest is not a node command: ${scripts.ingest}`);
  return [process.execPath, ...rest];
}

/** The process's own peak RSS so far, MB (Linux VmHWM), or undefined once it is gone. */
function peakRssMb(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `npm run ingest -- args` as a child (node itself, not npm, so its RSS is the ingest's) on a fresh stage: its wall
 * time, peak RSS and summary line.
 */
async function timeIngest(
  stack: TestStack,
  source: IngestRun['source'],
  rows: number,
  args: string[],
): Promise<IngestRun> {
  const stage = await stack.freshStage();
  const started = performance.now();
  const [node, ...script] = ingestCommand();
  const child = spawn(node, [...script, ...args], {
    cwd: REPO,
    env: { ...process.env, ...stack.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  let peak = 0;
  const poll = setInterval(() => {
    peak = Math.max(peak, peakRssMb(child.pid as number) ?? 0);
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(poll);
  const summary = /read \d+, stored \d+, enqueued \d+, rejected \d+, failed \d+/.exec(output)?.[0] ?? '';
  if (code !== 0 || !summary.startsWith(`read ${rows}, stored ${rows}, enqueued ${rows}`))
    throw new Error(`ingest of ${source} exited ${code}: ${output.trim().slice(-2000)}`);
  // Their posts and messages are not needed again: keep the emulators' memory flat across the runs.
  await stack.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: stage.queues.classify.url }));
  await stack.clients.dynamodb.send(new DeleteTableCommand({ TableName: stage.tables.posts }));
  const run = { source, rows, seconds, rowsPerSec: rows / seconds, peakRssMb: peak, summary };
  log(
    `  ${source} ${rows} rows: ${seconds.toFixed(1)} s, ${Math.round(run.rowsPerSec)} rows/s, ` +
      `peak RSS ${peak.toFixed(0)} MB`,
  );
  return run;
}

export async function measurePostgresBackfill(options: { rows: number; seed: number }): Promise<BackfillMeasurement> {
  const { rows, seed } = options;
  const quarter = Math.max(1, rows >> 2);
  const dir = mkdtempSync(join(tmpdir(), 'bench-postgres-'));
  const stack = await startStack();
  let server: LocalPostgres | undefined;
  try {
    server = await startLocalPostgres();
    log(`  filling tweets with ${rows} generated posts`);
    await fillTweets(server.url, rows, seed);
    const runs: IngestRun[] = [];
    for (const [table, size] of [
      ['tweets_quarter', quarter],
      ['tweets', rows],
    ] as const) {
      const csv = join(dir, `${table}.csv`);
      exportCsv(server, table, csv);
      // The same posts both ways: the platform as the source, the other columns left out.
      runs.push(await timeIngest(stack, 'file', size, [csv, '--map', 'source=platform']));
      runs.push(
        await timeIngest(stack, 'postgres', size, [
          '--from-postgres',
          server.url,
          '--table',
          table,
          '--map',
          'source=platform',
          '--resume-dir',
          join(dir, 'resume'),
        ]),
      );
    }
    const at = (source: IngestRun['source'], size: number) =>
      runs.find((run) => run.source === source && run.rows === size) as IngestRun;
    return {
      rows,
      seed,
      runs,
      ratioToFile: at('postgres', rows).rowsPerSec / at('file', rows).rowsPerSec,
      postgresPeakRssMb: { quarter: at('postgres', quarter).peakRssMb, full: at('postgres', rows).peakRssMb },
    };
  } finally {
    await server?.stop();
    await stack.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report: one line per run, the ratio and the RSS targets judged. */
export function formatBackfill(result: BackfillMeasurement): string {
  const lines = [
    `PostgreSQL backfill vs file ingest of the same ${result.rows} rows (seed ${result.seed}), ` +
      'npm run ingest as a child',
    '| source                     |   rows |     s | rows/s | peak RSS |',
    '| -------------------------- | -----: | ----: | -----: | -------: |',
    ...result.runs.map(
      (run) =>
        `| ${(run.source === 'file' ? 'file (\\copy csv header)' : '--from-postgres').padEnd(26)} | ` +
        `${String(run.rows).padStart(6)} | ${run.seconds.toFixed(1).padStart(5)} | ` +
        `${String(Math.round(run.rowsPerSec)).padStart(6)} | ${run.peakRssMb.toFixed(0).padStart(5)} MB |`,
    ),
    '',
    `${result.ratioToFile >= 0.9 ? 'PASS' : 'MISS'} PostgreSQL rows/s ${result.ratioToFile.toFixed(2)}x ` +
      'file ingest (target >= 0.9)',
    `${result.postgresPeakRssMb.full <= 300 ? 'PASS' : 'MISS'} PostgreSQL peak RSS ` +
      `${result.postgresPeakRssMb.full.toFixed(0)} MB ` +
      `at ${result.rows} rows, ${result.postgresPeakRssMb.quarter.toFixed(0)} MB at a quarter (target <= 300 MB, flat)`,
  ];
  return lines.join('\n');
}
