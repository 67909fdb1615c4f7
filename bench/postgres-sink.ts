// npm run bench -- --postgres-sink: how soon a scored post's row is updated in PostgreSQL under `--serve`. The
// serve loop runs as `npm start -- --serve --postgres URL` runs it (the real classify, aggregate and sink handlers,
// the mappings' settings from resources.json, one process) against DynamoDB Local, fauxqs and a real PostgreSQL
// 15; posts arrive at a steady rate from the producer. A post counts as scored when the classify invocation that
// wrote its result returns; its row as updated at the clock_timestamp() a trigger stamps on the UPDATE. The target
// is p99 within 5 s; enqueue -> row updated is reported beside it.
import type { SQSEvent } from 'aws-lambda';
import { startEmulators, stopAllEmulators } from '../src/local/emulators.js';
import { provision } from '../src/local/provision.js';
import { applyEnvironment, stackEnvironment } from '../src/local/environment.js';
import { localClients } from '../src/local/clients.js';
import { pipelineEventSources } from '../src/local/event-sources.js';
import { serveUntilStopped } from '../src/local/serve.js';
import { startLocalPostgres } from '../src/local/postgres-server.js';
import { parsePostMessage } from '../src/domain/messages.js';
import { FUNCTIONS } from '../src/resources.js';
import { log } from './measure.js';
import { samplePosts } from './posts.js';

export interface SinkLatencyOptions {
  posts: number;
  perSecond: number;
  seed: number;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface SinkLatencyResult {
  posts: number;
  perSecond: number;
  rowsUpdated: number;
  /** Classify invocation returned (result written) -> row updated, ms. */
  sinkMs: Percentiles;
  /** Enqueued -> row updated, ms (includes classify's batching window and the model). */
  endToEndMs: Percentiles;
  targetP99Ms: number;
  sinkInvocations: number;
}

const TARGET_P99_MS = 5_000;

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}

export async function measureSinkLatency(options: SinkLatencyOptions): Promise<SinkLatencyResult> {
  const [emulators, server] = await Promise.all([startEmulators(), startLocalPostgres()]);
  const stop = new AbortController();
  try {
    const stage = await provision(emulators, {
      stage: 'benchsink',
      visibilityTimeoutSeconds: FUNCTIONS.classify.maximumBatchingWindowSeconds + FUNCTIONS.classify.timeoutSeconds,
    });
    applyEnvironment({
      ...stackEnvironment(emulators, stage),
      POSTGRES_URL: server.url,
      POSTGRES_SINK_TABLE: 'tweets',
      POSTGRES_SINK_COLUMNS: '',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const { default: pg } = await import('pg');
    const db = new pg.Client({ connectionString: server.url });
    await db.connect();
    const ids = Array.from({ length: options.posts }, (_, i) => String(9_000_000_000 + i));
    await db.query(`CREATE TABLE tweets (id bigint PRIMARY KEY, text text, sentiment text, sentiment_score real,
      sentiment_scored_at timestamptz, written_at timestamptz)`);
    await db.query(`CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN NEW.written_at := clock_timestamp(); RETURN NEW; END $$`);
    await db.query('CREATE TRIGGER stamp BEFORE UPDATE ON tweets FOR EACH ROW EXECUTE FUNCTION stamp()');
    const texts = samplePosts(options.posts, options.seed);
    await db.query('INSERT INTO tweets (id, text) SELECT * FROM unnest($1::bigint[], $2::text[])', [ids, texts]);

    // Imported only now: the handlers read their settings from the environment just set.
    const { handler: classify } = await import('../handlers/classify.js');
    const { handler: aggregate } = await import('../handlers/aggregate.js');
    const { handler: postgresSink } = await import('../handlers/postgres-sink.js');
    const { ingestPosts } = await import('../src/producer/ingest.js');
    const scoredAt = new Map<string, number>();
    const timedClassify = async (event: SQSEvent, context: Parameters<typeof classify>[1]) => {
      const response = await classify(event, context);
      const now = Date.now();
      for (const record of event.Records) {
        const parsed = parsePostMessage(record.body);
        if (parsed.ok && !scoredAt.has(parsed.message.postId)) scoredAt.set(parsed.message.postId, now);
      }
      return response;
    };
    const clients = localClients(emulators);
    const sources = pipelineEventSources(clients, stage, { classify: timedClassify, aggregate, postgresSink });
    const serving = serveUntilStopped([sources.classify, sources.aggregate, ...sources.postgresSink], {
      signal: stop.signal,
      onError: (source, error) => log(`${source}: ${String(error)}`),
    });

    // The producer: posts in one-second rounds of perSecond.
    const enqueuedAt = new Map<string, number>();
    log(`sink latency: ${options.posts} posts at ${options.perSecond}/s under the serve loop`);
    for (let start = 0; start < ids.length; start += options.perSecond) {
      const round = Date.now();
      const chunk = ids.slice(start, start + options.perSecond);
      for (const id of chunk) enqueuedAt.set(id, Date.now());
      await ingestPosts(
        chunk.map((postId, i) => ({ postId, text: texts[start + i], createdAt: '2026-12-01T10:00:00Z' })),
        { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url },
      );
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1_000 - (Date.now() - round))));
    }
    const deadline = Date.now() + 300_000;
    let written: Array<{ id: string; at: Date }> = [];
    while (Date.now() < deadline) {
      written = (await db.query('SELECT id::text AS id, written_at AS at FROM tweets WHERE written_at IS NOT NULL'))
        .rows;
      if (written.length === ids.length) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    stop.abort();
    const invocations = await serving;
    await db.end();
    clients.destroy();
    const measured = written.filter((row) => scoredAt.has(row.id));
    return {
      posts: options.posts,
      perSecond: options.perSecond,
      rowsUpdated: written.length,
      sinkMs: percentiles(measured.map((row) => row.at.getTime() - scoredAt.get(row.id)!)),
      endToEndMs: percentiles(measured.map((row) => row.at.getTime() - enqueuedAt.get(row.id)!)),
      targetP99Ms: TARGET_P99_MS,
      sinkInvocations: sources.postgresSink.reduce((sum, s) => sum + invocations[s.name], 0),
    };
  } finally {
    stop.abort();
    await (await import('../src/postgres/pool.js')).resetPostgresPool();
    await stopAllEmulators();
    await server.stop();
  }
}

export function formatSinkLatency(r: SinkLatencyResult): string {
  const row = (label: string, p: Percentiles) =>
    `  ${label.padEnd(36)} p50 ${String(p.p50).padStart(6)} ms   p99 ${String(p.p99).padStart(6)} ms   max ${p.max} ms`;
  return [
    `PostgreSQL sink under the serve loop: ${r.posts} posts at ${r.perSecond}/s, ${r.rowsUpdated} rows updated, ` +
      `${r.sinkInvocations} sink invocations`,
    row('scored (classify returned) -> row', r.sinkMs),
    row('enqueued -> row', r.endToEndMs),
    `  target: p99 scored -> row within ${r.targetP99Ms} ms: ${r.sinkMs.p99 <= r.targetP99Ms ? 'PASS' : 'MISS'}`,
  ].join('\n');
}
