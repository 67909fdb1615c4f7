// Keep the aggregates in step with the results table's stream, exactly once under retries: each stream
// record's deltas are applied in one transaction together with an idempotency marker keyed by its
// eventID, so a record the Lambda sees again (a retried or replayed batch) changes nothing.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { loadConfig, type Config } from '../config.js';
import { FUNCTIONS, TABLES } from '../resources.js';
import { deltasForChange, markerKey } from '../domain/aggregation.js';
import { CountedResultSchema, type CountedResult } from '../domain/results.js';
import { applyDeltasOnce } from '../aws/dynamodb.js';
import { failWholeBatchIfUnnamed, recordsOf } from './batch-records.js';
import { MetricName, MetricUnit, addCountWithDimension, logger, metrics } from '../observability.js';

export type AggregateOutcome = 'applied' | 'replay-skipped' | 'no-change';

/** A stream record that can never be counted (bad shape or image): reported as a failure, never guessed at. */
export class InvalidStreamRecord extends Error {
  constructor(message: string) {
    super(`invalid-stream-record: ${message}`);
    this.name = 'InvalidStreamRecord';
  }
}

function imageOf(record: DynamoDBRecord, which: 'OldImage' | 'NewImage'): CountedResult {
  const image = record.dynamodb?.[which];
  if (!image || typeof image !== 'object') throw new InvalidStreamRecord(`${record.eventName} without ${which}`);
  let item: Record<string, unknown>;
  try {
    item = unmarshall(image as Record<string, AttributeValue>);
  } catch (error) {
    throw new InvalidStreamRecord(`${which} is not a DynamoDB item: ${(error as Error).message}`);
  }
  const parsed = CountedResultSchema.safeParse(item);
  if (!parsed.success) throw new InvalidStreamRecord(`${which}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The images a change subtracts and adds: INSERT adds, MODIFY subtracts old and adds new, REMOVE subtracts. */
function change(record: DynamoDBRecord): { before?: CountedResult; after?: CountedResult } {
  switch (record.eventName) {
    case 'INSERT': return { after: imageOf(record, 'NewImage') };
    case 'MODIFY': return { before: imageOf(record, 'OldImage'), after: imageOf(record, 'NewImage') };
    case 'REMOVE': return { before: imageOf(record, 'OldImage') };
    default: throw new InvalidStreamRecord(`unknown eventName ${JSON.stringify(record.eventName)}`);
  }
}

export interface AggregateOptions {
  /** Defaults to loadConfig() at each record (cheap; tests may point the environment at a new stage). */
  config?: Config;
  now?: () => Date;
}

/** The per-record function: applies one stream record to the aggregates, at most once. */
export function createAggregateRecord(options: AggregateOptions = {}): (record: DynamoDBRecord) => Promise<AggregateOutcome> {
  const now = options.now ?? (() => new Date());
  return async (record) => {
    const config = options.config ?? loadConfig();
    if (typeof record?.eventID !== 'string' || record.eventID === '') throw new InvalidStreamRecord('no eventID');
    const { before, after } = change(record);
    const deltas = deltasForChange(before, after);
    if (deltas.length === 0) return 'no-change';
    const at = now();
    const outcome = await applyDeltasOnce(config.tables.aggregates, {
      key: markerKey(record.eventID),
      ttlAttribute: TABLES.aggregates.ttlAttribute,
      expiresAt: Math.floor(at.getTime() / 1000) + FUNCTIONS.aggregate.markerTtlSeconds,
      attributes: { eventName: record.eventName, postId: (after ?? before)!.postId, appliedAt: at.toISOString() },
    }, deltas, at);
    if (outcome === 'already-applied') return 'replay-skipped';
    metrics.addMetric(MetricName.AggregateUpdates, MetricUnit.Count, deltas.length);
    return 'applied';
  };
}

export type AggregateBatch = (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse>;

/** Processes a stream batch sequentially (in stream order) and answers a partial batch response. */
export function createAggregateBatch(options: AggregateOptions = {}): AggregateBatch {
  const aggregateRecord = createAggregateRecord(options);
  return async (event, context) => {
    const { records, unusable } = recordsOf<DynamoDBRecord>(event);
    const outcomes = { applied: 0, 'replay-skipped': 0, 'no-change': 0 };
    const failures: Array<{ eventID?: string; sequenceNumber?: string; reason: string; error: string }> = [];
    const processRecord = async (record: DynamoDBRecord) => {
      try {
        outcomes[await aggregateRecord(record)]++;
      } catch (error) {
        const reason = error instanceof InvalidStreamRecord ? 'invalid-stream-record' : 'aggregate-write-failed';
        failures.push({ eventID: record?.eventID, sequenceNumber: record?.dynamodb?.SequenceNumber, reason, error: (error as Error).message });
        throw error;
      }
    };
    // A fresh processor per invocation: safe even if a local runner invokes the handler concurrently.
    const processed = await processPartialResponse({ Records: records }, processRecord, new BatchProcessor(EventType.DynamoDBStreams), {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
    // The batch utility leaves out failed records without a sequence number; they fail the whole batch
    // instead (the markers make the retry safe) rather than being skipped silently.
    const response = failWholeBatchIfUnnamed(processed, unusable + failures.filter((f) => !f.sequenceNumber).length);

    metrics.addMetric(MetricName.ReplaysSkipped, MetricUnit.Count, outcomes['replay-skipped']);
    const byReason = new Map<string, number>();
    for (const { reason } of failures) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    for (const [reason, count] of byReason) addCountWithDimension(MetricName.RecordsFailed, 'reason', reason, count);
    const log = failures.length > 0 ? logger.warn.bind(logger) : logger.info.bind(logger);
    log('Aggregated stream batch', { batchSize: records.length + unusable, unusableRecords: unusable || undefined, ...outcomes, failed: failures.length, failures: failures.slice(0, 20) });
    return response;
  };
}
