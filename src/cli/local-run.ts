// npm start [-- --input FILE] [--keep | --serve [--port-base N] [--persist DIR] [--postgres URL ...]] [--help]
// The whole pipeline on this machine: emulators up, a stage provisioned, posts ingested with the
// producer, the real handlers run by local event source mappings until idle, then the aggregates and
// an account of every post: scored, in the DLQ (with reasons), or rejected at ingest (with reasons).
import { statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSinkColumns, DEFAULT_SINK_COLUMNS, SINK_COLUMNS_SYNTAX } from '../domain/postgres-columns.js';
import { sendMessage } from '../aws/sqs-queues.js';
import { SingleBar, Presets } from 'cli-progress';
import { startEmulators, stopAllEmulators, type Emulators } from '../local/emulators.js';
import { provision, type ProvisionedStage } from '../local/provision.js';
import { applyEnvironment, exportBlock, stackEnvironment } from '../local/environment.js';
import { localClients } from '../local/clients.js';
import { pipelineEventSources, runUntilIdle } from '../local/event-sources.js';
import type { SqsBatchResult } from '../event-sources/sqs-event-source.js';
import type { StreamBatchResult } from '../event-sources/stream-event-source.js';
import { generateSamplePosts, sampleJsonl } from '../local/sample-posts.js';
import { runServe } from '../local/serve.js';
import { EMBEDDED_POSTGRES } from '../local/embedded-postgres.js';
import { FUNCTIONS } from '../resources.js';
import { collectRunReport, formatAggregates, type DeadLetterSummary } from '../local/run-report.js';
import { formatLanguageMix } from '../ops/language-mix.js';

/**
 * A served message must not reappear while its batch is still gathering or in the handler (the first
 * batch also loads the model): the batching window plus the function timeout.
 */
const SERVE_VISIBILITY_TIMEOUT_SECONDS =
  FUNCTIONS.classify.maximumBatchingWindowSeconds + FUNCTIONS.classify.timeoutSeconds;

const USAGE =
  `usage: npm start -- [--input FILE.jsonl|FILE.csv] [--keep] [--visibility-timeout SECONDS] [--verbose]
       npm start -- --serve [--input FILE.jsonl|FILE.csv] [--visibility-timeout SECONDS] [--verbose]
                    [--port-base N] [--persist DIR] [--postgres [URL] [--pg-table T] [--pg-columns SPEC]]
       npm start -- --write-sample FILE.jsonl

Runs the whole pipeline locally on real emulators (DynamoDB Local via java, fauxqs in process):
provisions a fresh stage, ingests the posts with the producer, sends two poison messages straight to
the queue (they must end in the DLQ), runs the classify and aggregate handlers the way Lambda's event
source mappings would until the system is idle, and prints the aggregates and the accounting.

  --input FILE               posts to ingest (default: the built-in deterministic sample, ` +
  `${generateSamplePosts().rows.length} rows)
  --keep                     leave the emulators running afterwards (until Ctrl-C) to poke at them
  --serve                    run as a service instead: a fresh stage, --input ingested if given (no sample,
                             no poison messages), then both handlers keep processing posts that any client
                             sends (your own producer, the AWS CLI) until Ctrl-C or SIGTERM, with a live
                             status line; on stop the batch in hand is finished and the emulators stopped
  --port-base N              with --serve: fixed ports, DynamoDB Local on N and SQS on N+1, so every restart
                             prints the same variables (a dev config written once)
  --persist DIR              with --serve: DynamoDB Local keeps its data in DIR: tables, posts, results and
                             aggregates survive a restart (the SQS emulator is in memory: queues start empty)
  --postgres [URL]           with --serve: also run the PostgreSQL sink, writing each result into your table
                             (postgres://user:password@host:port/db; the password is never printed). Without a
                             URL: a PostgreSQL of its own (Debian's server; on --port-base + 2, kept under
                             --persist DIR/postgres) with the table created if missing, its URL printed
  --pg-table T               the sink's table (default tweets; SCHEMA.TABLE works)
  --pg-columns SPEC          ${SINK_COLUMNS_SYNTAX}
                             (default ${Object.entries(DEFAULT_SINK_COLUMNS)
                               .map(([field, column]) => `${field}=${column}`)
                               .join(',')})
  --visibility-timeout SECS  classify queue visibility timeout (default 5, with --serve ` +
  `${SERVE_VISIBILITY_TIMEOUT_SECONDS}; production uses 400)
  --write-sample FILE        write the built-in sample as JSONL and exit
  -v, --verbose              show the handlers' logs and metrics (Powertools JSON lines)
  -h, --help                 this text

Exit status: 0 when every message that entered the queue is accounted for (scored + DLQ = enqueued)
and the aggregates count every scored post once; 1 otherwise; 2 for bad arguments.`;

/** Messages no producer would send: they show the DLQ path (the classify function rejects them at once). */
const POISON_MESSAGES = ['this is not JSON {', JSON.stringify({ v: 99, postId: 'from-the-future' })];

const CLI_OPTIONS = {
  input: { type: 'string' },
  keep: { type: 'boolean' },
  serve: { type: 'boolean' },
  'visibility-timeout': { type: 'string' },
  'port-base': { type: 'string' },
  persist: { type: 'string' },
  postgres: { type: 'string' },
  'pg-table': { type: 'string' },
  'pg-columns': { type: 'string' },
  'write-sample': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `--postgres` with no URL after it (last, or before another flag) asks for the embedded server. */
function parseCli(argv: string[]) {
  const args = argv.map((arg, i) =>
    arg === '--postgres' && (i === argv.length - 1 || argv[i + 1].startsWith('-'))
      ? `--postgres=${EMBEDDED_POSTGRES}`
      : arg,
  );
  return parseArgs({ args, options: CLI_OPTIONS }).values;
}

async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parseCli>;
  try {
    values = parseCli(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) return (console.log(USAGE), 0);
  if (values['write-sample']) {
    writeFileSync(values['write-sample'], sampleJsonl(generateSamplePosts()));
    console.log(`wrote the sample to ${values['write-sample']}`);
    return 0;
  }
  const visibilityTimeoutSeconds = Number(
    values['visibility-timeout'] ?? (values.serve ? SERVE_VISIBILITY_TIMEOUT_SECONDS : 5),
  );
  if (!Number.isInteger(visibilityTimeoutSeconds) || visibilityTimeoutSeconds < 1) {
    console.error(`--visibility-timeout must be a whole number of seconds >= 1\n\n${USAGE}`);
    return 2;
  }

  // A file that is not there is the user's mistake, said in one line before anything starts.
  if (values.input !== undefined && !isFile(values.input)) {
    console.error(`npm start: --input ${values.input}: no such file`);
    return 2;
  }
  const serveOnly = (['port-base', 'persist', 'postgres', 'pg-table', 'pg-columns'] as const).filter(
    (flag) => values[flag] !== undefined,
  );
  if (!values.serve && serveOnly.length > 0) {
    console.error(`--${serveOnly[0]} needs --serve\n\n${USAGE}`);
    return 2;
  }

  if (values.serve) {
    if (values.keep) return (console.error(`--serve keeps the emulators up already; drop --keep\n\n${USAGE}`), 2);
    const portBase = values['port-base'] === undefined ? undefined : Number(values['port-base']);
    if (portBase !== undefined && !(Number.isInteger(portBase) && portBase >= 1024 && portBase <= 65534)) {
      console.error(`--port-base must be a port number from 1024 to 65534\n\n${USAGE}`);
      return 2;
    }
    if ((values['pg-table'] || values['pg-columns']) && !values.postgres) {
      console.error(`--pg-table and --pg-columns configure the sink: add --postgres URL\n\n${USAGE}`);
      return 2;
    }
    let postgresSink: Record<string, string> | undefined;
    if (values.postgres) {
      try {
        parseSinkColumns(values['pg-columns']);
      } catch (error) {
        console.error(`--pg-columns: ${(error as Error).message}\n\n${USAGE}`);
        return 2;
      }
      postgresSink = {
        POSTGRES_URL: values.postgres,
        POSTGRES_SINK_TABLE: values['pg-table'] ?? 'tweets',
        POSTGRES_SINK_COLUMNS: values['pg-columns'] ?? '',
      };
    }
    return runServe({
      input: values.input,
      visibilityTimeoutSeconds,
      verbose: values.verbose,
      portBase,
      persist: values.persist === undefined ? undefined : resolve(values.persist),
      postgresSink,
    });
  }

  const started = Date.now();
  const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void interrupted(signal));

  console.log('Starting DynamoDB Local and fauxqs…');
  const emulators = await startEmulators();
  const stage = await provision(emulators, { stage: 'local', visibilityTimeoutSeconds });
  applyEnvironment(stackEnvironment(emulators, stage));
  // The handlers' own JSON logs and EMF metrics drown the summary; warnings and errors still show.
  if (!values.verbose) applyEnvironment({ POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' });
  const clients = localClients(emulators);
  console.log(
    `  ready in ${seconds(started)} s (DynamoDB ${emulators.dynamodbEndpoint}, SQS ${emulators.sqsEndpoint})`,
  );

  // Imported only now: the handlers and the producer read their config and endpoints from the environment just set.
  const { ingestPosts, readPostsFile } = await import('../producer/ingest.js');
  const { handler: classify } = await import('../../handlers/classify.js');
  const { handler: aggregate } = await import('../../handlers/aggregate.js');

  const ingestStarted = Date.now();
  const rows = values.input ? readPostsFile(values.input) : generateSamplePosts().rows;
  console.log(`Ingesting ${values.input ?? 'the built-in sample'}…`);
  const ingest = await ingestPosts(rows, { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
  for (const body of POISON_MESSAGES) {
    await sendMessage(clients.sqs, stage.queues.classify.url, { body });
  }
  const enqueued = ingest.enqueued + POISON_MESSAGES.length;
  console.log(
    `  ${ingest.read} rows read, ${ingest.stored} stored, ${ingest.enqueued} enqueued, ` +
      `${ingest.rejected.length} rejected, ` +
      `${ingest.failed.length} failed, plus ${POISON_MESSAGES.length} poison messages (${seconds(ingestStarted)} s)`,
  );

  const processingStarted = Date.now();
  const sources = pipelineEventSources(clients, stage, {
    classify,
    aggregate,
  });
  const progress = new Progress(enqueued);
  try {
    await runUntilIdle([sources.classify, sources.aggregate], {
      onBatch: ({ source, result }) =>
        progress.batch(source === sources.classify.name, result as SqsBatchResult & StreamBatchResult),
    });
  } finally {
    progress.stop();
  }
  const processingSeconds = (Date.now() - processingStarted) / 1000;

  const report = await collectRunReport(clients, stage);
  console.log(`\nAggregates (${stage.tables.aggregates}):\n${formatAggregates(report.aggregates)}\n`);
  console.log(`Language mix (scored posts per detected language per day):\n${formatLanguageMix(report.languageMix)}\n`);
  const aggregated = report.aggregates.filter((r) => r.source !== undefined).reduce((sum, r) => sum + r.count, 0);
  const accounted = report.scored + report.dlq.count === enqueued;
  const aggregatesMatch = aggregated === report.scored;

  const row = (label: string, value: string) => console.log(`  ${label.padEnd(20)}${value}`);
  console.log('Totals');
  row('read', `${ingest.read}`);
  row(
    'rejected at ingest',
    `${ingest.rejected.length}${reasons(ingest.rejected.map((r) => `${r.postId ?? `row ${r.row}`}: ${r.reason}`))}`,
  );
  if (ingest.failed.length > 0)
    row('failed at ingest', `${ingest.failed.length}${reasons(ingest.failed.map((r) => `${r.postId}: ${r.reason}`))}`);
  row('enqueued', `${enqueued} (${ingest.enqueued} posts + ${POISON_MESSAGES.length} poison)`);
  row('scored', `${report.scored}`);
  row('in the DLQ', `${report.dlq.count}${reasonCounts(report.dlq)}`);
  if (report.streamFailures.count > 0)
    row('stream failures', `${report.streamFailures.count}${reasonCounts(report.streamFailures)}`);
  row('aggregated', `${aggregated}${aggregatesMatch ? '' : `  ≠ scored ${report.scored}: the aggregates are off`}`);
  console.log(
    `  ${accounted ? 'OK' : 'MISMATCH'}: scored + DLQ = ${report.scored + report.dlq.count}, enqueued = ${enqueued}`,
  );
  console.log(
    `\nProcessing: ${processingSeconds.toFixed(1)} s, ` +
      `${(report.scored / processingSeconds).toFixed(1)} posts/s scored; ` +
      `${progress.classifyInvocations} classify invocations ` +
      `(${(progress.classifyMs / 1000).toFixed(1)} s in the handler), ` +
      `${progress.aggregateInvocations} aggregate invocations (${(progress.aggregateMs / 1000).toFixed(1)} s); ` +
      `wall time ${seconds(started)} s`,
  );

  clients.destroy();
  if (values.keep) {
    keepRunning(emulators, stage);
    return new Promise(() => undefined); // until Ctrl-C
  }
  await stopAllEmulators();
  return accounted && aggregatesMatch ? 0 : 1;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function reasons(lines: string[]): string {
  return lines.map((line) => `\n      ${line}`).join('');
}

function reasonCounts(summary: DeadLetterSummary): string {
  return [...summary.reasons].map(([reason, n]) => `\n      ${n} × ${reason}`).join('');
}

/** A progress bar on a terminal; a line per classify batch otherwise (CI logs). */
class Progress {
  classifyInvocations = 0;
  aggregateInvocations = 0;
  classifyMs = 0;
  aggregateMs = 0;
  private acknowledged = 0;
  private retried = 0;
  private readonly bar = process.stdout.isTTY
    ? new SingleBar(
        {
          format:
            'processing [{bar}] {value}/{total} messages done | retries {retried} | ' +
            'classify {classify} | aggregate {aggregate}',
        },
        Presets.shades_classic,
      )
    : undefined;

  constructor(private readonly total: number) {
    this.bar?.start(total, 0, this.payload());
  }

  batch(isClassify: boolean, result: SqsBatchResult & StreamBatchResult): void {
    if (isClassify) {
      this.classifyInvocations += 1;
      this.classifyMs += result.handlerMs;
      this.acknowledged += result.succeeded.length;
      this.retried += result.failed.length;
      if (!this.bar)
        console.log(
          `  classify batch of ${result.messageIds.length}: ${result.succeeded.length} done, ` +
            `${result.failed.length} to retry${result.error ? ` (${result.error})` : ''} [${result.handlerMs} ms]`,
        );
    } else {
      this.aggregateInvocations += 1;
      this.aggregateMs += result.handlerMs;
      if (result.error && !this.bar)
        console.log(`  aggregate batch of ${result.sequenceNumbers.length}: ${result.error}`);
    }
    this.bar?.update(Math.min(this.acknowledged, this.total), this.payload());
  }

  stop(): void {
    this.bar?.stop();
  }

  private payload() {
    return { retried: this.retried, classify: this.classifyInvocations, aggregate: this.aggregateInvocations };
  }
}

function keepRunning(emulators: Emulators, stage: ProvisionedStage): void {
  console.log(`
The emulators are still running. Press Ctrl-C to stop them.
  DynamoDB Local  ${emulators.dynamodbEndpoint}   (java pid ${emulators.dynamodbPid})
  SQS (fauxqs)    ${emulators.sqsEndpoint}   (inside this process, pid ${process.pid})
  tables          ${Object.values(stage.tables).join(', ')}
  results stream  ${stage.resultsStreamArn}
  queues          ${Object.values(stage.queues)
    .map((q) => q.url)
    .join('\n                  ')}
For the AWS CLI or your own scripts:
${exportBlock(stackEnvironment(emulators, stage))}
  e.g. aws dynamodb scan --table-name ${stage.tables.aggregates} --endpoint-url ${emulators.dynamodbEndpoint}`);
}

let stopping = false;

async function interrupted(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  if (stopping) return; // a second Ctrl-C while stopping: stopping is already under way
  stopping = true;
  console.error(`\n${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'}: stopping the emulators…`);
  await stopAllEmulators().catch(() => undefined);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await stopAllEmulators().catch(() => undefined);
    process.exit(1);
  },
);
