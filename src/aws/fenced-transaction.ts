// The aggregate write path's one DynamoDB call: a TransactWriteItems of counter updates (their deltas
// merged beforehand: an item may appear once per transaction) fenced against a second application, either
// by the shard's checkpoint or by one idempotency marker per record. A fence that says "applied before"
// cancels the whole transaction, and CancellationReasons (with ReturnValuesOnConditionCheckFailure) say
// how much was applied. Never throws: answers.
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './clients.js';
import { isTransientCallError } from './backoff.js';
import { counterUpdateExpression, type AggregateDelta, type AggregateKey } from '../domain/aggregation.js';
import { TABLES } from '../resources.js';
import { errorMessage } from '../errors.js';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Bookkeeping items expire by TTL once no stream can deliver their records again. */
interface Expiring {
  key: AggregateKey;
  /** Epoch seconds after which DynamoDB's TTL may delete the item. */
  expiresAt: number;
}

export interface IdempotencyMarker extends Expiring {
  attributes?: Item;
}

/** A shard's checkpoint moved from before `first` to `last` (sequenceOrder() strings: string order is stream order). */
export interface CheckpointAdvance extends Expiring {
  first: string;
  last: string;
}

export type TransactionFence =
  | { kind: 'markers'; markers: readonly IdempotencyMarker[] }
  | { kind: 'checkpoint'; checkpoint: CheckpointAdvance };

/** The checkpoint attribute: the sequence number (sequenceOrder()) of the last record applied from the shard. */
export const APPLIED_THROUGH = 'appliedThrough';

/** What one fenced transaction came to. */
export type FencedTransactionAnswer =
  /** Committed; the write units DynamoDB reported (ReturnConsumedCapacity TOTAL). */
  | { outcome: 'applied'; writeUnits: number }
  /**
   * Cancelled, nothing written: these markers (indexes into the fence's markers) exist, so their records were
   * applied.
   */
  | { outcome: 'markers-exist'; markers: number[] }
  /** Cancelled, nothing written: the shard's records up to `appliedThrough` (inclusive) were applied. */
  | { outcome: 'checkpoint-passed'; appliedThrough: string }
  /** Throttled, conflicting with another transaction, a 5xx or a network error: try again later. If the
   * transaction did commit (a response lost), the fence makes the retry answer that it was applied. */
  | { outcome: 'retry'; error: string }
  /** Will not succeed as it is (validation, item too large, access denied…). */
  | { outcome: 'rejected'; error: string };

/** Cancellation reason codes (per action) that a later attempt may not meet again. */
const RETRYABLE_REASONS = new Set([
  'TransactionConflict',
  'ProvisionedThroughputExceeded',
  'ThrottlingError',
  'RequestLimitExceeded',
]);

const ttl = TABLES.aggregates.ttlAttribute;

function fenceItems(table: string, fence: TransactionFence, now: Date): TransactItem[] {
  if (fence.kind === 'markers')
    return fence.markers.map((marker) => ({
      Put: {
        TableName: table,
        Item: { ...marker.attributes, ...marker.key, [ttl]: marker.expiresAt },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLES.aggregates.partitionKey },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    }));
  const { checkpoint } = fence;
  return [
    {
      Update: {
        TableName: table,
        Key: checkpoint.key,
        UpdateExpression: 'SET #through = :last, #ttl = :ttl, #updatedAt = :now',
        ConditionExpression: 'attribute_not_exists(#through) OR #through < :first',
        ExpressionAttributeNames: { '#through': APPLIED_THROUGH, '#ttl': ttl, '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: {
          ':first': checkpoint.first,
          ':last': checkpoint.last,
          ':ttl': checkpoint.expiresAt,
          ':now': now.toISOString(),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
  ];
}

/** The stored checkpoint in a cancellation reason's Item (raw AttributeValues: exceptions are not unmarshalled). */
function appliedThroughOf(item: unknown): string | undefined {
  const value = (item as Record<string, unknown> | undefined)?.[APPLIED_THROUGH];
  if (typeof value === 'string') return value;
  const raw = (value as { S?: unknown } | undefined)?.S;
  return typeof raw === 'string' ? raw : undefined;
}

/** One TransactWriteItems: the fence's actions first, then one ADD update per aggregate item. At most 100 actions. */
export async function applyFencedTransaction(
  table: string,
  fence: TransactionFence,
  deltas: readonly AggregateDelta[],
  now: Date,
): Promise<FencedTransactionAnswer> {
  const items = fenceItems(table, fence, now);
  const fenceCount = items.length;
  for (const delta of deltas)
    items.push({ Update: { TableName: table, Key: delta.key, ...counterUpdateExpression(delta, now, 'add') } });
  try {
    const answer = await documentClient().send(
      new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' }),
    );
    const writeUnits = (answer.ConsumedCapacity ?? []).reduce(
      (sum, c) => sum + (c.WriteCapacityUnits ?? c.CapacityUnits ?? 0),
      0,
    );
    return { outcome: 'applied', writeUnits };
  } catch (error) {
    const reasons = (error as { CancellationReasons?: Array<{ Code?: string; Item?: unknown }> }).CancellationReasons;
    if ((error as Error).name !== 'TransactionCanceledException' || !Array.isArray(reasons))
      return isTransientCallError(error)
        ? { outcome: 'retry', error: errorMessage(error) }
        : { outcome: 'rejected', error: errorMessage(error) };
    const fenced = [...Array(fenceCount).keys()].filter((i) => reasons[i]?.Code === 'ConditionalCheckFailed');
    if (fenced.length > 0 && fence.kind === 'markers') return { outcome: 'markers-exist', markers: fenced };
    if (fenced.length > 0) {
      const appliedThrough = appliedThroughOf(reasons[0]?.Item);
      if (appliedThrough !== undefined) return { outcome: 'checkpoint-passed', appliedThrough };
    }
    const codes = reasons.map((reason) => reason?.Code ?? 'None').filter((code) => code !== 'None');
    const detail = `${errorMessage(error)} [${codes.join(', ')}]`;
    return codes.length > 0 && codes.every((code) => RETRYABLE_REASONS.has(code))
      ? { outcome: 'retry', error: detail }
      : { outcome: 'rejected', error: detail };
  }
}
