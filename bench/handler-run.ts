// The classify handler (handlers/classify.ts, middy + Powertools) on synthetic SQS events of 50 records
// against DynamoDB Local, next to the bare classifier on the same 50 texts: the difference is the handler's
// own cost per batch (BatchGet of the posts, conditional result writes, logs and metrics).
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { encodePostMessage } from '../src/domain/messages.js';
import { lambdaContext } from '../src/event-sources/lambda-context.js';
import { FUNCTIONS } from '../src/resources.js';
import type { Classifier } from '../src/classifier/index.js';
import { startStack, type TestStack } from '../test/support/stack.js';
import { sqsEvent as syntheticSqsEvent } from '../test/support/events.js';
import { log, median, type RunPlan } from './measure.js';

export interface HandlerResult {
  batchSize: number;
  handlerMsPerBatch: number;
  classifierMsPerBatch: number;
  overheadMsPerBatch: number;
  overheadShare: number;
  runs: number;
  failedRecords: number;
}

type Handler = (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;

async function writePosts(stack: TestStack, posts: Array<{ postId: string; text: string }>): Promise<void> {
  const now = new Date().toISOString();
  for (let i = 0; i < posts.length; i += 25) {
    const RequestItems = {
      [stack.stage.tables.posts]: posts.slice(i, i + 25).map((p) => ({
        PutRequest: { Item: { ...p, createdAt: now, source: 'bench', ingestedAt: now } },
      })),
    };
    const answer = await stack.clients.documents.send(new BatchWriteCommand({ RequestItems }));
    if (Object.keys(answer.UnprocessedItems ?? {}).length > 0) throw new Error('DynamoDB Local left posts unprocessed');
  }
}

export function sqsEvent(stack: TestStack, postIds: string[]): SQSEvent {
  const enqueuedAt = new Date().toISOString();
  return syntheticSqsEvent(
    postIds.map((postId) => encodePostMessage(postId, { source: 'bench', enqueuedAt })),
    {
      queueArn: stack.stage.queues.classify.arn,
      region: stack.stage.region,
      sentTimestamp: String(Date.now()),
      senderId: 'bench',
    },
  );
}

/**
 * Swallows what the handler prints while `fn` runs (Powertools logs and EMF metrics go to stdout, warnings
 * to stderr) and counts its bytes: what CloudWatch Logs would ingest from the function.
 */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ value: T; bytes: number }> {
  const { stdout, stderr } = process;
  const writes = [stdout.write, stderr.write];
  let bytes = 0;
  const count = ((chunk: string | Uint8Array) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return true;
  }) as typeof process.stdout.write;
  stdout.write = count;
  stderr.write = count;
  try {
    return { value: await fn(), bytes };
  } finally {
    [stdout.write, stderr.write] = writes;
  }
}

async function withStdoutSwallowed<T>(fn: () => Promise<T>): Promise<T> {
  return (await captureOutput(fn)).value;
}

/**
 * `classifier` must be the one the handler will get from getClassifier() (same config from process.env),
 * so both sides use the same warm model. Each timed handler run reads 50 freshly written posts.
 */
export async function timeHandler(texts: string[], classifier: Classifier, plan: RunPlan): Promise<HandlerResult> {
  const batch = texts.slice(0, FUNCTIONS.classify.batchSize);
  log('  starting DynamoDB Local + fauxqs ...');
  const stack = await startStack();
  try {
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    const { handler } = (await import('../handlers/classify.js')) as unknown as { handler: Handler };
    const fn = {
      name: 'bench-classify',
      region: stack.stage.region,
      timeoutSeconds: FUNCTIONS.classify.timeoutSeconds,
      memorySizeMb: FUNCTIONS.classify.memorySizeMb,
    };
    const handlerMs: number[] = [];
    const classifierMs: number[] = [];
    let failedRecords = 0;
    for (let run = 0; run < plan.warmups + plan.runs; run++) {
      const posts = batch.map((text, i) => ({ postId: `bench-${run}-${i}-${randomUUID().slice(0, 8)}`, text }));
      await writePosts(stack, posts);
      const event = sqsEvent(
        stack,
        posts.map((p) => p.postId),
      );
      let started = performance.now();
      const response = await withStdoutSwallowed(() => handler(event, lambdaContext(fn)));
      const elapsed = performance.now() - started;
      started = performance.now();
      await classifier.classify(batch);
      const bare = performance.now() - started;
      if (run < plan.warmups) continue;
      failedRecords += response?.batchItemFailures?.length ?? 0;
      handlerMs.push(elapsed);
      classifierMs.push(bare);
    }
    const handlerMsPerBatch = median(handlerMs);
    const classifierMsPerBatch = median(classifierMs);
    const overheadMsPerBatch = handlerMsPerBatch - classifierMsPerBatch;
    return {
      batchSize: batch.length,
      handlerMsPerBatch,
      classifierMsPerBatch,
      overheadMsPerBatch,
      overheadShare: overheadMsPerBatch / handlerMsPerBatch,
      runs: plan.runs,
      failedRecords,
    };
  } finally {
    await stack.teardown();
  }
}
