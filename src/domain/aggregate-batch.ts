// How one stream batch becomes as few transactions as possible: the batch's deltas merged per aggregate
// item, cut into transactions of at most TRANSACTION_ITEM_LIMIT items in stream order, each fenced
// against a second application either by its shard's checkpoint (one action per transaction) or by one
// idempotency marker per record. A record always goes in the same transaction as all of its deltas.
import { keyId, mergeDeltas, type AggregateDelta } from './aggregation.js';

/** DynamoDB TransactWriteItems takes at most 100 actions. */
export const TRANSACTION_ITEM_LIMIT = 100;
/** A record touches at most four aggregates (a MODIFY moving source and day) plus its marker. */
const MOST_ITEMS_PER_RECORD = 5;

/**
 * What keeps a transaction exactly-once: `checkpoint`, one conditional update of the shard's last applied
 * sequence number (events that name their shard: a tumbling-window mapping); `markers`, one conditional
 * Put per record keyed by its eventID (any other event).
 */
export type Fence = 'checkpoint' | 'markers';

export interface PlannedRecord<T = unknown> {
  /** The stream record's eventID: its marker's key. Unique within a plan. */
  eventId: string;
  /** Its sequence number as sequenceOrder() gives it (fixed width): what a checkpoint compares. */
  sequence: string;
  deltas: readonly AggregateDelta[];
  /** Whatever the caller needs back (the record itself). */
  ref: T;
}

export interface PlannedTransaction<T = unknown> {
  records: Array<PlannedRecord<T>>;
  /** The records' deltas merged per aggregate item, zero sums dropped: one update action each. */
  deltas: AggregateDelta[];
}

/** Actions that fence `records`: one checkpoint, or a marker each. */
function fenceItems(fence: Fence, records: number): number {
  return fence === 'checkpoint' ? 1 : records;
}

/** Fence plus updates: the transaction's action count. */
export function transactionItems(transaction: PlannedTransaction, fence: Fence): number {
  return fenceItems(fence, transaction.records.length) + transaction.deltas.length;
}

/** The transaction of these records: their markers and their deltas merged. */
export function transactionOf<T>(records: Array<PlannedRecord<T>>): PlannedTransaction<T> {
  return { records, deltas: mergeDeltas(records.flatMap((record) => record.deltas)) };
}

/**
 * Cuts records (in stream order) into consecutive transactions of at most `maxItems` actions each. A
 * record joins the current transaction unless its fence (a marker; nothing more under a checkpoint) and
 * any aggregate the transaction does not touch yet would take it past the limit. Keeping the records
 * consecutive keeps stream order across transactions: a MODIFY is never applied before the INSERT of the
 * same post that precedes it, and each checkpoint only moves forward.
 */
export function planTransactions<T>(
  records: ReadonlyArray<PlannedRecord<T>>,
  fence: Fence,
  maxItems = TRANSACTION_ITEM_LIMIT,
): Array<PlannedTransaction<T>> {
  if (!(maxItems >= MOST_ITEMS_PER_RECORD))
    throw new RangeError(`a transaction must hold at least ${MOST_ITEMS_PER_RECORD} items, got ${maxItems}`);
  const eventIds = new Set<string>();
  const groups: Array<Array<PlannedRecord<T>>> = [];
  let current: Array<PlannedRecord<T>> = [];
  let keys = new Set<string>();
  let previous = '';
  for (const record of records) {
    if (eventIds.has(record.eventId)) throw new Error(`eventID ${record.eventId} twice in one plan`);
    eventIds.add(record.eventId);
    if (fence === 'checkpoint' && !(record.sequence > previous))
      throw new Error(
        `sequence number ${record.sequence} after ${previous}: a checkpointed plan must be in stream order`,
      );
    previous = record.sequence;
    const added = record.deltas.map((delta) => keyId(delta.key)).filter((id) => !keys.has(id));
    if (current.length > 0 && fenceItems(fence, current.length + 1) + keys.size + new Set(added).size > maxItems) {
      groups.push(current);
      current = [];
      keys = new Set();
    }
    current.push(record);
    for (const delta of record.deltas) keys.add(keyId(delta.key));
  }
  if (current.length > 0) groups.push(current);
  return groups.map(transactionOf);
}
