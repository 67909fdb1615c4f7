// npm run ingest -- FILE.jsonl|FILE.csv [--map FIELD=COLUMN,...] [--queue-url URL] [--posts-table NAME]
//                    [--rejects OUT.jsonl]
// npm run ingest -- --from-postgres URL (--table T [--map ...] | --query SQL) [--timezone ZONE] [--resume]
// npm run ingest -- --resend IDS.txt
// Stores the posts of a file or a PostgreSQL table/query and enqueues their IDs for classification, then prints a
// summary in which every row that was not ingested appears with its reason. Posts stored but not enqueued
// (throttling that outlasted the retries) are written to a file that --resend enqueues again.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig, loadPostgresConnection } from '../config.js';
import {
  DEFAULT_MAX_RETRY_MS,
  ingestPosts,
  readPostsFile,
  formatOf,
  resendPosts,
  type IngestProgress,
  type IngestSummary,
  type RowProblem,
} from '../producer/ingest.js';
import { parseColumnMap } from '../producer/column-map.js';
import { ingestFromPostgres } from '../producer/postgres-ingest.js';
import { DEFAULT_RESUME_DIR } from '../producer/resume-state.js';
import { assertEndpointsReachable } from '../aws/reachability.js';
import { resetClients } from '../aws/clients.js';
import { UsageError } from '../errors.js';
import { runCli } from './run.js';

const USAGE =
  'usage: npm run ingest -- FILE.jsonl|FILE.csv [--map FIELD=COLUMN,...] [--format jsonl|csv] [common options]\n' +
  '       npm run ingest -- --from-postgres URL (--table T [--map FIELD=COLUMN,...] | --query SQL) ' +
  `[--timezone ZONE]
                          [--resume] [--resume-dir DIR] [common options]
       npm run ingest -- --resend IDS.txt [--queue-url URL] [--posts-table NAME] [--retry-for SECONDS]
common options: [--queue-url URL] [--posts-table NAME] [--rejects OUT.jsonl] [--retry-for SECONDS] [--unsent IDS.txt]
  --from-postgres  read the posts from PostgreSQL: a postgres:// URL; '' for $POSTGRES_URL; what a URL leaves out
                   (all of it for postgres://) comes from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE
                   (the password is never printed)
  --table          the table to read (its mapped columns), in id order
  --query          a query whose columns are named as the fields (postId, text, createdAt, source, ...)
  --map            the column of each field for a CSV file or PostgreSQL, e.g. --map source=platform
                   (default postId=id,text=text,createdAt=created_at; a column named as the field is taken first)
  --timezone       the zone a createdAt column of type timestamp (without time zone) was written in, e.g. UTC
  --resume         continue after the last row an earlier run of the same source finished (state in --resume-dir,
                   default ${DEFAULT_RESUME_DIR}/); without it a run starts at the first row
  --queue-url      classify queue URL (default: $QUEUE_URL)
  --posts-table    posts table name (default: $POSTS_TABLE, else the stage's table)
  --rejects        write every rejected or failed row, with its reason, to this JSONL file
  --retry-for      how long a throttled or failing batch call is retried before its posts count as failed
                   (default ${DEFAULT_MAX_RETRY_MS / 1000})
  --unsent         where to write the IDs of posts stored but not enqueued (default ingest-unsent-<time>.txt)
  --resend         enqueue again the stored posts listed in this file (one postId a line), e.g. --unsent's
Exit status: 0 when every row was stored and enqueued, 1 when any row was rejected or failed (or the source could
not be read, or the queue and tables cannot be reached), 2 for bad arguments (a column --map needs and the source
lacks, a timestamp column without --timezone).
Rows: JSON objects / CSV records / PostgreSQL rows with postId, text, createdAt (ISO 8601 with Z or an offset, or
PostgreSQL's timestamptz text), optional source, author, url; other CSV and --query columns are kept.`;

/** Files above this size, and PostgreSQL sources above this many rows, get a progress bar. */
const PROGRESS_BAR_BYTES = 1_000_000;
const PROGRESS_BAR_ROWS = 10_000;
const SHOWN_PROBLEMS = 20;

const OPTIONS = {
  'queue-url': { type: 'string' },
  'posts-table': { type: 'string' },
  format: { type: 'string' },
  map: { type: 'string' },
  'from-postgres': { type: 'string' },
  table: { type: 'string' },
  query: { type: 'string' },
  timezone: { type: 'string' },
  resume: { type: 'boolean', default: false },
  'resume-dir': { type: 'string', default: DEFAULT_RESUME_DIR },
  rejects: { type: 'string' },
  'retry-for': { type: 'string' },
  unsent: { type: 'string' },
  resend: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** The flags that belong to one kind of source only, checked before anything is opened. */
function checkCombination(values: Values, positionals: string[]): void {
  const fromPostgres = values['from-postgres'] !== undefined;
  const postgresOnly = (['table', 'query', 'timezone', 'resume'] as const).filter(
    (flag) => values[flag] !== undefined && values[flag] !== false,
  );
  if (values.resend !== undefined) {
    if (positionals.length > 0 || fromPostgres) throw new UsageError('--resend takes no file and no --from-postgres');
  } else if (fromPostgres) {
    if (positionals.length > 0) throw new UsageError('give a file or --from-postgres, not both');
    if ((values.table === undefined) === (values.query === undefined))
      throw new UsageError('--from-postgres needs one of --table T or --query SQL');
  } else {
    if (positionals.length !== 1) throw new UsageError('give one file, or --from-postgres, or --resend');
    if (postgresOnly.length > 0) throw new UsageError(`--${postgresOnly[0]} goes with --from-postgres`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  if (values.help) return (console.log(USAGE), 0);
  checkCombination(values, positionals);
  const columns = parseColumnMap(values.map);
  const retryForSeconds = Number(values['retry-for'] ?? DEFAULT_MAX_RETRY_MS / 1000);
  if (!Number.isFinite(retryForSeconds) || retryForSeconds < 0)
    throw new UsageError('--retry-for must be a number of seconds >= 0');
  const maxRetryMs = retryForSeconds * 1000;
  const config = loadConfig();
  const queueUrl = values['queue-url'] ?? config.queueUrl;
  if (!queueUrl) throw new UsageError('No queue URL: set QUEUE_URL or pass --queue-url.');
  const postsTable = values['posts-table'] ?? config.tables.posts;
  const [file] = positionals;
  const format = file === undefined ? undefined : (values.format ?? formatOf(file));
  if (format !== undefined && format !== 'jsonl' && format !== 'csv')
    throw new UsageError(`--format must be jsonl or csv, got ${format}`);
  if (format === 'jsonl' && values.map !== undefined)
    throw new UsageError('--map names CSV or PostgreSQL columns; JSONL rows carry the fields themselves');
  await assertEndpointsReachable({
    postsTable,
    queueUrl,
    dynamodbEndpoint: config.dynamodbEndpoint,
    sqsEndpoint: config.sqsEndpoint,
  });
  if (values.resend) return resend(values.resend, { postsTable, queueUrl, maxRetryMs });

  const common = { postsTable, queueUrl, maxRetryMs };
  let source: string;
  let summary: IngestSummary;
  if (values['from-postgres'] !== undefined) {
    let bar: ProgressBar | undefined;
    try {
      const ingest = await ingestFromPostgres({
        ...common,
        // '' takes the server from POSTGRES_URL (what `npm start -- --serve --postgres` exports), else libpq's PG*.
        url: values['from-postgres'] || loadPostgresConnection().url,
        table: values.table,
        query: values.query,
        columns,
        timezone: values.timezone,
        resume: values.resume,
        resumeDir: values['resume-dir'],
        onStart: (start) => {
          if (start.resumedAfter)
            console.log(
              `Resuming after id ${start.resumedAfter.lastKey} (${start.resumedAfter.rows} rows done before, ` +
                `${start.resumedAfter.updatedAt}); ${start.rows} rows to go.`,
            );
          else if (values.resume) console.log(`No earlier run of this source recorded: starting at the first row.`);
          bar = start.rows >= PROGRESS_BAR_ROWS ? progressBar(start.rows) : undefined;
        },
        onProgress: (p) => bar?.update(p.read, p),
      });
      ({ source, summary } = ingest);
    } finally {
      bar?.stop();
    }
  } else {
    source = file;
    const size = statSync(file).size;
    const bar = size > PROGRESS_BAR_BYTES ? progressBar(size) : undefined;
    try {
      summary = await ingestPosts(readPostsFile(file, format as 'jsonl' | 'csv', columns), {
        ...common,
        onProgress: (p) => bar?.update(p.bytesRead ?? 0, p),
      });
      bar?.update(size);
    } finally {
      bar?.stop();
    }
  }

  printSummary(source, postsTable, queueUrl, summary);
  if (values.rejects) {
    const lines = [
      ...summary.rejected.map((p) => ({ kind: 'rejected', ...p })),
      ...summary.failed.map((p) => ({ kind: 'failed', ...p })),
    ];
    writeFileSync(values.rejects, lines.map((line) => JSON.stringify(line)).join('\n') + (lines.length ? '\n' : ''));
    console.log(`All ${lines.length} rejected/failed rows written to ${values.rejects}`);
  }
  if (summary.notEnqueued.length > 0) {
    const unsent = values.unsent ?? `ingest-unsent-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`;
    writeFileSync(unsent, summary.notEnqueued.join('\n') + '\n');
    console.log(
      `${summary.notEnqueued.length} posts are stored but not enqueued; their IDs are in ${unsent}. ` +
        'Once the queue accepts sends again:\n' +
        `  npm run ingest -- --resend ${unsent}`,
    );
  }
  const notStored = summary.failed.length - summary.notEnqueued.length;
  if (notStored > 0)
    console.log(`${notStored} posts were not stored: ingest their rows again (re-running the whole source is safe).`);
  // A cron job must see a rejected row as a failure: exit 0 only when every row made it.
  return summary.failed.length + summary.rejected.length > 0 ? 1 : 0;
}

type ProgressBar = { update(value: number, progress?: IngestProgress): void; stop(): void };

/** A bar on a terminal (nothing otherwise): rows or bytes done of `total`, with the counts so far. */
function progressBar(total: number): ProgressBar {
  const bar = new SingleBar(
    {
      format:
        'ingest [{bar}] {percentage}% | rows {read} | enqueued {enqueued} | rejected {rejected} | failed {failed}',
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { read: 0, enqueued: 0, rejected: 0, failed: 0 });
  return {
    update: (value, p) =>
      p
        ? bar.update(value, { read: p.read, enqueued: p.enqueued, rejected: p.rejected, failed: p.failed })
        : bar.update(value),
    stop: () => bar.stop(),
  };
}

async function resend(
  idsFile: string,
  options: { postsTable: string; queueUrl: string; maxRetryMs: number },
): Promise<number> {
  const ids = readFileSync(idsFile, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const summary = await resendPosts(ids, options);
  console.log(
    `${idsFile} -> ${options.queueUrl}\n  ${summary.requested} post IDs, ${summary.enqueued} enqueued, ` +
      `${summary.missing.length} not in ${options.postsTable}, ${summary.failed.length} failed`,
  );
  printProblems(
    'not in the posts table (ingest their rows again)',
    summary.missing.map((postId, i) => ({ row: i + 1, postId, reason: 'not stored' })),
  );
  printProblems(
    'failed (run the same command again)',
    summary.failed.map(({ postId, reason }, i) => ({ row: i + 1, postId, reason })),
  );
  return summary.missing.length + summary.failed.length > 0 ? 1 : 0;
}

function printSummary(source: string, postsTable: string, queueUrl: string, summary: IngestSummary): void {
  console.log(`\n${source} -> ${postsTable}, ${queueUrl}`);
  console.log(
    `  read ${summary.read}, stored ${summary.stored}, enqueued ${summary.enqueued}, ` +
      `rejected ${summary.rejected.length}, failed ${summary.failed.length}`,
  );
  printProblems('rejected (invalid rows)', summary.rejected);
  printProblems('failed (valid, not stored or not enqueued: re-run to retry)', summary.failed);
}

function printProblems(title: string, problems: RowProblem[]): void {
  if (problems.length === 0) return;
  console.log(`  ${title}:`);
  for (const { row, postId, reason } of problems.slice(0, SHOWN_PROBLEMS)) {
    console.log(`    row ${row}${postId ? ` (${postId})` : ''}: ${reason}`);
  }
  if (problems.length > SHOWN_PROBLEMS)
    console.log(`    ... and ${problems.length - SHOWN_PROBLEMS} more (use --rejects FILE for all)`);
}

runCli(import.meta.url, 'ingest', main, { usage: USAGE, cleanup: resetClients });
