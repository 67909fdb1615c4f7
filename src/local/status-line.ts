// The serve's one-line status: where every post is (queued, in flight, scored, in the DLQ, aggregated),
// read from the emulators themselves, so posts from any client count. On a terminal the line is
// redrawn in place; elsewhere (CI logs, a pipe) each update is a line of its own.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { scanItems } from '../aws/dynamodb.js';
import { queueDepth } from '../aws/sqs-queues.js';
import { sourceDayKey } from '../domain/aggregation.js';
import { TABLES } from '../resources.js';
import type { ProvisionedStage } from './provision.js';

export interface PipelineStatus {
  /** Classify queue: waiting (visible or delayed) and received but not yet deleted. */
  queued: number;
  inFlight: number;
  /** Items in the results table. */
  scored: number;
  /** Messages in the classify DLQ. */
  deadLettered: number;
  /** Posts counted by the per-source aggregates. */
  aggregated: number;
}

const SOURCE_PK_PREFIX = sourceDayKey('', '').pk;

export async function readPipelineStatus(
  clients: { sqs: SQSClient },
  stage: ProvisionedStage,
): Promise<PipelineStatus> {
  const [queue, dlq, scored, aggregated] = await Promise.all([
    queueDepth(clients.sqs, stage.queues.classify.url),
    queueDepth(clients.sqs, stage.queues.classifyDlq.url),
    countItems(stage.tables.results),
    countAggregated(stage.tables.aggregates),
  ]);
  return {
    queued: queue.visible + queue.delayed,
    inFlight: queue.inFlight,
    scored,
    deadLettered: dlq.visible + dlq.delayed + dlq.inFlight,
    aggregated,
  };
}

export function formatStatus(status: PipelineStatus): string {
  return (
    `queued ${status.queued} | in flight ${status.inFlight} | scored ${status.scored} | ` +
    `in the DLQ ${status.deadLettered} | aggregated ${status.aggregated}`
  );
}

async function countItems(table: string): Promise<number> {
  let count = 0;
  for await (const _ of scanItems(table, { ProjectionExpression: TABLES.results.partitionKey })) count += 1;
  return count;
}

async function countAggregated(table: string): Promise<number> {
  let count = 0;
  const items = scanItems(table, {
    FilterExpression: 'begins_with(pk, :source)',
    ProjectionExpression: '#count',
    ExpressionAttributeNames: { '#count': 'count' },
    ExpressionAttributeValues: { ':source': SOURCE_PK_PREFIX },
  });
  for await (const item of items) count += Number(item.count ?? 0);
  return count;
}

/** One line redrawn in place on a TTY; on anything else, every update and message is its own line. */
export class StatusLine {
  private current = '';

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  get inPlace(): boolean {
    return this.out.isTTY === true;
  }

  /** Replaces the status (a TTY redraws it; elsewhere it is printed as a line). */
  update(status: string): void {
    this.current = status;
    if (this.inPlace) this.out.write(`\r\x1b[2K${status}`);
    else this.out.write(`${status}\n`);
  }

  /** Prints a message above the status line. */
  log(message: string): void {
    if (this.inPlace) this.out.write(`\r\x1b[2K${message}\n${this.current}`);
    else this.out.write(`${message}\n`);
  }

  /** Leaves the last status on screen and moves to a new line. */
  end(): void {
    if (this.inPlace && this.current) this.out.write('\n');
    this.current = '';
  }
}
