// DynamoDB capacity units, counted per call when someone listens (the pipeline benchmark). A middleware on
// the shared DynamoDB client asks every call that supports it for ReturnConsumedCapacity TOTAL and
// reports what DynamoDB answered. With no listener it does nothing: production calls are unchanged.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface ConsumedUnits {
  /** The SDK command, e.g. 'TransactWriteItemsCommand'. */
  command: string;
  readUnits: number;
  writeUnits: number;
}

export type ConsumedUnitsListener = (units: ConsumedUnits) => void;

const listeners = new Set<ConsumedUnitsListener>();

/**
 * Beware on DynamoDB Local: it answers 4 units for any TransactWriteItems, whatever its size (measured
 * here with 1, 2, 10 and 50 Puts), while AWS charges 2 write units per item per KB. Count a transaction's
 * AWS cost from its actions (TransactionRunSummary.actions, logged per batch) rather than from Local's figure.
 *
 * Calls `listener` after every DynamoDB call made through src/aws/clients.ts with the units it consumed
 * (transactions included). Returns the function that stops listening. For benchmarks and tests:
 *   const stop = onConsumedCapacity(({ writeUnits }) => { total += writeUnits; });
 */
export function onConsumedCapacity(listener: ConsumedUnitsListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);
const READ_COMMANDS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Installed once on each DynamoDB client when it is created. */
export function countConsumedCapacity(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const isWrite = WRITE_COMMANDS.has(command);
      if (listeners.size === 0 || (!isWrite && !READ_COMMANDS.has(command))) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string };
      const answer = await next({
        ...args,
        input: { ...input, ReturnConsumedCapacity: input.ReturnConsumedCapacity ?? 'TOTAL' },
      });
      const consumed = (answer.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
      let readUnits = 0;
      let writeUnits = 0;
      for (const capacity of [consumed ?? []].flat()) {
        // DynamoDB Local reports CapacityUnits only; AWS also splits them into read and write units.
        readUnits += capacity.ReadCapacityUnits ?? (isWrite ? 0 : (capacity.CapacityUnits ?? 0));
        writeUnits += capacity.WriteCapacityUnits ?? (isWrite ? (capacity.CapacityUnits ?? 0) : 0);
      }
      for (const listener of listeners) listener({ command, readUnits, writeUnits });
      return answer;
    },
    { step: 'initialize', name: 'countConsumedCapacity' },
  );
}
