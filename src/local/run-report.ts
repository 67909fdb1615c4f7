// What a local run produced, read back from the emulators: aggregates per source and day, how many
// posts were scored, and what is in the DLQ and the stream-failure queue (with the reasons).
import type { SQSClient } from '@aws-sdk/client-sqs';
import { receiveMessages } from '../aws/sqs-queues.js';
import { scanItems } from '../aws/dynamodb.js';
import { decodeAggregateRow, type Counters } from '../domain/aggregation.js';
import { DLQ_ATTRIBUTES } from '../domain/failures.js';
import { LABELS } from '../domain/sentiment.js';
import { tallyLanguageMix, type LanguageMixDay } from '../ops/language-mix.js';
import { QUEUES } from '../resources.js';
import type { ProvisionedStage } from './provision.js';

export type AggregateRow = {
  /** undefined for the all-sources aggregate of a day. */
  source?: string;
  day: string;
  meanScore: number;
} & Omit<Counters, 'scoreSum'>;

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

/** Reads through the shared clients of src/aws (the local runner points the environment at the stage first). */
export async function collectRunReport(clients: { sqs: SQSClient }, stage: ProvisionedStage): Promise<RunReport> {
  const aggregates: AggregateRow[] = [];
  for await (const item of scanItems(stage.tables.aggregates)) {
    const row = decodeAggregateRow(item); // undefined for idempotency markers
    if (!row) continue;
    const { scoreSum, ...counts } = row.counters;
    aggregates.push({
      source: row.source,
      day: row.day,
      ...counts,
      meanScore: counts.count > 0 ? scoreSum / counts.count : 0,
    });
  }
  const isAll = (row: AggregateRow) => (row.source === undefined ? 1 : 0);
  aggregates.sort(
    (a, b) => isAll(a) - isAll(b) || (a.source ?? '').localeCompare(b.source ?? '') || a.day.localeCompare(b.day),
  );

  const results: Array<Record<string, unknown>> = [];
  for await (const item of scanItems(stage.tables.results)) results.push(item);

  return {
    aggregates,
    scored: results.length,
    languageMix: tallyLanguageMix(results),
    dlq: await summariseQueue(clients.sqs, stage.queues.classifyDlq.url, DLQ_ATTRIBUTES.reason),
    streamFailures: await summariseQueue(clients.sqs, stage.queues.streamFailures.url, 'failureReason'),
  };
}

/**
 * Reads every message of a queue without deleting it (each stays invisible for a minute, so it is
 * counted once; it is visible again afterwards for whoever pokes at a kept stack).
 */
async function summariseQueue(sqs: SQSClient, queueUrl: string, reasonAttribute: string): Promise<DeadLetterSummary> {
  const reasons = new Map<string, number>();
  let count = 0;
  for (;;) {
    const messages = await receiveMessages(sqs, queueUrl, { max: 10, waitSeconds: 0, visibilityTimeoutSeconds: 60 });
    if (messages.length === 0) return { count, reasons };
    for (const message of messages) {
      count += 1;
      const reason =
        message.MessageAttributes?.[reasonAttribute]?.StringValue ??
        // No reason attribute: SQS moved it after maxReceiveCount receives (a retryable failure that never succeeded).
        `exceeded maxReceiveCount (${QUEUES.classify.maxReceiveCount} receives)`;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
}

/** Aggregates as a fixed-width table (one line per source and day; the all-sources rows last). */
export function formatAggregates(rows: AggregateRow[]): string {
  const header = ['source', 'day', 'count', ...LABELS, 'mean score'];
  const cells = rows.map((r) => [
    r.source ?? '(all sources)',
    r.day,
    String(r.count),
    ...LABELS.map((label) => String(r[label])),
    (r.meanScore >= 0 ? '+' : '') + r.meanScore.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]) =>
    values.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
