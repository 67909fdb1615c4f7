// Results (and dead-lettered posts' reasons) from the DynamoDB streams into the users' PostgreSQL table. A batch is
// one UPDATE per kind (src/postgres/results-writer.ts), guarded so an older result never replaces a newer one,
// which also makes a retried or replayed batch harmless. A dropped connection, a restarting server or a row
// locked past lock_timeout is retried here with backoff while the invocation has time; then the batch fails as a
// whole and the mapping retries it (bisecting), finally sending it to the stream-failure queue with the reason.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type pg from 'pg';
import { loadPostgresSink, type PostgresSinkConfig } from '../config.js';
import { SinkResultSchema } from '../domain/results.js';
import { FailureRecordSchema, failureText } from '../domain/failure-records.js';
import { AppError, errorMessage } from '../errors.js';
import { RetrySchedule, type BackoffOptions } from '../aws/backoff.js';
import { postgresPool } from '../postgres/pool.js';
import { isTransientPostgresError } from '../postgres/transient.js';
import {
  describeSinkTable,
  fitsIdColumn,
  writeFailures,
  writeResults,
  type FailureRow,
  type ResultRow,
  type SinkTable,
} from '../postgres/results-writer.js';
import { failWholeBatchIfUnnamed, recordsOf } from './batch-records.js';
import { MetricName, MetricUnit, addCountWithDimension, logger, metrics } from '../observability.js';

/** Why the sink did not write a batch (the RecordsFailed metric's reason, the failure queue's detail). */
export type SinkFailureReason = 'invalid-stream-record' | 'postgres-unavailable' | 'postgres-rejected';

export class SinkFailure extends AppError {
  constructor(
    readonly reason: SinkFailureReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${reason}: ${message}`, options);
  }
}

export interface PostgresSinkOptions {
  /** Default: loadPostgresSink() (the environment) on first use. */
  sink?: PostgresSinkConfig;
  /** Default: the process's shared pool for the sink's connection. */
  pool?: () => Promise<pg.Pool>;
  /** Retries of a transient failure within one invocation. Default: up to 20 s, less the invocation's margin. */
  backoff?: BackoffOptions;
}

export type PostgresSinkBatch = (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse>;

type Planned = { kind: 'result'; row: ResultRow } | { kind: 'failure'; row: FailureRow; at: string };

/** What a stream record asks for: a result, a failure reason, nothing (a REMOVE), or why it is unreadable. */
function plan(record: DynamoDBRecord): Planned | 'nothing' | SinkFailure {
  if (record.eventName === 'REMOVE') return 'nothing';
  const image = record.dynamodb?.NewImage;
  if (!image) return new SinkFailure('invalid-stream-record', `${record.eventName} without NewImage`);
  let item: Record<string, unknown>;
  try {
    item = unmarshall(image as Record<string, AttributeValue>);
  } catch (error) {
    return new SinkFailure('invalid-stream-record', `NewImage is not a DynamoDB item: ${errorMessage(error)}`);
  }
  const result = SinkResultSchema.safeParse(item);
  if (result.success) {
    const { postId, label, score, modelId, classifiedAt } = result.data;
    return { kind: 'result', row: { postId, label, score, modelId, scoredAt: classifiedAt } };
  }
  const failure = FailureRecordSchema.safeParse(item);
  if (failure.success)
    return {
      kind: 'failure',
      row: { postId: failure.data.postId, failure: failureText(failure.data) },
      at: failure.data.failedAt,
    };
  return new SinkFailure(
    'invalid-stream-record',
    `neither a result nor a failure record: ` +
      result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
  );
}

/** One row per post: the newest result, else the newest failure. */
function newestPerPost(planned: Planned[]): { results: ResultRow[]; failures: FailureRow[] } {
  const results = new Map<string, ResultRow>();
  const failures = new Map<string, { row: FailureRow; at: string }>();
  for (const step of planned) {
    if (step.kind === 'result') {
      const held = results.get(step.row.postId);
      if (!held || Date.parse(held.scoredAt) <= Date.parse(step.row.scoredAt)) results.set(step.row.postId, step.row);
    } else {
      const held = failures.get(step.row.postId);
      if (!held || held.at <= step.at) failures.set(step.row.postId, step);
    }
  }
  for (const postId of results.keys()) failures.delete(postId);
  return { results: [...results.values()], failures: [...failures.values()].map((f) => f.row) };
}

export function createPostgresSinkBatch(options: PostgresSinkOptions = {}): PostgresSinkBatch {
  let table: Promise<SinkTable> | undefined;
  const tableOf = (db: pg.Pool, sink: PostgresSinkConfig) =>
    (table ??= describeSinkTable(db, sink).catch((error) => {
      table = undefined; // a column added meanwhile is found next time
      throw error;
    }));

  return async (event, context) => {
    const sink = options.sink ?? loadPostgresSink();
    const { records, unusable } = recordsOf<DynamoDBRecord>(event);
    const outcomes = new Map<DynamoDBRecord, Planned | 'nothing' | SinkFailure>();
    for (const record of records) outcomes.set(record, plan(record));
    const planned = [...outcomes.values()].filter((o): o is Planned => o !== 'nothing' && !(o instanceof SinkFailure));
    const { results, failures } = newestPerPost(planned);

    const written = { results: 0, failures: 0, notUpdated: 0 };
    if (results.length + failures.length > 0) {
      const schedule = new RetrySchedule(
        options.backoff ?? {
          attempts: 0,
          baseMs: 100,
          maxMs: 2_000,
          retryForMs: Math.max(0, Math.min(20_000, (context?.getRemainingTimeInMillis?.() ?? 25_000) - 5_000)),
        },
      );
      for (;;) {
        try {
          const db = await (options.pool ?? (() => postgresPool(sink.connection)))();
          const shape = await tableOf(db, sink);
          const fit = <T extends { postId: string }>(rows: T[]) => rows.filter((r) => fitsIdColumn(shape, r.postId));
          written.results = (await writeResults(db, shape, fit(results))).length;
          written.failures = (await writeFailures(db, shape, fit(failures))).length;
          written.notUpdated =
            results.length + (shape.quoted.failure ? failures.length : 0) - written.results - written.failures;
          break;
        } catch (error) {
          const transient = isTransientPostgresError(error);
          if (transient && (await schedule.beforeRetry())) {
            logger.warn('PostgreSQL write failed; retrying', { error: errorMessage(error) });
            continue;
          }
          const failure = transient
            ? new SinkFailure('postgres-unavailable', `${errorMessage(error)} (${schedule.describe()})`, {
                cause: error,
              })
            : new SinkFailure('postgres-rejected', errorMessage(error), { cause: error });
          addCountWithDimension(MetricName.RecordsFailed, 'reason', failure.reason, records.length);
          logger.error('PostgreSQL sink batch failed', { batchSize: records.length, error: failure.message });
          throw failure; // the whole batch: the mapping retries it, then reports it to the stream-failure queue
        }
      }
    }

    // Unreadable records fail by their sequence number (retried, then to the stream-failure queue); the rest is done.
    const answer = async (record: DynamoDBRecord) => {
      const outcome = outcomes.get(record);
      if (outcome instanceof SinkFailure) throw outcome;
    };
    const processed = await processPartialResponse(
      { Records: records },
      answer,
      new BatchProcessor(EventType.DynamoDBStreams),
      { context, processInParallel: false, throwOnFullBatchFailure: false },
    );
    const invalid = [...outcomes].filter(([, o]) => o instanceof SinkFailure);
    const unnamed = invalid.filter(([record]) => !record.dynamodb?.SequenceNumber).length;
    addCountWithDimension(MetricName.RecordsFailed, 'reason', 'invalid-stream-record', invalid.length);
    metrics.addMetric(MetricName.PostgresRowsUpdated, MetricUnit.Count, written.results + written.failures);
    metrics.addMetric(MetricName.PostgresRowsNotUpdated, MetricUnit.Count, written.notUpdated);
    (invalid.length > 0 ? logger.warn.bind(logger) : logger.info.bind(logger))('Wrote stream batch to PostgreSQL', {
      batchSize: records.length + unusable,
      table: sink.table,
      results: results.length,
      failures: failures.length,
      rowsUpdated: written.results + written.failures,
      rowsNotUpdated: written.notUpdated,
      invalid: invalid
        .slice(0, 20)
        .map(([record, o]) => ({ eventID: record.eventID, error: (o as SinkFailure).message })),
    });
    return failWholeBatchIfUnnamed(processed, unusable + unnamed);
  };
}
