// Lambda's event source mappings, locally: the classify queue → classify handler, the results
// stream → aggregate handler, and a loop that runs both until the whole system is idle.
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { EventSource } from '../event-sources/event-source.js';
import { SqsEventSource, type SqsEventSourceOptions, type SqsHandler } from '../event-sources/sqs-event-source.js';
import {
  StreamEventSource,
  type StreamEventSourceOptions,
  type StreamHandler,
} from '../event-sources/stream-event-source.js';
import { FUNCTIONS } from '../resources.js';
import type { ProvisionedStage } from './provision.js';

export interface PipelineEventSources {
  classify: SqsEventSource;
  aggregate: StreamEventSource;
  /** The PostgreSQL sink's two mappings (results stream, failures stream), when it has a handler. */
  postgresSink: StreamEventSource[];
}

export interface PipelineHandlers {
  classify: SqsHandler;
  aggregate: StreamHandler;
  postgresSink?: StreamHandler;
}

/**
 * The two mappings serverless.yml declares, wired to a provisioned stage. Settings come from
 * resources.json; override them for tests (e.g. a short batching window).
 */
export function pipelineEventSources(
  clients: { sqs: SQSClient; streams: DynamoDBStreamsClient },
  stage: ProvisionedStage,
  handlers: PipelineHandlers,
  overrides: {
    classify?: Partial<Omit<SqsEventSourceOptions, 'sqs' | 'queue' | 'region' | 'handler'>>;
    aggregate?: Partial<
      Omit<StreamEventSourceOptions, 'streams' | 'streamArn' | 'region' | 'handler' | 'failureQueue' | 'sqs'>
    >;
  } = {},
): PipelineEventSources {
  return {
    classify: new SqsEventSource({
      sqs: clients.sqs,
      queue: stage.queues.classify,
      region: stage.region,
      handler: handlers.classify,
      function: { name: `impact-sentiment-${stage.stage}-classify` },
      ...overrides.classify,
    }),
    aggregate: new StreamEventSource({
      streams: clients.streams,
      streamArn: stage.resultsStreamArn,
      region: stage.region,
      handler: handlers.aggregate,
      failureQueue: stage.queues.streamFailures,
      sqs: clients.sqs,
      function: { name: `impact-sentiment-${stage.stage}-aggregate` },
      ...overrides.aggregate,
    }),
    postgresSink: handlers.postgresSink ? postgresSinkSources(clients, stage, handlers.postgresSink) : [],
  };
}

/** The sink's mappings as serverless.yml declares them (no tumbling window: it keeps no per-shard state). */
function postgresSinkSources(
  clients: { sqs: SQSClient; streams: DynamoDBStreamsClient },
  stage: ProvisionedStage,
  handler: StreamHandler,
): StreamEventSource[] {
  const settings = FUNCTIONS.postgresSink;
  return (['results', 'failures'] as const).map(
    (table) =>
      new StreamEventSource({
        streams: clients.streams,
        streamArn: table === 'results' ? stage.resultsStreamArn : stage.failuresStreamArn,
        region: stage.region,
        handler,
        failureQueue: stage.queues.streamFailures,
        sqs: clients.sqs,
        batchSize: settings.batchSize,
        maximumRetryAttempts: settings.maximumRetryAttempts,
        maximumRecordAgeSeconds: settings.maximumRecordAgeSeconds,
        bisectBatchOnFunctionError: settings.bisectBatchOnFunctionError,
        startingPosition: settings.startingPosition as 'TRIM_HORIZON',
        tumblingWindowSeconds: 0,
        name: `postgres-sink:${table}`,
        function: {
          name: `impact-sentiment-${stage.stage}-postgres-sink`,
          timeoutSeconds: settings.timeoutSeconds,
          memorySizeMb: settings.memorySizeMb,
        },
      }),
  );
}

export interface IdleRunProgress {
  /** Name of the source that just invoked its handler. */
  source: string;
  result: unknown;
  invocations: Record<string, number>;
  elapsedMs: number;
}

export interface RunUntilIdleOptions {
  onBatch?: (progress: IdleRunProgress) => void;
  /** Give up (throw) when the system is not idle after this long. Default 10 minutes. */
  timeoutMs?: number;
  /** Pause between idle checks while messages wait out their visibility timeout. Default 200 ms. */
  pauseMs?: number;
}

export interface IdleRunSummary {
  invocations: Record<string, number>;
  elapsedMs: number;
}

/**
 * Polls every source in turn until none has anything to deliver and all report idle in the same
 * pass (so records a handler wrote, e.g. results feeding the stream, are drained too).
 */
export async function runUntilIdle(sources: EventSource[], options: RunUntilIdleOptions = {}): Promise<IdleRunSummary> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 600_000);
  const invocations: Record<string, number> = Object.fromEntries(sources.map((s) => [s.name, 0]));
  for (;;) {
    let delivered = false;
    for (const source of sources) {
      const result = await source.pollOnce();
      if (result === undefined) continue;
      delivered = true;
      invocations[source.name] += 1;
      options.onBatch?.({
        source: source.name,
        result,
        invocations: { ...invocations },
        elapsedMs: Date.now() - started,
      });
    }
    if (!delivered && (await allIdle(sources))) return { invocations, elapsedMs: Date.now() - started };
    if (Date.now() > deadline) {
      throw new Error(
        `not idle after ${Math.round((Date.now() - started) / 1000)} s (invocations: ${JSON.stringify(invocations)})`,
      );
    }
    if (!delivered) await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 200));
  }
}

async function allIdle(sources: EventSource[]): Promise<boolean> {
  for (const source of sources) if (!(await source.isIdle())) return false;
  return true;
}
