// `npm start -- --serve`: the local pipeline as a running service. Emulators up and a fresh stage, as a
// one-shot run has, then both event source mappings keep running (classify queue -> classify, results
// stream -> aggregate; with --postgres also both streams -> the PostgreSQL sink) for posts that arrive from any
// client, until Ctrl-C or SIGTERM: then the batch in hand is finished, the emulators are stopped (DynamoDB
// Local's java included) and it exits 0. --port-base fixes the ports and --persist keeps DynamoDB Local's data,
// so a restart prints the same variables and finds the stage as it was.
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
import { parseSinkColumns } from '../domain/postgres-columns.js';
import { EMBEDDED_POSTGRES, startEmbeddedPostgres } from './embedded-postgres.js';
import type { LocalPostgres } from './postgres-server.js';

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
  /** DynamoDB Local on this port, SQS on the next (instead of free ports). */
  portBase?: number;
  /** DynamoDB Local's data kept in this directory (absolute path) across restarts. */
  persist?: string;
  /** Run the PostgreSQL sink too: the environment it reads (POSTGRES_URL, POSTGRES_SINK_TABLE, ...). */
  postgresSink?: Record<string, string>;
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

  let embedded: LocalPostgres | undefined;
  if (options.postgresSink?.POSTGRES_URL === EMBEDDED_POSTGRES) {
    console.log('Starting PostgreSQL…');
    try {
      embedded = await startEmbeddedPostgres({
        table: options.postgresSink.POSTGRES_SINK_TABLE,
        columns: options.postgresSink.POSTGRES_SINK_COLUMNS,
        persist: options.persist,
        port: options.portBase === undefined ? undefined : options.portBase + 2,
      });
    } catch (error) {
      console.error(`npm start: --postgres: ${errorMessage(error)}`);
      return 2;
    }
    options.postgresSink.POSTGRES_URL = embedded.url;
  }
  if (options.postgresSink) {
    const problem = await sinkTableProblem(options.postgresSink);
    if (problem) {
      console.error(`npm start: --postgres: ${problem}`);
      await embedded?.stop();
      return 2;
    }
  }

  const status = new StatusLine();
  const warnedClients = new Set<string>();
  const onQueryProtocolCall = ({ action, userAgent }: QueryProtocolCall) => {
    if (warnedClients.has(userAgent)) return;
    warnedClients.add(userAgent);
    status.log(`SQS ${action} refused (${userAgent.split(' ').slice(0, 3).join(' ')}): ${QUERY_PROTOCOL_HINT}.`);
  };

  console.log('Starting DynamoDB Local and fauxqs…');
  const emulators = await startEmulators({
    callerHandlesSignals: true,
    onQueryProtocolCall,
    dynamodbPort: options.portBase,
    sqsPort: options.portBase === undefined ? undefined : options.portBase + 1,
    dbPath: options.persist,
  });
  const stage = await provision(emulators, {
    stage: 'local',
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
  });
  const environment = stackEnvironment(emulators, stage);
  applyEnvironment(environment);
  if (options.postgresSink) applyEnvironment(options.postgresSink);
  if (!options.verbose) applyEnvironment({ POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' });
  const clients = localClients(emulators);
  // Imported only now: the handlers and the producer read their config and endpoints from the environment just set.
  const { ingestPosts, readPostsFile } = await import('../producer/ingest.js');
  const { handler: classify } = await import('../../handlers/classify.js');
  const { handler: aggregate } = await import('../../handlers/aggregate.js');
  const postgresSink = options.postgresSink ? (await import('../../handlers/postgres-sink.js')).handler : undefined;
  const { resetClients } = await import('../aws/clients.js');
  const { resetPostgresPool } = await import('../postgres/pool.js');

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
    printWelcome(environment, emulators.dynamodbPid, options, embedded?.url);

    const sources = pipelineEventSources(clients, stage, { classify, aggregate, postgresSink });
    let lastRefresh = 0;
    const refresh = async () => {
      lastRefresh = Date.now();
      status.update(formatStatus(await readPipelineStatus(clients, stage)));
    };
    await refresh();
    const invocations = await serveUntilStopped([sources.classify, sources.aggregate, ...sources.postgresSink], {
      signal: stop.signal,
      onBatch: async (source, result) => {
        const line =
          source === sources.classify.name
            ? classifyLine(result as SqsBatchResult)
            : streamLine(source === sources.aggregate.name ? 'aggregate' : source, result as StreamBatchResult);
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
    const sinkInvocations = sources.postgresSink.reduce((sum, source) => sum + invocations[source.name], 0);
    console.log(
      `Stopped after ${invocations[sources.classify.name]} classify and ` +
        `${invocations[sources.aggregate.name]} aggregate invocations` +
        `${postgresSink ? `, ${sinkInvocations} PostgreSQL sink invocations` : ''}.`,
    );
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeListener(signal, onSignal);
    clients.destroy();
    resetClients();
    await resetPostgresPool();
    await embedded?.stop();
    await stopAllEmulators();
  }
  console.log(
    `Emulators stopped (DynamoDB Local java pid ${emulators.dynamodbPid} ` +
      `${processIsRunning(emulators.dynamodbPid) ? 'STILL RUNNING' : 'exited'}).`,
  );
  return processIsRunning(emulators.dynamodbPid) ? 1 : 0;
}

/** Why the sink could not write to the configured table (unreachable, no such table or column), checked up front. */
async function sinkTableProblem(environment: Record<string, string>): Promise<string | undefined> {
  const { loadPostgresSink } = await import('../config.js');
  const { describeSinkTable, SinkTableError } = await import('../postgres/results-writer.js');
  const { default: pg } = await import('pg');
  const sink = loadPostgresSink(environment);
  const client = new pg.Client({ connectionString: sink.connection.url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await describeSinkTable(client, sink);
    return undefined;
  } catch (error) {
    return error instanceof SinkTableError ? error.message : errorMessage(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function printWelcome(
  environment: Record<string, string>,
  javaPid: number,
  options: ServeOptions,
  embeddedPostgres: string | undefined,
): void {
  const sink = options.postgresSink
    ? `\nScores go back to PostgreSQL: table ${options.postgresSink.POSTGRES_SINK_TABLE}, ` +
      `columns ${Object.entries(parseSinkColumns(options.postgresSink.POSTGRES_SINK_COLUMNS))
        .map(([field, column]) => `${field}=${column}`)
        .join(',')}.`
    : '';
  const own = embeddedPostgres
    ? `\n  export POSTGRES_URL=${embeddedPostgres}   # its own PostgreSQL, started here (no password)`
    : '';
  const kept = options.persist
    ? `\nDynamoDB Local keeps its data in ${options.persist} (the stage survives a restart; the queues start empty).`
    : '';
  console.log(
    `
Serving: the classify and aggregate handlers run as posts arrive, until Ctrl-C (DynamoDB Local java pid ${javaPid}).` +
      `${sink}${kept}
In another terminal, paste these variables:
${exportBlock(environment)}${own}
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

function streamLine(name: string, result: StreamBatchResult): string {
  return (
    `${name} batch of ${result.sequenceNumbers.length} stream records: ${result.succeeded} done, ` +
    `${result.failed} to retry` +
    `${result.sentToFailureQueue ? `, ${result.sentToFailureQueue} to the stream-failure queue` : ''}` +
    `${result.error ? ` (${result.error})` : ''} [${result.handlerMs} ms]`
  );
}
