// What a local run produced, read back from the emulators: aggregates per source and day, how many
// posts were scored, and what is in the DLQ and the stream-failure queue (with the reasons).
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DLQ_ATTRIBUTES } from '../domain/failures.js';
import { tallyLanguageMix, type LanguageMixDay } from '../ops/language-mix.js';
import { QUEUES } from '../resources.js';
import type { ProvisionedStage } from './provision.js';

export interface AggregateRow {
  /** '*' for the all-sources aggregate of a day. */
  source: string;
  day: string;
  count: number;
  negative: number;
  neutral: number;
  positive: number;
  meanScore: number;
}

export interface DeadLetterSummary {
  count: number;
  /** Count per reason (the classify function's failureReason attribute, or the redrive by receive count). */
  reasons: Map<string, number>;
}

export interface RunReport {
  aggregates: AggregateRow[];
  scored: number;
  /** Scored posts per detected language per day. */
  languageMix: LanguageMixDay[];
  dlq: DeadLetterSummary;
  streamFailures: DeadLetterSummary;
}

export async function collectRunReport(
  clients: { documents: DynamoDBDocumentClient; sqs: SQSClient },
  stage: ProvisionedStage,
): Promise<RunReport> {
  const aggregates: AggregateRow[] = [];
  for await (const item of scan(clients.documents, stage.tables.aggregates)) {
    if (!String(item.pk).startsWith('SOURCE#') && item.pk !== 'ALL') continue; // idempotency markers
    const count = Number(item.count ?? 0);
    aggregates.push({
      source: String(item.source ?? '*'),
      day: String(item.day ?? String(item.sk).replace(/^DAY#/, '')),
      count,
      negative: Number(item.negative ?? 0),
      neutral: Number(item.neutral ?? 0),
      positive: Number(item.positive ?? 0),
      meanScore: count > 0 ? Number(item.scoreSum ?? 0) / count : 0,
    });
  }
  aggregates.sort((a, b) => (a.source === '*' ? 1 : 0) - (b.source === '*' ? 1 : 0) || a.source.localeCompare(b.source) || a.day.localeCompare(b.day));

  const results: Array<Record<string, unknown>> = [];
  for await (const item of scan(clients.documents, stage.tables.results)) results.push(item);

  return {
    aggregates,
    scored: results.length,
    languageMix: tallyLanguageMix(results),
    dlq: await summariseQueue(clients.sqs, stage.queues.classifyDlq.url, DLQ_ATTRIBUTES.reason),
    streamFailures: await summariseQueue(clients.sqs, stage.queues.streamFailures.url, 'failureReason'),
  };
}

async function* scan(documents: DynamoDBDocumentClient, table: string): AsyncGenerator<Record<string, unknown>> {
  for await (const page of paginateScan({ client: documents }, { TableName: table })) yield* page.Items ?? [];
}

/**
 * Reads every message of a queue without deleting it (each stays invisible for a minute, so it is
 * counted once; it is visible again afterwards for whoever pokes at a kept stack).
 */
async function summariseQueue(sqs: SQSClient, queueUrl: string, reasonAttribute: string): Promise<DeadLetterSummary> {
  const reasons = new Map<string, number>();
  let count = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
    }));
    if (Messages.length === 0) return { count, reasons };
    for (const message of Messages) {
      count += 1;
      const reason = message.MessageAttributes?.[reasonAttribute]?.StringValue
        // No reason attribute: SQS moved it after maxReceiveCount receives (a retryable failure that never succeeded).
        ?? `exceeded maxReceiveCount (${QUEUES.classify.maxReceiveCount} receives)`;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
}

/** Aggregates as a fixed-width table (one line per source and day; the all-sources rows last). */
export function formatAggregates(rows: AggregateRow[]): string {
  const header = ['source', 'day', 'count', 'negative', 'neutral', 'positive', 'mean score'];
  const cells = rows.map((r) => [r.source === '*' ? '(all sources)' : r.source, r.day, String(r.count), String(r.negative),
    String(r.neutral), String(r.positive), (r.meanScore >= 0 ? '+' : '') + r.meanScore.toFixed(3)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]) => values.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
