// DynamoDB calls of the recount: a parallel Scan, a Query of one partition's sort-key range, reads that keep
// numbers exact, and a write that only lands if the item is still what was read (optimistic concurrency).
// Raw AttributeValues (the low-level client) where exactness matters: a score sum stored by DynamoDB's
// decimal ADD can hold more digits than a JS number, and a condition must compare the very value read.
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  paginateQuery as paginateRawQuery,
  paginateScan as paginateRawScan,
  UpdateItemCommand,
  type AttributeValue,
  type ScanCommandInput as RawScanInput,
} from '@aws-sdk/client-dynamodb';
import { paginateScan, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { documentClient, dynamoDbClient } from './clients.js';

type Item = Record<string, unknown>;
export type RawItem = Record<string, AttributeValue>;

/** An item as stored, with plain values to read and the raw values to condition a later write on. */
export interface ReadItem {
  item: Item;
  raw: RawItem;
}

function read(raw: RawItem): ReadItem {
  return { item: unmarshall(raw), raw };
}

/**
 * A parallel Scan: `segments` workers each page through one segment (Segment / TotalSegments). `onPage`
 * gets each page's items (after the filter) and how many items the page read (before it).
 */
export async function scanInSegments(
  input: Omit<ScanCommandInput, 'Segment' | 'TotalSegments' | 'ExclusiveStartKey'>,
  segments: number,
  onPage: (items: Item[], scanned: number) => void,
): Promise<void> {
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      for await (const page of paginateScan(
        { client: documentClient() },
        { ...input, Segment: segment, TotalSegments: segments },
      )) {
        onPage(page.Items ?? [], page.ScannedCount ?? 0);
      }
    }),
  );
}

/** The same parallel Scan, answering raw items (exact numbers) for a later conditional write. */
export async function scanInSegmentsExact(
  input: Omit<RawScanInput, 'Segment' | 'TotalSegments' | 'ExclusiveStartKey'>,
  segments: number,
): Promise<ReadItem[]> {
  const found: ReadItem[] = [];
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      for await (const page of paginateRawScan(
        { client: dynamoDbClient() },
        { ...input, Segment: segment, TotalSegments: segments },
      )) {
        for (const raw of page.Items ?? []) found.push(read(raw));
      }
    }),
  );
  return found;
}

/** Every item of one partition whose sort key lies in [skFrom, skTo], strongly consistent, exact numbers. */
export async function queryRangeExact(
  table: string,
  keys: { pk: string; sk: string },
  pk: string,
  skFrom: string,
  skTo: string,
): Promise<ReadItem[]> {
  const found: ReadItem[] = [];
  const pages = paginateRawQuery(
    { client: dynamoDbClient() },
    {
      TableName: table,
      ConsistentRead: true,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': keys.pk, '#sk': keys.sk },
      ExpressionAttributeValues: marshall({ ':pk': pk, ':from': skFrom, ':to': skTo }),
    },
  );
  for await (const page of pages) for (const raw of page.Items ?? []) found.push(read(raw));
  return found;
}

/** The table's item count as DynamoDB last published it (about every six hours): for progress bars only. */
export async function approximateItemCount(table: string): Promise<number | undefined> {
  try {
    const { Table } = await dynamoDbClient().send(new DescribeTableCommand({ TableName: table }));
    return Table?.ItemCount;
  } catch {
    return undefined;
  }
}

const SCALAR_TYPES = ['S', 'N', 'BOOL'] as const;

/**
 * Sets `values` on the item at `key` only if the item is unchanged since `previous` was read: every scalar
 * attribute still equal to the raw value read, or, when it was absent (`previous` undefined), still absent.
 * 'changed': someone wrote it in between (nothing was written; read it again).
 */
export async function updateIfUnchanged(
  table: string,
  key: Record<string, string>,
  previous: RawItem | undefined,
  values: Item,
): Promise<'written' | 'changed'> {
  const names: Record<string, string> = {};
  const attributeValues: RawItem = {};
  const sets = Object.entries(values).map(([name, value], i) => {
    names[`#s${i}`] = name;
    attributeValues[`:s${i}`] = marshall({ v: value }).v;
    return `#s${i} = :s${i}`;
  });
  const conditions: string[] = [];
  const keyName = Object.keys(key)[0];
  names['#key'] = keyName;
  if (!previous) {
    conditions.push('attribute_not_exists(#key)');
  } else {
    conditions.push('attribute_exists(#key)');
    Object.entries(previous)
      .filter(([name, value]) => !(name in key) && SCALAR_TYPES.some((type) => value[type] !== undefined))
      .forEach(([name, value], i) => {
        names[`#c${i}`] = name;
        attributeValues[`:c${i}`] = value;
        conditions.push(`#c${i} = :c${i}`);
      });
  }
  try {
    await dynamoDbClient().send(
      new UpdateItemCommand({
        TableName: table,
        Key: marshall(key),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: attributeValues,
      }),
    );
    return 'written';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException')
      return 'changed';
    throw error;
  }
}
