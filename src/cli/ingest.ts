// npm run ingest -- FILE.jsonl|FILE.csv [--queue-url URL] [--posts-table NAME] [--rejects OUT.jsonl]
// npm run ingest -- --resend IDS.txt
// Stores the file's posts and enqueues their IDs for classification, then prints a summary in which
// every row that was not ingested appears with its reason. Posts stored but not enqueued (throttling
// that outlasted the retries) are written to a file that --resend enqueues again.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig } from '../config.js';
import {
  DEFAULT_MAX_RETRY_MS,
  ingestPosts,
  readPostsFile,
  formatOf,
  resendPosts,
  type IngestSummary,
  type RowProblem,
} from '../producer/ingest.js';
import { resetClients } from '../aws/clients.js';
import { runCli } from './run.js';

const USAGE =
  'usage: npm run ingest -- FILE.jsonl|FILE.csv [--queue-url URL] [--posts-table NAME] [--format jsonl|csv] ' +
  `[--rejects OUT.jsonl]
                          [--retry-for SECONDS] [--unsent IDS.txt]
       npm run ingest -- --resend IDS.txt [--queue-url URL] [--posts-table NAME] [--retry-for SECONDS]
  --queue-url    classify queue URL (default: $QUEUE_URL)
  --posts-table  posts table name (default: $POSTS_TABLE, else the stage's table)
  --rejects      write every rejected or failed row, with its reason, to this JSONL file
  --retry-for    how long a throttled or failing batch call is retried before its posts count as failed
                 (default ${DEFAULT_MAX_RETRY_MS / 1000})
  --unsent       where to write the IDs of posts stored but not enqueued (default ingest-unsent-<time>.txt)
  --resend       enqueue again the stored posts listed in this file (one postId a line), e.g. --unsent's
Exit status: 0 when every valid row was stored and enqueued, 1 when some failed, 2 for bad arguments.
Rows: JSON objects / CSV records with postId, text, createdAt (ISO 8601 with Z or offset), ` +
  'optional source, author, url.';

/** Files above this size get a progress bar. */
const PROGRESS_BAR_BYTES = 1_000_000;
const SHOWN_PROBLEMS = 20;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'queue-url': { type: 'string' },
      'posts-table': { type: 'string' },
      format: { type: 'string' },
      rejects: { type: 'string' },
      'retry-for': { type: 'string' },
      unsent: { type: 'string' },
      resend: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return (console.log(USAGE), 0);
  const [file] = positionals;
  if (values.resend ? positionals.length > 0 : !file || positionals.length > 1) return (console.error(USAGE), 2);
  const retryForSeconds = Number(values['retry-for'] ?? DEFAULT_MAX_RETRY_MS / 1000);
  if (!Number.isFinite(retryForSeconds) || retryForSeconds < 0)
    return (console.error(`--retry-for must be a number of seconds >= 0\n${USAGE}`), 2);
  const maxRetryMs = retryForSeconds * 1000;
  const config = loadConfig();
  const queueUrl = values['queue-url'] ?? config.queueUrl;
  if (!queueUrl) return (console.error(`No queue URL: set QUEUE_URL or pass --queue-url.\n${USAGE}`), 2);
  const postsTable = values['posts-table'] ?? config.tables.posts;
  if (values.resend) return resend(values.resend, { postsTable, queueUrl, maxRetryMs });
  const format = values.format ?? formatOf(file);
  if (format !== 'jsonl' && format !== 'csv') return (console.error(`--format must be jsonl or csv, got ${format}`), 2);

  const size = statSync(file).size;
  const bar =
    size > PROGRESS_BAR_BYTES
      ? new SingleBar(
          {
            format:
              'ingest [{bar}] {percentage}% | rows {read} | enqueued {enqueued} | ' +
              'rejected {rejected} | failed {failed}',
          },
          Presets.shades_classic,
        )
      : undefined;
  bar?.start(size, 0, { read: 0, enqueued: 0, rejected: 0, failed: 0 });
  let summary: IngestSummary;
  try {
    summary = await ingestPosts(readPostsFile(file, format), {
      postsTable,
      queueUrl,
      maxRetryMs,
      onProgress: (p) =>
        bar?.update(p.bytesRead ?? 0, { read: p.read, enqueued: p.enqueued, rejected: p.rejected, failed: p.failed }),
    });
    bar?.update(size);
  } finally {
    bar?.stop();
  }

  printSummary(file, postsTable, queueUrl, summary);
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
    console.log(`${notStored} posts were not stored: ingest their rows again (re-running the whole file is safe).`);
  return summary.failed.length > 0 ? 1 : 0;
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

function printSummary(file: string, postsTable: string, queueUrl: string, summary: IngestSummary): void {
  console.log(`\n${file} -> ${postsTable}, ${queueUrl}`);
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
