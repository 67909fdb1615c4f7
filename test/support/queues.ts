// Queue helpers of the tests, through the production SQS adapter (src/aws/sqs-queues.ts).
import assert from 'node:assert/strict';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { deleteMessages, queueDepth, receiveMessages, sendMessage } from '../../src/aws/sqs-queues.js';

/** Visible and in-flight messages of a queue. */
export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { visible, inFlight } = await queueDepth(sqs, queueUrl);
  return { visible, inFlight };
}

/** Every message the queue still holds: visible, in flight and delayed. */
export async function messagesInQueue(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { visible, inFlight, delayed } = await queueDepth(sqs, queueUrl);
  return visible + inFlight + delayed;
}

/** Receives (and deletes) every message of a queue, with its message attributes; `waitSeconds`: long poll. */
export async function drainQueue(
  sqs: SQSClient,
  queueUrl: string,
  options: { waitSeconds?: number } = {},
): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const messages = await receiveMessages(sqs, queueUrl, { max: 10, waitSeconds: options.waitSeconds ?? 0 });
    if (messages.length === 0) return all;
    all.push(...messages);
    assert.deepEqual(
      await deleteMessages(
        sqs,
        queueUrl,
        messages.map((m) => m.ReceiptHandle!),
      ),
      [],
      'test could not delete what it drained',
    );
  }
}

/** Sends raw bodies to a queue (poison messages, duplicates). */
export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  for (const body of bodies) await sendMessage(sqs, queueUrl, { body });
}

export function attribute(message: Message, name: string): string | undefined {
  return message.MessageAttributes?.[name]?.StringValue;
}
