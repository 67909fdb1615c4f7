// Shared helpers of the pipeline integration tests: made-up posts, and reading back what the pipeline
// left in the tables and queues of a local stack (real emulators, no mocks).
import assert from 'node:assert/strict';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { scanItems } from '../../src/aws/dynamodb.js';
import { isMarkerKey, keyId, recount, type Counters } from '../../src/domain/aggregation.js';
import { CountedResultSchema, type ResultItem } from '../../src/domain/results.js';
import type { PipelineHandlers } from '../../src/local/event-sources.js';
import { seededRandom } from '../../src/local/seeded-random.js';

const POSITIVE = ['love', 'great', 'wonderful', 'happy', 'excellent', 'amazing', 'thanks', 'good'];
const NEGATIVE = ['hate', 'terrible', 'awful', 'sad', 'horrible', 'bad', 'angry', 'worst'];
const NEUTRAL = ['the', 'meeting', 'is', 'at', 'noon', 'on', 'tuesday', 'report', 'published', 'today'];
export const SOURCES = ['twitter', 'reddit', 'news'] as const;


export interface TestPost {
  postId: string;
  text: string;
  createdAt: string;
  source?: string;
  author?: string;
}

/** Made-up posts of clear, mixed and neutral tone, spread over sources and three days (one without a source). */
export function syntheticPosts(count: number, prefix = 'post', seed = 1): TestPost[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  return Array.from({ length: count }, (_, i) => {
    const tone = i % 3;
    const words = tone === 0 ? [pick(NEUTRAL), 'i', pick(POSITIVE), 'this', pick(POSITIVE)]
      : tone === 1 ? [pick(NEUTRAL), 'this', 'is', pick(NEGATIVE), 'and', pick(NEGATIVE)]
        : [pick(NEUTRAL), pick(NEUTRAL), pick(NEUTRAL), pick(NEUTRAL)];
    const day = 1 + (i % 3);
    return {
      postId: `${prefix}-${i}`,
      text: words.join(' '),
      createdAt: `2024-05-0${day}T${String(i % 24).padStart(2, '0')}:15:00+00:00`,
      source: i % 10 === 9 ? undefined : SOURCES[i % SOURCES.length],
      author: `user${i % 7}`,
    };
  });
}

/** Receives (and deletes) every message of a queue, with its message attributes. */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
    }));
    if (Messages.length === 0) return all;
    all.push(...Messages);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  }));
  return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    + Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
}

/** Sends raw bodies to a queue (poison messages, duplicates), 10 a call. */
export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const { Failed = [] } = await sqs.send(new SendMessageBatchCommand({
      QueueUrl: queueUrl, Entries: bodies.slice(i, i + 10).map((MessageBody, j) => ({ Id: `b${j}`, MessageBody })),
    }));
    assert.deepEqual(Failed, [], 'test setup could not send its messages');
  }
}

export async function readAll<T = Record<string, unknown>>(table: string): Promise<T[]> {
  const items: T[] = [];
  for await (const item of scanItems(table)) items.push(item as T);
  return items;
}

export async function readResults(table: string): Promise<Map<string, ResultItem>> {
  return new Map((await readAll<ResultItem>(table)).map((r) => [r.postId, r]));
}

type AggregateRow = Counters & { pk: string; sk: string };

/** The counter items of the aggregates table (markers left out), by key. */
export async function readAggregates(table: string): Promise<Map<string, AggregateRow>> {
  const rows = (await readAll<AggregateRow>(table)).filter((item) => !isMarkerKey(item));
  return new Map(rows.map((row) => [keyId(row), row]));
}

export async function countMarkers(table: string): Promise<number> {
  return (await readAll<{ pk: string; sk: string }>(table)).filter((item) => isMarkerKey(item)).length;
}

/**
 * The aggregates table equals a recount from the results table: same keys (an aggregate whose
 * results all moved away may remain at zero), same counters, score sums equal up to rounding.
 * `exclude`: results that cannot be counted (written behind the pipeline's back by a test).
 */
export async function assertAggregatesMatchResults(resultsTable: string, aggregatesTable: string, options: { exclude?: Set<string> } = {}): Promise<number> {
  const results = [...(await readResults(resultsTable)).values()]
    .filter((r) => !options.exclude?.has(r.postId))
    .map((r) => CountedResultSchema.parse(r));
  const expected = recount(results);
  const actual = await readAggregates(aggregatesTable);
  for (const [id, { counters }] of expected) {
    const row = actual.get(id);
    assert.ok(row, `aggregate ${id.replace('\u0000', ' ')} is missing`);
    for (const field of ['count', 'negative', 'neutral', 'positive'] as const) {
      assert.equal(row[field], counters[field], `${id.replace('\u0000', ' ')} ${field}`);
    }
    assert.ok(Math.abs(row.scoreSum - counters.scoreSum) < 1e-9, `${id.replace('\u0000', ' ')} scoreSum ${row.scoreSum} vs recount ${counters.scoreSum}`);
  }
  for (const [id, row] of actual) {
    if (expected.has(id)) continue;
    for (const field of ['count', 'negative', 'neutral', 'positive'] as const) {
      assert.equal(row[field], 0, `aggregate ${id.replace('\u0000', ' ')} counts results that do not exist (${field})`);
    }
    assert.ok(Math.abs(row.scoreSum) < 1e-9);
  }
  return results.length;
}

export function attribute(message: Message, name: string): string | undefined {
  return message.MessageAttributes?.[name]?.StringValue;
}

/**
 * The real Lambda handlers. Import them only after the test file has set its environment: the modules that
 * create the Powertools Logger/Metrics singletons read it when they load.
 */
export async function importHandlers(): Promise<PipelineHandlers> {
  return {
    classify: (await import('../../handlers/classify.js')).handler,
    aggregate: (await import('../../handlers/aggregate.js')).handler,
  };
}
