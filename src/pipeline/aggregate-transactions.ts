// Applies a stream batch's planned transactions in stream order, each exactly once: records its fence
// says were applied (the shard checkpoint is past them, or their markers exist) are dropped and the rest
// is applied again; throttles, conflicts, 5xx and
// network errors are retried with backoff and jitter within a bound (attempts, and the time the
// invocation has left). The first transaction that cannot be applied stops the batch: its records and
// every later one are answered as failures, so Lambda retries from there in stream order.
import { applyFencedTransaction, type TransactionFence } from '../aws/fenced-transaction.js';
import { backoffDelay, sleep, type BackoffOptions } from '../aws/backoff.js';
import {
  planTransactions,
  transactionOf,
  transactionItems,
  type Fence,
  type PlannedRecord,
} from '../domain/aggregate-batch.js';
import { AggregateRecordFailure } from '../domain/failures.js';

/** Conflicts and throttles usually clear within a few hundred ms; the bound keeps a batch well inside the timeout. */
export const AGGREGATE_BACKOFF: BackoffOptions = { attempts: 10, baseMs: 20, maxMs: 2_000 };
/** Stop retrying when the invocation has less than this left: answering a partial failure beats a timeout. */
const TIME_RESERVE_MS = 3_000;

export type RecordOutcome = 'applied' | 'replay-skipped' | 'no-change' | AggregateRecordFailure;

export interface TransactionRunOptions<T> {
  table: string;
  fence: Fence;
  /** The fence's actions for a transaction of these records (consecutive, in stream order). */
  fenceOf: (records: ReadonlyArray<PlannedRecord<T>>) => TransactionFence;
  now: Date;
  maxItems?: number;
  backoff?: BackoffOptions;
  /** Milliseconds the invocation has left (Lambda's context.getRemainingTimeInMillis). */
  remainingMs?: () => number;
}

export interface TransactionRunSummary {
  /** Committed transactions. */
  transactions: number;
  /** Aggregate item updates committed. */
  updates: number;
  /** Actions committed (fence + updates): on AWS each costs 2 write units per KB. */
  actions: number;
  /** Attempts that were cancelled by their fence (applied before), throttled or conflicting. */
  retries: number;
  /**
   * Write units DynamoDB reported for the committed transactions (DynamoDB Local: 4 per transaction, whatever
   * its size).
   */
  writeUnits: number;
}

export async function applyInTransactions<T>(
  records: ReadonlyArray<PlannedRecord<T>>,
  options: TransactionRunOptions<T>,
  outcomes: Map<T, RecordOutcome>,
): Promise<TransactionRunSummary> {
  const summary: TransactionRunSummary = { transactions: 0, updates: 0, actions: 0, retries: 0, writeUnits: 0 };
  const plan = planTransactions(records, options.fence, options.maxItems);
  for (const [index, planned] of plan.entries()) {
    const failure = await applyOne(planned.records, options, outcomes, summary);
    if (!failure) continue;
    for (const record of planned.records) if (!outcomes.has(record.ref)) outcomes.set(record.ref, failure);
    const deferred = new AggregateRecordFailure(
      'aggregate-write-deferred',
      `an earlier transaction of this batch failed (${failure.message})`,
    );
    for (const later of plan.slice(index + 1)) for (const record of later.records) outcomes.set(record.ref, deferred);
    break;
  }
  return summary;
}

/** One planned transaction, retried until applied; answers the failure that stopped it, if any. */
async function applyOne<T>(
  records: Array<PlannedRecord<T>>,
  options: TransactionRunOptions<T>,
  outcomes: Map<T, RecordOutcome>,
  summary: TransactionRunSummary,
): Promise<AggregateRecordFailure | undefined> {
  const backoff = options.backoff ?? AGGREGATE_BACKOFF;
  let pending = records;
  for (let failedAttempts = 0; pending.length > 0; ) {
    const transaction = transactionOf(pending);
    const answer = await applyFencedTransaction(
      options.table,
      options.fenceOf(pending),
      transaction.deltas,
      options.now,
    );
    switch (answer.outcome) {
      case 'applied':
        for (const record of pending) outcomes.set(record.ref, 'applied');
        summary.transactions += 1;
        summary.updates += transaction.deltas.length;
        summary.actions += transactionItems(transaction, options.fence);
        summary.writeUnits += answer.writeUnits;
        return undefined;
      case 'markers-exist': {
        // Those records were applied by an earlier delivery: drop them and apply the rest (progress, not a
        // failed attempt).
        const existing = new Set(answer.markers);
        for (const i of existing) outcomes.set(pending[i].ref, 'replay-skipped');
        pending = pending.filter((_, i) => !existing.has(i));
        summary.retries += 1;
        break;
      }
      case 'checkpoint-passed': {
        // The shard's records up to the checkpoint were applied by an earlier delivery: the same, in stream order.
        const applied = pending.filter((record) => record.sequence <= answer.appliedThrough);
        if (applied.length === 0)
          return new AggregateRecordFailure(
            'aggregate-write-failed',
            `checkpoint ${answer.appliedThrough} refused records it is not past (from ${pending[0].sequence})`,
          );
        for (const record of applied) outcomes.set(record.ref, 'replay-skipped');
        pending = pending.slice(applied.length);
        summary.retries += 1;
        break;
      }
      case 'retry': {
        failedAttempts += 1;
        summary.retries += 1;
        const delay = backoffDelay(failedAttempts, backoff);
        if (
          failedAttempts >= backoff.attempts ||
          (options.remainingMs && options.remainingMs() < delay + TIME_RESERVE_MS)
        ) {
          return new AggregateRecordFailure(
            'aggregate-write-failed',
            `transaction of ${transactionItems(transaction, options.fence)} items ` +
              `still failing after ${failedAttempts} attempts: ${answer.error}`,
          );
        }
        await sleep(delay);
        break;
      }
      case 'rejected':
        return new AggregateRecordFailure(
          'aggregate-write-failed',
          `transaction of ${transactionItems(transaction, options.fence)} items rejected: ${answer.error}`,
        );
    }
  }
  return undefined;
}
