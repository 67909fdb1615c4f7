// Finding the classify queue and its DLQ for the ops commands: from QUEUE_URL / DLQ_URL when set,
// otherwise by their stage names (<service>-<stage>-<suffix>), so `STAGE=prod npm run redrive` is enough.
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../aws/clients.js';
import type { Config } from '../config.js';
import { QUEUES, resourceName } from '../resources.js';

export interface QueueInfo {
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutSeconds: number;
  /** The queue's redrive policy, when it has a DLQ. */
  redrivePolicy?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

/** The last part of an SQS ARN (arn:aws:sqs:region:account:name) or URL (.../account/name). */
export function queueNameOf(arnOrUrl: string): string {
  return arnOrUrl.split(/[:/]/).pop() ?? arnOrUrl;
}

export async function queueUrlByName(name: string): Promise<string> {
  try {
    const { QueueUrl } = await sqsClient().send(new GetQueueUrlCommand({ QueueName: name }));
    if (!QueueUrl) throw new Error('no QueueUrl in the answer');
    return QueueUrl;
  } catch (error) {
    throw new Error(`cannot find queue "${name}" (${(error as Error).message}); set QUEUE_URL / DLQ_URL or STAGE`);
  }
}

export async function describeQueue(url: string): Promise<QueueInfo> {
  const { Attributes = {} } = await sqsClient().send(new GetQueueAttributesCommand({
    QueueUrl: url,
    AttributeNames: ['QueueArn', 'VisibilityTimeout', 'RedrivePolicy'],
  }));
  if (!Attributes.QueueArn) throw new Error(`queue ${url} has no QueueArn`);
  const info: QueueInfo = {
    name: queueNameOf(Attributes.QueueArn),
    url,
    arn: Attributes.QueueArn,
    visibilityTimeoutSeconds: Number(Attributes.VisibilityTimeout ?? 30),
  };
  if (Attributes.RedrivePolicy) info.redrivePolicy = JSON.parse(Attributes.RedrivePolicy);
  return info;
}

/** The classify queue: QUEUE_URL, or the stage's queue by name. */
export async function classifyQueue(config: Config): Promise<QueueInfo> {
  return describeQueue(config.queueUrl ?? (await queueUrlByName(resourceName(config.stage, QUEUES.classify.suffix))));
}

/** The classify queue and its DLQ: DLQ_URL, else the target of the queue's redrive policy, else by name. */
export async function classifyQueues(config: Config): Promise<{ classify: QueueInfo; dlq: QueueInfo }> {
  const classify = await classifyQueue(config);
  const dlqName = classify.redrivePolicy
    ? queueNameOf(classify.redrivePolicy.deadLetterTargetArn)
    : resourceName(config.stage, QUEUES.classifyDlq.suffix);
  const dlq = await describeQueue(config.dlqUrl ?? (await queueUrlByName(dlqName)));
  return { classify, dlq };
}

/** ApproximateNumberOfMessages: visible messages (not the ones in flight). */
export async function visibleMessages(url: string): Promise<number> {
  const { Attributes = {} } = await sqsClient().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}
