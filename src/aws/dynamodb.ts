// DynamoDB adapter: the few table operations the pipeline needs, with the batch APIs' partial results
// retried (UnprocessedItems / UnprocessedKeys) and conditional writes turned into plain answers.
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  paginateQuery,
  paginateScan,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from './clients.js';
import { DEFAULT_BACKOFF, RetrySchedule, isTransientCallError, type BackoffOptions } from './backoff.js';
import { chunk, mapWithConcurrency } from '../collections.js';
import { errorMessage } from '../errors.js';

type Item = Record<string, unknown>;

/** DynamoDB API limits. */
export const BATCH_WRITE_LIMIT = 25;
export const BATCH_GET_LIMIT = 100;
/** Chunks in flight at once: enough to overlap round trips without provoking throttling. */
const PARALLEL_CALLS = 4;

export interface WriteFailure {
  item: Item;
  error: string;
}

/**
 * Writes items with BatchWriteItem (25 a call), retrying UnprocessedItems, and calls throttled or failed
 * by the service as a whole, with backoff until `backoff` runs out. A call rejected as a whole for its
 * content (e.g. one item too large) falls back to one PutItem per item so only the bad item fails.
 * Answers the items that could not be written; never throws for item-level problems.
 */
export async function batchWriteItems(
  table: string,
  items: readonly Item[],
  backoff: BackoffOptions = DEFAULT_BACKOFF,
): Promise<WriteFailure[]> {
  const failures = await mapWithConcurrency(chunk(items, BATCH_WRITE_LIMIT), PARALLEL_CALLS, (batch) =>
    writeChunk(table, batch, backoff),
  );
  return failures.flat();
}

async function writeChunk(table: string, items: Item[], backoff: BackoffOptions): Promise<WriteFailure[]> {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  const schedule = new RetrySchedule(backoff);
  let lastError = 'unprocessed';
  while (pending.length > 0) {
    try {
      const answer = await documentClient().send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (answer.UnprocessedItems?.[table] ?? []) as typeof pending;
      lastError = 'unprocessed';
    } catch (error) {
      // Throttled (after the SDK's own attempts) or a service fault: the whole chunk is retried like
      // unprocessed items. Anything else (e.g. one item too large): one PutItem each, so only it fails.
      if (!isTransientCallError(error))
        return putOneByOne(
          table,
          pending.map(({ PutRequest }) => PutRequest.Item),
        );
      lastError = errorMessage(error);
    }
    if (pending.length > 0 && !(await schedule.beforeRetry())) {
      return pending.map(({ PutRequest }) => ({
        item: PutRequest.Item,
        error: `still ${lastError} after ${schedule.describe()} of BatchWriteItem`,
      }));
    }
  }
  return [];
}

async function putOneByOne(table: string, items: Item[]): Promise<WriteFailure[]> {
  const outcomes = await mapWithConcurrency(items, PARALLEL_CALLS, async (item) => {
    try {
      await documentClient().send(new PutCommand({ TableName: table, Item: item }));
      return undefined;
    } catch (error) {
      return { item, error: errorMessage(error) };
    }
  });
  return outcomes.filter((outcome): outcome is WriteFailure => outcome !== undefined);
}

export interface BatchGetAnswer {
  /** Items found, by key value. Keys absent from both maps do not exist in the table. */
  found: Map<string, Item>;
  /** Keys that could not be read (still unprocessed after retries, or the call failed), with the error. */
  failed: Map<string, string>;
}

/**
 * Reads items by a string partition key with BatchGetItem (100 keys a call, duplicates removed), retrying
 * UnprocessedKeys and transient whole-call failures with backoff until `backoff` runs out (attempts, or
 * `retryForMs`). A call rejected for its content fails its keys at once.
 */
export async function batchGetByKey(
  table: string,
  keyName: string,
  keys: readonly string[],
  backoff: BackoffOptions = DEFAULT_BACKOFF,
): Promise<BatchGetAnswer> {
  const answer: BatchGetAnswer = { found: new Map(), failed: new Map() };
  const unique = [...new Set(keys)];
  await mapWithConcurrency(chunk(unique, BATCH_GET_LIMIT), PARALLEL_CALLS, async (batch) => {
    let pending: Item[] = batch.map((key) => ({ [keyName]: key }));
    const schedule = new RetrySchedule(backoff);
    let lastError = 'unprocessed';
    while (pending.length > 0) {
      try {
        const result = await documentClient().send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }),
        );
        for (const item of result.Responses?.[table] ?? []) answer.found.set(String(item[keyName]), item);
        pending = (result.UnprocessedKeys?.[table]?.Keys ?? []) as Item[];
        lastError = 'unprocessed';
      } catch (error) {
        if (!isTransientCallError(error)) {
          for (const key of pending) answer.failed.set(String(key[keyName]), errorMessage(error));
          return;
        }
        lastError = errorMessage(error);
      }
      if (pending.length > 0 && !(await schedule.beforeRetry())) {
        const reason = `still ${lastError} after ${schedule.describe()} of BatchGetItem`;
        for (const key of pending) answer.failed.set(String(key[keyName]), reason);
        return;
      }
    }
  });
  return answer;
}

/**
 * Puts a result unless the table already holds one for this key from the same model. A redelivered
 * message therefore changes nothing (and emits no stream event); another model's result is replaced.
 * A call that fails for a passing reason (throttled beyond the SDK's attempts, a service fault, the network)
 * is tried again with backoff until `backoff` runs out; then, or for any other failure, it throws. (A write
 * whose answer was lost is found, on the next attempt, as 'unchanged'.)
 */
export async function putUnlessSameModel(
  table: string,
  keyName: string,
  item: Item & { modelId: string },
  backoff: BackoffOptions = { ...DEFAULT_BACKOFF, attempts: 1 },
): Promise<'written' | 'unchanged'> {
  const schedule = new RetrySchedule(backoff);
  for (;;) {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#key) OR #modelId <> :modelId',
          ExpressionAttributeNames: { '#key': keyName, '#modelId': 'modelId' },
          ExpressionAttributeValues: { ':modelId': item.modelId },
        }),
      );
      return 'written';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'unchanged';
      if (!isTransientCallError(error) || !(await schedule.beforeRetry())) throw error;
    }
  }
}

/** One item by its string partition key (strongly consistent): the item, undefined if absent, or the error. */
export async function getItemByKey(
  table: string,
  keyName: string,
  key: string,
): Promise<{ item: Item | undefined } | { error: string }> {
  try {
    const answer = await documentClient().send(
      new GetCommand({ TableName: table, Key: { [keyName]: key }, ConsistentRead: true }),
    );
    return { item: answer.Item };
  } catch (error) {
    return { error: errorMessage(error) };
  }
}

type ScanOptions = Omit<ScanCommandInput, 'TableName' | 'ExclusiveStartKey'>;

/**
 * Every item of a table, or those a filter keeps (tests, checks, reports and small operational jobs; not for
 * request paths).
 */
export async function* scanItems(table: string, options: ScanOptions = {}): AsyncGenerator<Item> {
  for await (const page of scanPages({ ...options, TableName: table })) yield* page.items;
}

/** A scan (filters and projections as given), page by page with how many items each page read before the filter. */
export async function* scanPages(input: ScanCommandInput): AsyncGenerator<{ items: Item[]; scannedCount: number }> {
  for await (const page of paginateScan({ client: documentClient() }, input)) {
    yield { items: (page.Items ?? []) as Item[], scannedCount: page.ScannedCount ?? 0 };
  }
}

/** Every item a Query finds, page after page. */
export async function* queryItems(
  table: string,
  options: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): AsyncGenerator<Item> {
  for await (const page of paginateQuery({ client: documentClient() }, { ...options, TableName: table })) {
    yield* page.Items ?? [];
  }
}
