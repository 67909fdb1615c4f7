// Counts the DynamoDB capacity every call of this process consumes, without touching production code: an
// AWS SDK middleware on the shared client (the document client uses the same middleware stack) asks each
// call for ReturnConsumedCapacity TOTAL and adds what DynamoDB answers to the phase being measured.
// One exception: DynamoDB Local answers 4 write units for any TransactWriteItems, whatever it holds (measured
// here with 1 to 7 items). AWS bills 2 units per item per KB, so transactions are counted that way from the
// request: a Put by its item's size, an Update / Delete / ConditionCheck as one KB (the aggregate items and
// markers are a few hundred bytes; the bench checks the largest aggregate item).
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

export interface Units {
  read: number;
  write: number;
  calls: number;
  /** Calls that failed (a refused condition, a cancelled transaction): their units are not reported. */
  failedCalls: number;
  /** What DynamoDB Local reported for the transactions, next to what they are counted as (in `write`). */
  transactionUnitsReported: number;
  transactionUnitsCounted: number;
}

/** Operations that accept ReturnConsumedCapacity; the rest are left alone. */
const METERED = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'TransactGetItems',
]);
const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

interface Consumed {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export class CapacityMeter {
  private readonly phases = new Map<string, Units>();
  /** Calls are added to this phase; undefined: not counted. */
  phase: string | undefined;

  /** Adds the middleware once per client (a client created later, e.g. after resetClients(), needs it again). */
  install(client: DynamoDBClient): void {
    if (client.middlewareStack.identify().some((name) => name.startsWith('benchConsumedCapacity'))) return;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        if (!METERED.has(operation)) return next(args);
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
        const units = this.phase === undefined ? undefined : this.units(this.phase);
        if (units) units.calls += 1;
        try {
          const answer = await next(args);
          const consumed = (answer.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
          if (units && operation === 'TransactWriteItems')
            this.addTransaction(units, args.input as TransactInput, consumed);
          else if (units) this.add(units, operation, consumed);
          return answer;
        } catch (error) {
          if (units) units.failedCalls += 1;
          throw error;
        }
      },
      { step: 'initialize', name: 'benchConsumedCapacity' },
    );
  }

  units(phase: string): Units {
    let units = this.phases.get(phase);
    if (!units)
      this.phases.set(
        phase,
        (units = {
          read: 0,
          write: 0,
          calls: 0,
          failedCalls: 0,
          transactionUnitsReported: 0,
          transactionUnitsCounted: 0,
        }),
      );
    return units;
  }

  /** Runs `fn` with its calls counted in `phase`. Phases do not nest; run measured work one phase at a time. */
  async measure<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.phase;
    this.phase = phase;
    try {
      return await fn();
    } finally {
      this.phase = previous;
    }
  }

  private addTransaction(units: Units, input: TransactInput, consumed: Consumed | Consumed[] | undefined): void {
    const counted = (input.TransactItems ?? []).reduce(
      (sum, action) => sum + 2 * (action.Put ? Math.max(1, Math.ceil(itemBytes(action.Put.Item) / 1024)) : 1),
      0,
    );
    units.write += counted;
    units.transactionUnitsCounted += counted;
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : [])
      units.transactionUnitsReported += entry.WriteCapacityUnits ?? entry.CapacityUnits ?? 0;
  }

  private add(units: Units, operation: string, consumed: Consumed | Consumed[] | undefined): void {
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      // DynamoDB splits read and write units when it can; otherwise the operation says which they are.
      if (entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined) {
        units.read += entry.ReadCapacityUnits ?? 0;
        units.write += entry.WriteCapacityUnits ?? 0;
      } else if (READS.has(operation)) {
        units.read += entry.CapacityUnits ?? 0;
      } else {
        units.write += entry.CapacityUnits ?? 0;
      }
    }
  }
}

interface TransactInput {
  TransactItems?: Array<{ Put?: { Item: Record<string, unknown> } }>;
}

const TYPE_KEYS = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

/** A low-level client's item (every value an AttributeValue) rather than a document client's plain one. */
function isRawItem(item: Record<string, unknown>): item is Record<string, AttributeValue> {
  return Object.values(item).every(
    (v) => v !== null && typeof v === 'object' && Object.keys(v).length === 1 && TYPE_KEYS.has(Object.keys(v)[0]),
  );
}

/** An item's size as DynamoDB measures it: attribute names plus values (numbers about 1 byte per 2 digits). */
export function itemBytes(item: Record<string, unknown>): number {
  const plain = isRawItem(item) ? unmarshall(item, { wrapNumbers: true }) : item;
  return Object.entries(plain).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'number' || typeof value === 'bigint') return numberBytes(String(value));
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueBytes(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
  const entries = Object.entries(value as Record<string, unknown>);
  // A wrapped number (NumberValue) holds its digits as a string.
  if (entries.length === 1 && entries[0][0] === 'value' && typeof entries[0][1] === 'string')
    return numberBytes(entries[0][1]);
  return 3 + entries.reduce((sum, [name, v]) => sum + Buffer.byteLength(name) + 1 + valueBytes(v), 0);
}

function numberBytes(digits: string): number {
  return Math.ceil(digits.replace(/[^0-9]/g, '').replace(/^0+/, '').length / 2) + 1;
}
