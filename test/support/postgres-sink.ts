// Driving the PostgreSQL sink in tests: results written straight into the results table (as classify writes
// them), and the sink's two local mappings run until the streams are drained.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { pipelineEventSources, runUntilIdle, type PipelineHandlers } from '../../src/local/event-sources.js';
import type { StreamHandler } from '../../src/event-sources/stream-event-source.js';
import type { TestStack } from './stack.js';

export interface TestResult {
  postId: string;
  label: 'positive' | 'negative' | 'neutral';
  score: number;
  modelId?: string;
  classifiedAt: string;
}

/** Puts results as the classify function does (the stream carries them to the sink). */
export async function putResults(stack: TestStack, results: TestResult[]): Promise<void> {
  for (const r of results) {
    await stack.clients.documents.send(
      new PutCommand({
        TableName: stack.stage.tables.results,
        Item: {
          modelId: 'test-model',
          probabilities: { negative: 0, neutral: 0, positive: 1 },
          method: 'transformer',
          flags: [],
          source: 'twitter',
          day: '2024-05-01',
          createdAt: '2024-05-01T00:00:00Z',
          ...r,
        },
      }),
    );
  }
}

/** The sink's mappings (results and failures streams), with the other handlers when given, until idle. */
export async function runSink(
  stack: TestStack,
  sink: StreamHandler,
  others?: Omit<PipelineHandlers, 'postgresSink'>,
  timeoutMs = 120_000,
) {
  const noop = async () => ({ batchItemFailures: [] });
  const sources = pipelineEventSources(
    stack.clients,
    stack.stage,
    { classify: others?.classify ?? noop, aggregate: others?.aggregate ?? noop, postgresSink: sink },
    { classify: { maximumBatchingWindowSeconds: 0, pollWaitSeconds: 0 } },
  );
  return runUntilIdle([...(others ? [sources.classify, sources.aggregate] : []), ...sources.postgresSink], {
    timeoutMs,
  });
}
