// Guards shared by both handlers for events Lambda would never send but a handler must survive:
// records that are not objects, or that carry no identifier to report a failure by.
import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';

/** The event's records that are objects, and how many others there were. */
export function recordsOf<T>(event: unknown): { records: T[]; unusable: number } {
  const all: unknown = (event as { Records?: unknown } | null | undefined)?.Records;
  if (!Array.isArray(all)) return { records: [], unusable: 0 };
  const records = all.filter((record): record is T => typeof record === 'object' && record !== null);
  return { records, unusable: all.length - records.length };
}

/**
 * Lambda reads an empty itemIdentifier as "the whole batch failed". Used when a failed record cannot be
 * named (no messageId / sequence number, or not a record at all): retrying everything is safe because
 * every write is idempotent, silently acknowledging it is not.
 */
export function failWholeBatchIfUnnamed(
  response: PartialItemFailureResponse,
  unnamedFailures: number,
): PartialItemFailureResponse {
  const named = response.batchItemFailures.filter(
    (f) => typeof f.itemIdentifier === 'string' && f.itemIdentifier !== '',
  );
  const unnamed = unnamedFailures + (response.batchItemFailures.length - named.length);
  return { batchItemFailures: unnamed > 0 ? [...named, { itemIdentifier: '' }] : named };
}
