// Finding the classify queue and its DLQ for the ops commands: from QUEUE_URL / DLQ_URL when set,
// otherwise by their stage names (<service>-<stage>-<suffix>), so `STAGE=prod npm run redrive` is enough.
import { sqsClient } from '../aws/clients.js';
import { queueDepth, queueSettings, queueUrlOf, type QueueRef, type QueueSettings } from '../aws/sqs-queues.js';
import { errorMessage } from '../errors.js';
import type { Config } from '../config.js';
import { QUEUES, resourceName } from '../resources.js';

export type QueueInfo = QueueRef & QueueSettings;

/** The last part of an SQS ARN (arn:aws:sqs:region:account:name) or URL (.../account/name). */
export function queueNameOf(arnOrUrl: string): string {
  return arnOrUrl.split(/[:/]/).pop() ?? arnOrUrl;
}

export async function queueUrlByName(name: string): Promise<string> {
  try {
    return await queueUrlOf(sqsClient(), name);
  } catch (error) {
    throw new Error(`cannot find queue "${name}" (${errorMessage(error)}); set QUEUE_URL / DLQ_URL or STAGE`);
  }
}

export async function describeQueue(url: string): Promise<QueueInfo> {
  const settings = await queueSettings(sqsClient(), url);
  return { name: queueNameOf(settings.arn), url, ...settings };
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
  return (await queueDepth(sqsClient(), url)).visible;
}
