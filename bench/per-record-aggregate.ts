// The bench's reference for the aggregate write path: the design before batching (bench-only code). Each
// stream record is applied alone, in stream order, with one TransactWriteItems of three items: its
// idempotency marker (attribute_not_exists), its (source, day) aggregate and the all-sources (day) one.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { documentClient } from '../src/aws/clients.js';
import { allSourcesDayKey, markerKey, sourceDayKey, type AggregateKey } from '../src/domain/aggregation.js';
import { CountedResultSchema } from '../src/domain/results.js';
import { LABELS } from '../src/domain/sentiment.js';
import { FUNCTIONS, TABLES } from '../src/resources.js';

function addCounters(
  table: string,
  key: AggregateKey,
  label: string,
  score: number,
  scope: string,
  day: string,
  now: string,
) {
  const counters: Record<string, number> = {
    count: 1,
    scoreSum: score,
    ...Object.fromEntries(LABELS.map((l) => [l, l === label ? 1 : 0])),
  };
  const names = Object.keys(counters);
  return {
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression:
        `ADD ${names.map((_, i) => `#c${i} :c${i}`).join(', ')} ` +
        'SET #day = :day, #scope = :scope, #updatedAt = :updatedAt',
      ExpressionAttributeNames: {
        ...Object.fromEntries(names.map((name, i) => [`#c${i}`, name])),
        '#day': 'day',
        '#scope': 'source',
        '#updatedAt': 'updatedAt',
      },
      ExpressionAttributeValues: {
        ...Object.fromEntries(names.map((name, i) => [`:c${i}`, counters[name]])),
        ':day': day,
        ':scope': scope,
        ':updatedAt': now,
      },
    },
  };
}

/** Applies INSERT records one transaction each (the bench's burst holds only INSERTs). */
export async function applyOneTransactionPerRecord(table: string, records: readonly DynamoDBRecord[]): Promise<void> {
  for (const record of records) {
    if (record.eventName !== 'INSERT')
      throw new Error(`the per-record reference handles INSERT records only, got ${record.eventName}`);
    const result = CountedResultSchema.parse(unmarshall(record.dynamodb!.NewImage as Record<string, AttributeValue>));
    const now = new Date();
    const at = now.toISOString();
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: {
                ...markerKey(record.eventID!),
                [TABLES.aggregates.ttlAttribute]:
                  Math.floor(now.getTime() / 1000) + FUNCTIONS.aggregate.fenceTtlSeconds,
                eventName: record.eventName,
                postId: result.postId,
                appliedAt: at,
              },
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': TABLES.aggregates.partitionKey },
            },
          },
          addCounters(
            table,
            sourceDayKey(result.source, result.day),
            result.label,
            result.score,
            result.source,
            result.day,
            at,
          ),
          addCounters(table, allSourcesDayKey(result.day), result.label, result.score, '*', result.day, at),
        ],
      }),
    );
  }
}
