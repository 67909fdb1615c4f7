// Keep the aggregates in step with the results table's stream, exactly once under retries. A batch's
// deltas are merged in memory and applied with as few TransactWriteItems as the 100-action limit allows:
// one update per aggregate item, fenced by the shard's checkpoint (the last sequence number applied; the
// mapping's tumbling window makes each event name its shard), so a record the Lambda sees again (a
// retried or replayed batch) is at or below the checkpoint and changes nothing. Lambda delivers a shard's
// records in order the first time, which is what makes one number per shard enough. An event that names
// no shard falls back to one idempotency marker per record (keyed by eventID): exact, but a write each.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { loadTables, type Config } from '../config.js';
import { FUNCTIONS, TABLES } from '../resources.js';
import { deltasForChange, markerKey, sequenceOrder, shardCheckpointKey } from '../domain/aggregation.js';
import type { Fence, PlannedRecord } from '../domain/aggregate-batch.js';
import type { TransactionFence } from '../aws/fenced-transaction.js';
import { AggregateRecordFailure } from '../domain/failures.js';
import { CountedResultSchema, type CountedResult } from '../domain/results.js';
import type { BackoffOptions } from '../aws/backoff.js';
import { applyInTransactions, type RecordOutcome } from './aggregate-transactions.js';
import { failWholeBatchIfUnnamed, recordsOf } from './batch-records.js';
import { MetricName, MetricUnit, addCountWithDimension, logger, metrics } from '../observability.js';

export type AggregateOutcome = 'applied' | 'replay-skipped' | 'no-change';

const invalid = (message: string) => new AggregateRecordFailure('invalid-stream-record', message);

function imageOf(record: DynamoDBRecord, which: 'OldImage' | 'NewImage'): CountedResult {
  const image = record.dynamodb?.[which];
  if (!image || typeof image !== 'object') throw invalid(`${record.eventName} without ${which}`);
  let item: Record<string, unknown>;
  try {
    item = unmarshall(image as Record<string, AttributeValue>);
  } catch (error) {
    throw invalid(`${which} is not a DynamoDB item: ${(error as Error).message}`);
  }
  const parsed = CountedResultSchema.safeParse(item);
  if (!parsed.success)
    throw invalid(`${which}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The images a change subtracts and adds: INSERT adds, MODIFY subtracts old and adds new, REMOVE subtracts. */
function change(record: DynamoDBRecord): { before?: CountedResult; after?: CountedResult } {
  switch (record.eventName) {
    case 'INSERT':
      return { after: imageOf(record, 'NewImage') };
    case 'MODIFY':
      return { before: imageOf(record, 'OldImage'), after: imageOf(record, 'NewImage') };
    case 'REMOVE':
      return { before: imageOf(record, 'OldImage') };
    default:
      throw invalid(`unknown eventName ${JSON.stringify(record.eventName)}`);
  }
}

/** A record's deltas, 'no-change' when it moves no counter, or the reason it can never be counted. */
function plan(
  record: DynamoDBRecord,
  fence: Fence,
): PlannedRecord<DynamoDBRecord> | 'no-change' | AggregateRecordFailure {
  try {
    if (typeof record.eventID !== 'string' || record.eventID === '') throw invalid('no eventID');
    const sequence = sequenceOrder(record.dynamodb?.SequenceNumber);
    if (fence === 'checkpoint' && sequence === undefined) throw invalid('no stream SequenceNumber');
    const { before, after } = change(record);
    const deltas = deltasForChange(before, after);
    return deltas.length === 0
      ? 'no-change'
      : { eventId: record.eventID, sequence: sequence ?? '', deltas, ref: record };
  } catch (error) {
    if (error instanceof AggregateRecordFailure) return error;
    throw error;
  }
}

export interface AggregateOptions {
  /**
   * Defaults to the environment's tables at each batch (cheap; tests may point the environment at a new stage).
   * Only the tables: the classifier's settings are not this function's to validate.
   */
  config?: Pick<Config, 'tables'>;
  now?: () => Date;
  /** Actions per transaction (default and most: 100). Tests lower it to force splits. */
  maxTransactionItems?: number;
  backoff?: BackoffOptions;
}

/**
 * A stream event as a mapping with a tumbling window delivers it (Lambda's "services-ddb-windows"): it
 * names its shard. The window's state is not used (each batch is applied on its own), but the response
 * must carry one, or Lambda counts the invocation as failed.
 */
export interface StreamWindowEvent extends DynamoDBStreamEvent {
  shardId?: string;
  eventSourceARN?: string;
  window?: { start: string; end: string };
  state?: Record<string, unknown>;
  isFinalInvokeForWindow?: boolean;
  isWindowTerminatedEarly?: boolean;
}

export interface StreamWindowResponse extends DynamoDBBatchResponse {
  state?: Record<string, unknown>;
}

export type AggregateBatch = (event: StreamWindowEvent, context?: Context) => Promise<StreamWindowResponse>;

/** The shard the event names (a tumbling-window event) and its stream, or undefined. */
function shardOf(event: unknown, records: DynamoDBRecord[]): { streamArn: string; shardId: string } | undefined {
  const { shardId, eventSourceARN } = (event ?? {}) as StreamWindowEvent;
  if (typeof shardId !== 'string' || shardId === '') return undefined;
  const streamArn = eventSourceARN ?? records.find((r) => typeof r.eventSourceARN === 'string')?.eventSourceARN;
  return { streamArn: streamArn || 'unknown-stream', shardId };
}

/** The fence of a transaction of consecutive records: the shard's checkpoint when the event names one, else markers. */
function fenceFor(
  shard: { streamArn: string; shardId: string } | undefined,
  at: Date,
): (records: ReadonlyArray<PlannedRecord<DynamoDBRecord>>) => TransactionFence {
  const expiresAt = Math.floor(at.getTime() / 1000) + FUNCTIONS.aggregate.fenceTtlSeconds;
  if (shard) {
    const key = shardCheckpointKey(shard.streamArn, shard.shardId);
    return (records) => ({
      kind: 'checkpoint',
      checkpoint: { key, expiresAt, first: records[0].sequence, last: records[records.length - 1].sequence },
    });
  }
  return (records) => ({
    kind: 'markers',
    markers: records.map(({ eventId, ref }) => ({
      key: markerKey(eventId),
      expiresAt,
      attributes: {
        eventName: ref.eventName,
        postId: ref.dynamodb?.Keys?.[TABLES.results.partitionKey]?.S,
        appliedAt: at.toISOString(),
      },
    })),
  });
}

/** Applies a stream batch (merged, in transactions, in stream order) and answers a partial batch response. */
export function createAggregateBatch(options: AggregateOptions = {}): AggregateBatch {
  const now = options.now ?? (() => new Date());
  return async (event, context) => {
    const config = options.config ?? { tables: loadTables() };
    const at = now();
    const { records, unusable } = recordsOf<DynamoDBRecord>(event);
    const shard = shardOf(event, records);
    const fence: Fence = shard ? 'checkpoint' : 'markers';
    const outcomes = new Map<DynamoDBRecord, RecordOutcome>();
    const steps: Array<PlannedRecord<DynamoDBRecord>> = [];
    for (const record of records) {
      const step = plan(record, fence);
      if (step === 'no-change' || step instanceof AggregateRecordFailure) outcomes.set(record, step);
      else steps.push(step);
    }
    // A checkpoint needs stream order; a redelivered batch may come out of it (Lambda: "in order the first time").
    if (fence === 'checkpoint') steps.sort((a, b) => (a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0));
    const planned: Array<PlannedRecord<DynamoDBRecord>> = [];
    const eventIds = new Set<string>();
    for (const step of steps) {
      const again =
        eventIds.has(step.eventId) || (fence === 'checkpoint' && step.sequence === planned.at(-1)?.sequence);
      if (again)
        outcomes.set(step.ref, 'replay-skipped'); // the same record twice in one batch
      else {
        eventIds.add(step.eventId);
        planned.push(step);
      }
    }
    const run = await applyInTransactions(
      planned,
      {
        table: config.tables.aggregates,
        fence,
        fenceOf: fenceFor(shard, at),
        now: at,
        maxItems: options.maxTransactionItems,
        backoff: options.backoff,
        remainingMs: context?.getRemainingTimeInMillis?.bind(context),
      },
      outcomes,
    );

    // Powertools turns the outcomes into the stream partial batch response (failed sequence numbers).
    const counts = { applied: 0, 'replay-skipped': 0, 'no-change': 0 };
    const failures: Array<{ eventID?: string; sequenceNumber?: string; reason: string; error: string }> = [];
    const answer = async (record: DynamoDBRecord) => {
      const outcome = outcomes.get(record);
      if (outcome instanceof AggregateRecordFailure) {
        failures.push({
          eventID: record?.eventID,
          sequenceNumber: record?.dynamodb?.SequenceNumber,
          reason: outcome.reason,
          error: outcome.message,
        });
        throw outcome;
      }
      // A bug: fail it rather than acknowledge it.
      if (outcome === undefined) throw new Error('record left without an outcome');
      counts[outcome]++;
    };
    const processed = await processPartialResponse(
      { Records: records },
      answer,
      new BatchProcessor(EventType.DynamoDBStreams),
      {
        context,
        processInParallel: false,
        throwOnFullBatchFailure: false,
      },
    );
    // The batch utility leaves out failed records without a sequence number; they fail the whole batch
    // instead (the fence makes the retry safe) rather than being skipped silently.
    const response: StreamWindowResponse = failWholeBatchIfUnnamed(
      processed,
      unusable + failures.filter((f) => !f.sequenceNumber).length,
    );
    if (shard) response.state = {}; // a tumbling-window event: Lambda wants a state back

    metrics.addMetric(MetricName.AggregateUpdates, MetricUnit.Count, run.updates);
    metrics.addMetric(MetricName.ReplaysSkipped, MetricUnit.Count, counts['replay-skipped']);
    const byReason = new Map<string, number>();
    for (const { reason } of failures) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    for (const [reason, count] of byReason) addCountWithDimension(MetricName.RecordsFailed, 'reason', reason, count);
    const log = failures.length > 0 ? logger.warn.bind(logger) : logger.info.bind(logger);
    log('Aggregated stream batch', {
      batchSize: records.length + unusable,
      shardId: shard?.shardId,
      fence,
      unusableRecords: unusable || undefined,
      ...counts,
      failed: failures.length,
      ...run,
      failures: failures.slice(0, 20),
    });
    return response;
  };
}
