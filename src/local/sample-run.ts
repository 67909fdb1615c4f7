// The one-shot local run behind `npm start`: emulators up, a stage provisioned, the sample (or --input) ingested
// with the producer, the real handlers run by local event source mappings until idle, then the aggregates and an
// account of every post: scored, in the DLQ (with reasons), or rejected at ingest (with reasons).
import { sendMessage } from '../aws/sqs-queues.js';
import { SingleBar, Presets } from 'cli-progress';
import { startEmulators, stopAllEmulators, type Emulators } from './emulators.js';
import { provision, type ProvisionedStage } from './provision.js';
import { applyEnvironment, exportBlock, stackEnvironment } from './environment.js';
import { localClients } from './clients.js';
import { pipelineEventSources, runUntilIdle } from './event-sources.js';
import type { SqsBatchResult } from '../event-sources/sqs-event-source.js';
import type { StreamBatchResult } from '../event-sources/stream-event-source.js';
import { generateSamplePosts } from './sample-posts.js';
import { collectRunReport, formatAggregates, type DeadLetterSummary } from './run-report.js';
import { formatLanguageMix } from '../ops/language-mix.js';

const POISON_MESSAGES = ['this is not JSON {', JSON.stringify({ v: 99, postId: 'from-the-future' })];

export interface SampleRunOptions {
  input?: string;
  visibilityTimeoutSeconds: number;
  verbose?: boolean;
  /** Leave the emulators running after the report, until Ctrl-C. */
  keep?: boolean;
}

/** Answers the exit code: 0 when every enqueued message is accounted for and the aggregates count each post once. */
export async function runSample(options: SampleRunOptions): Promise<number> {
  const started = Date.now();
  const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void interrupted(signal));

  console.log('Starting DynamoDB Local and fauxqs…');
  const emulators = await startEmulators();
  const stage = await provision(emulators, {
    stage: 'local',
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
  });
  applyEnvironment(stackEnvironment(emulators, stage));
  // The handlers' own JSON logs and EMF metrics drown the summary; warnings and errors still show.
  if (!options.verbose) applyEnvironment({ POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' });
  const clients = localClients(emulators);
  console.log(
    `  ready in ${seconds(started)} s (DynamoDB ${emulators.dynamodbEndpoint}, SQS ${emulators.sqsEndpoint})`,
  );

  // Imported only now: the handlers and the producer read their config and endpoints from the environment just set.
  const { ingestPosts, readPostsFile } = await import('../producer/ingest.js');
  const { handler: classify } = await import('../../handlers/classify.js');
  const { handler: aggregate } = await import('../../handlers/aggregate.js');

  const ingestStarted = Date.now();
  const rows = options.input ? readPostsFile(options.input) : generateSamplePosts().rows;
  console.log(`Ingesting ${options.input ?? 'the built-in sample'}…`);
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
  if (options.keep) {
    keepRunning(emulators, stage);
    return new Promise(() => undefined); // until Ctrl-C
  }
  await stopAllEmulators();
  return accounted && aggregatesMatch ? 0 : 1;
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
