// Fault injection on the app's real DynamoDB client (DynamoDB Local behind it), for the exactly-once
// tests: a middleware on the shared client's stack, above the SDK's own retries, that makes chosen
// TransactWriteItems calls fail as AWS would (throttled, 5xx, reset connection, TransactionConflict),
// commit and then lose the response, or commit and then hang like a Lambda frozen by its timeout.
// It also records what every transaction call came to.
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { APPLIED_THROUGH } from '../../src/aws/fenced-transaction.js';

export type Fault =
  | 'throttle'
  | 'server-error'
  | 'network'
  | 'conflict'
  | 'commit-then-lose-response'
  | 'commit-then-hang';
export const FAULTS: readonly Fault[] = [
  'throttle',
  'server-error',
  'network',
  'conflict',
  'commit-then-lose-response',
];

export interface TransactionCall {
  /** Actions in the transaction, and how many were marker Puts. */
  items: number;
  markers: number;
  /** The sequence number (sequenceOrder()) its shard checkpoint update would move to, if it had one. */
  checkpointTo?: string;
  fault?: Fault;
  /** 'committed', or the error the caller saw. */
  outcome: string;
  /** Per-action cancellation codes when DynamoDB cancelled it. */
  reasons?: string[];
}

const MIDDLEWARE = 'injectTransactionFaults';

interface TransactItem {
  Put?: unknown;
  Update?: { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> };
}

/** The checkpoint update's new value (plain, or marshalled if the document client already ran). */
function checkpointTo(items: TransactItem[]): string | undefined {
  const update = items.find((item) =>
    Object.values(item.Update?.ExpressionAttributeNames ?? {}).includes(APPLIED_THROUGH),
  )?.Update;
  const value = update?.ExpressionAttributeValues?.[':last'];
  return typeof value === 'string' ? value : (value as { S?: string } | undefined)?.S;
}

function injected(fault: Exclude<Fault, 'commit-then-lose-response' | 'commit-then-hang'>, items: number): Error {
  const $metadata = { httpStatusCode: fault === 'server-error' ? 500 : 400 };
  switch (fault) {
    case 'throttle':
      return new ProvisionedThroughputExceededException({ message: 'injected: throughput exceeded', $metadata });
    case 'server-error':
      return new InternalServerError({ message: 'injected: internal server error', $metadata });
    case 'network':
      return Object.assign(new Error('injected: socket hang up'), { code: 'ECONNRESET' });
    case 'conflict': {
      // Another transaction held the last item (an aggregate update) at the same time.
      const CancellationReasons = Array.from({ length: items }, (_, i) => ({
        Code: i === items - 1 ? 'TransactionConflict' : 'None',
      }));
      return new TransactionCanceledException({
        message: 'injected: transaction cancelled [None, TransactionConflict]',
        $metadata,
        CancellationReasons,
      });
    }
  }
}

/**
 * Installs the injector on `client` until remove(). `choose(n)` picks the fault of the n-th
 * TransactWriteItems call (0-based), or none.
 */
export function injectTransactionFaults(
  client: DynamoDBClient,
  choose: (call: number) => Fault | undefined,
): { calls: TransactionCall[]; remove(): void } {
  const calls: TransactionCall[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      const items = (args.input as { TransactItems?: TransactItem[] }).TransactItems ?? [];
      const fault = choose(calls.length);
      const call: TransactionCall = {
        items: items.length,
        markers: items.filter((item) => item.Put).length,
        checkpointTo: checkpointTo(items),
        fault,
        outcome: 'committed',
      };
      calls.push(call);
      if (fault && fault !== 'commit-then-lose-response' && fault !== 'commit-then-hang') {
        const error = injected(fault, items.length);
        call.outcome = error.name;
        throw error;
      }
      try {
        const answer = await next(args);
        if (fault === 'commit-then-lose-response') {
          call.outcome = 'committed, response lost';
          throw Object.assign(new Error('injected: connection reset after the request was sent'), {
            code: 'ECONNRESET',
          });
        }
        if (fault === 'commit-then-hang') {
          call.outcome = 'committed, then hung';
          return await new Promise<never>(() => undefined);
        }
        return answer;
      } catch (error) {
        if (call.outcome === 'committed') {
          call.outcome = (error as Error).name;
          call.reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons?.map(
            (r) => r.Code ?? 'None',
          );
        }
        throw error;
      }
    },
    { step: 'initialize', name: MIDDLEWARE, override: true },
  );
  return { calls, remove: () => client.middlewareStack.remove(MIDDLEWARE) };
}
