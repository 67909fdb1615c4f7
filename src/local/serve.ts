// `npm start -- --serve`: the local pipeline as a running service. Emulators up and a fresh stage, as a
// one-shot run has, then both event source mappings keep running (classify queue -> classify, results
// stream -> aggregate) for posts that arrive from any client, until Ctrl-C or SIGTERM: then the batch
// in hand is finished, the emulators are stopped (DynamoDB Local's java included) and it exits 0.
import type { EventSource } from '../event-sources/event-source.js';
import type { SqsBatchResult } from '../event-sources/sqs-event-source.js';
import type { StreamBatchResult } from '../event-sources/stream-event-source.js';
import { pipelineEventSources } from './event-sources.js';
import { processIsRunning, startEmulators, stopAllEmulators, type QueryProtocolCall } from './emulators.js';
import { provision } from './provision.js';
import { applyEnvironment, exportBlock, stackEnvironment } from './environment.js';
import { localClients } from './clients.js';
import { formatStatus, readPipelineStatus, StatusLine } from './status-line.js';
import { QUERY_PROTOCOL_HINT } from './fauxqs.js';
import { errorMessage } from '../errors.js';

export interface ServeLoopOptions {
  /** Stops the loop once the batch in hand (if any) is finished. */
  signal: AbortSignal;
  /** Pause after a round in which no source had anything to deliver. Default 200 ms. */
  idlePauseMs?: number;
  onBatch?: (source: string, result: unknown) => Promise<void> | void;
  /** After each idle round (e.g. to refresh a status line). */
  onIdle?: () => Promise<void> | void;
  /** A poll that threw (an emulator hiccup): reported, and polling goes on after a pause. */
  onError?: (source: string, error: unknown) => void;
}

/**
 * Polls every source in turn, forever, the way Lambda's mappings do: a source's batch is delivered
 * (and finished) before the stop signal is looked at again. Answers the invocations per source.
 */
export async function serveUntilStopped(
  sources: EventSource[],
  options: ServeLoopOptions,
): Promise<Record<string, number>> {
  const invocations: Record<string, number> = Object.fromEntries(sources.map((s) => [s.name, 0]));
  const pauseMs = options.idlePauseMs ?? 200;
  while (!options.signal.aborted) {
    let delivered = false;
    for (const source of sources) {
      if (options.signal.aborted) break;
      let result: unknown;
      try {
        result = await source.pollOnce();
      } catch (error) {
        options.onError?.(source.name, error);
        await pause(pauseMs * 5, options.signal);
        continue;
      }
      if (result === undefined) continue;
      delivered = true;
      invocations[source.name] += 1;
      await options.onBatch?.(source.name, result);
    }
    if (!delivered && !options.signal.aborted) {
      await options.onIdle?.();
      await pause(pauseMs, options.signal);
    }
  }
  return invocations;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export interface ServeOptions {
  /** Posts to ingest first (JSONL or CSV), as a one-shot run would. */
  input?: string;
  visibilityTimeoutSeconds: number;
  verbose?: boolean;
}

/** How often a terminal's status line is refreshed while idle (posts may arrive from any client). */
const IDLE_REFRESH_MS = 1000;

export async function runServe(options: ServeOptions): Promise<number> {
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      console.error(`\n${signal}: finishing the batch in hand, then stopping the emulators… (again to stop at once)`);
      stop.abort();
      return;
    }
    void stopAllEmulators().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);

  const status = new StatusLine();
  const warnedClients = new Set<string>();
  const onQueryProtocolCall = ({ action, userAgent }: QueryProtocolCall) => {
    if (warnedClients.has(userAgent)) return;
    warnedClients.add(userAgent);
    status.log(`SQS ${action} refused (${userAgent.split(' ').slice(0, 3).join(' ')}): ${QUERY_PROTOCOL_HINT}.`);
  };

  console.log('Starting DynamoDB Local and fauxqs…');
  const emulators = await startEmulators({ callerHandlesSignals: true, onQueryProtocolCall });
  const stage = await provision(emulators, {
    stage: 'local',
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
  });
  const environment = stackEnvironment(emulators, stage);
  applyEnvironment(environment);
  if (!options.verbose) applyEnvironment({ POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' });
  const clients = localClients(emulators);
  // Imported only now: the handlers and the producer read their config and endpoints from the environment just set.
  const { ingestPosts, readPostsFile } = await import('../producer/ingest.js');
  const { handler: classify } = await import('../../handlers/classify.js');
  const { handler: aggregate } = await import('../../handlers/aggregate.js');
  const { resetClients } = await import('../aws/clients.js');

  try {
    if (options.input && !stop.signal.aborted) {
      console.log(`Ingesting ${options.input}…`);
      const ingest = await ingestPosts(readPostsFile(options.input), {
        postsTable: stage.tables.posts,
        queueUrl: stage.queues.classify.url,
      });
      console.log(
        `  ${ingest.read} rows read, ${ingest.stored} stored, ${ingest.enqueued} enqueued, ` +
          `${ingest.rejected.length} rejected, ${ingest.failed.length} failed`,
      );
      for (const problem of [...ingest.rejected, ...ingest.failed].slice(0, 20)) {
        console.log(`    row ${problem.row}${problem.postId ? ` (${problem.postId})` : ''}: ${problem.reason}`);
      }
    }
    printWelcome(environment, emulators.dynamodbPid);

    const sources = pipelineEventSources(clients, stage, { classify, aggregate });
    let lastRefresh = 0;
    const refresh = async () => {
      lastRefresh = Date.now();
      status.update(formatStatus(await readPipelineStatus(clients, stage)));
    };
    await refresh();
    const invocations = await serveUntilStopped([sources.classify, sources.aggregate], {
      signal: stop.signal,
      onBatch: async (source, result) => {
        const line =
          source === sources.classify.name
            ? classifyLine(result as SqsBatchResult)
            : aggregateLine(result as StreamBatchResult);
        const current = formatStatus(await readPipelineStatus(clients, stage));
        lastRefresh = Date.now();
        if (status.inPlace) status.update(`${current}  (${line})`);
        else status.update(`${line} -> ${current}`);
      },
      onIdle: async () => {
        if (status.inPlace && Date.now() - lastRefresh >= IDLE_REFRESH_MS) await refresh();
      },
      onError: (source, error) => status.log(`${source}: poll failed, retrying: ${errorMessage(error)}`),
    });
    await refresh().catch(() => undefined);
    status.end();
    console.log(
      `Stopped after ${invocations[sources.classify.name]} classify and ` +
        `${invocations[sources.aggregate.name]} aggregate invocations.`,
    );
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeListener(signal, onSignal);
    clients.destroy();
    resetClients();
    await stopAllEmulators();
  }
  console.log(
    `Emulators stopped (DynamoDB Local java pid ${emulators.dynamodbPid} ` +
      `${processIsRunning(emulators.dynamodbPid) ? 'STILL RUNNING' : 'exited'}).`,
  );
  return processIsRunning(emulators.dynamodbPid) ? 1 : 0;
}

function printWelcome(environment: Record<string, string>, javaPid: number): void {
  console.log(
    `
Serving: the classify and aggregate handlers run as posts arrive, until Ctrl-C (DynamoDB Local java pid ${javaPid}).
In another terminal, paste these variables:
${exportBlock(environment)}
Then send posts from Python (boto3 >= 1.34.90): the publish() of docs/python.md runs as is.
Or from the AWS CLI: store the post, then enqueue its ID (AWS CLI v1 needs --endpoint-url for SQS in us-east-1):
  aws dynamodb put-item --table-name $POSTS_TABLE --item '{"postId":{"S":"cli-1"},"text":{"S":"What a lovely day"},` +
      `"createdAt":{"S":"2026-12-01T10:00:00Z"},"source":{"S":"cli"}}'
  aws sqs send-message --queue-url $QUEUE_URL --message-body '{"v":1,"postId":"cli-1"}' ` +
      `--endpoint-url $AWS_ENDPOINT_URL_SQS
  aws dynamodb get-item --table-name $RESULTS_TABLE --key '{"postId":{"S":"cli-1"}}'
`,
  );
}

function classifyLine(result: SqsBatchResult): string {
  return (
    `classify batch of ${result.messageIds.length}: ${result.succeeded.length} done, ` +
    `${result.failed.length} to retry${result.error ? ` (${result.error})` : ''} [${result.handlerMs} ms]`
  );
}

function aggregateLine(result: StreamBatchResult): string {
  return (
    `aggregate batch of ${result.sequenceNumbers.length} stream records: ${result.succeeded} applied, ` +
    `${result.failed} to retry` +
    `${result.sentToFailureQueue ? `, ${result.sentToFailureQueue} to the stream-failure queue` : ''}` +
    `${result.error ? ` (${result.error})` : ''} [${result.handlerMs} ms]`
  );
}
