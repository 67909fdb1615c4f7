// Shared helpers of the pipeline integration tests: made-up posts, and reading back what the pipeline
// left in the tables and queues of a local stack (real emulators, no mocks).
import assert from 'node:assert/strict';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { scanItems } from '../../src/aws/dynamodb.js';
import { isMarkerKey } from '../../src/domain/aggregation.js';
import { assertAggregatesMatchResults, readAggregates, readResults } from '../support/aggregates.js';
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

export { assertAggregatesMatchResults, readAggregates, readResults };

export async function countMarkers(table: string): Promise<number> {
  return (await readAll<{ pk: string; sk: string }>(table)).filter((item) => isMarkerKey(item)).length;
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
