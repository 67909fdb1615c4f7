// npm run bench -- --pipeline: the write path on DynamoDB Local. A burst of results is written to the results
// table as classify writes them; its stream records are read back from DynamoDB Streams and given to the
// aggregate handler (handlers/aggregate.ts) in batches of the mapping's size and, on tables of their own, to the
// per-record reference (one transaction each), in alternating rounds. The classify handler runs on a sample of
// SQS events of 50.
// Every DynamoDB call's consumed capacity is counted (capacity.ts), and what each handler logs.
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
} from '@aws-sdk/client-dynamodb-streams';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { dynamoDbClient } from '../src/aws/clients.js';
import { batchWriteItems, scanItems } from '../src/aws/dynamodb.js';
import { vcpusForMemory } from '../src/config.js';
import { isBookkeepingKey, keyId, recount } from '../src/domain/aggregation.js';
import { counterDifferences, countersOf } from '../src/domain/aggregate-differences.js';
import { buildResult, type ResultItem } from '../src/domain/results.js';
import { sentimentFromProbabilities } from '../src/domain/sentiment.js';
import { lambdaContext, type LocalFunction } from '../src/event-sources/lambda-context.js';
import { seededRandom } from '../src/local/seeded-random.js';
import { applyEnvironment } from '../src/local/environment.js';
import { provision } from '../src/local/provision.js';
import { toLambdaStreamRecord } from '../src/event-sources/stream-records.js';
import { FUNCTIONS } from '../src/resources.js';
import { startStack, type TestStack } from '../test/support/stack.js';
import { CapacityMeter, itemBytes, type Units } from './capacity.js';
import { captureOutput, sqsEvent } from './handler-run.js';
import { log, median } from './measure.js';
import { applyOneTransactionPerRecord } from './per-record-aggregate.js';
import { samplePosts } from './posts.js';

export interface PipelineRunOptions {
  /** Results in the burst (the issue asks for at least 20,000). */
  burst: number;
  /** Posts the classify handler scores, in SQS events of 50 (after one warm-up event). */
  classifyPosts: number;
  seed: number;
}

export interface HandlerMeasurement {
  invocations: number;
  /** Invocations again after a partial batch response or a thrown error (the mapping's retries). */
  retries: number;
  /** Records still failed after the retries. */
  failedRecords: number;
  seconds: number;
  msPerInvocation: number;
  logBytesPerInvocation: number;
  units: Units;
}

export interface PipelineMeasurement {
  burst: { records: number; sources: number; days: number; writeSeconds: number; batchSize: number };
  aggregate: HandlerMeasurement & { matchesRecount: boolean; largestItemBytes: number };
  reference: { seconds: number; units: Units; matchesRecount: boolean };
  classify: HandlerMeasurement & { posts: number; postsPerInvocation: number; memoryMb: number; method: string };
  producer: { posts: number; units: Units };
}

const BURST_SOURCES = ['twitter', 'reddit', 'news', 'forums'];
const BURST_DAYS = 7;
const ROUNDS = 4;

/**
 * The burst: results as classify writes them, a backfill of 7 days in arrival order (a day's posts arrive
 * together, so a stream batch mostly holds one or two days), the 4 sources and the labels mixed.
 */
function burstResults(count: number, seed: number): ResultItem[] {
  const random = seededRandom(seed);
  const classifiedAt = new Date();
  return Array.from({ length: count }, (_, i) => {
    const day = `2026-11-${String(1 + Math.floor((i * BURST_DAYS) / count)).padStart(2, '0')}`;
    const [a, b] = [random(), random()];
    const probabilities = { negative: a * (1 - b), neutral: (1 - a) * (1 - b), positive: b };
    const post = {
      postId: `burst-${i}`,
      text: '',
      createdAt: `${day}T${String(i % 24).padStart(2, '0')}:00:00Z`,
      source: BURST_SOURCES[Math.floor(random() * BURST_SOURCES.length)],
    };
    return buildResult(
      post,
      sentimentFromProbabilities(probabilities, 'impact-sentiment-v2', 'transformer', {}),
      classifiedAt,
    );
  });
}

/** Stream records in stream order, shard after shard, and the shard each came from. */
interface StreamRecords {
  records: DynamoDBRecord[];
  shardOf: Map<DynamoDBRecord, string>;
  streamArn: string;
}

/** Every record of the stream, shard by shard (DynamoDB Local keeps a table's stream in one or few shards). */
async function readStream(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  region: string,
  expected: number,
): Promise<StreamRecords> {
  const records: DynamoDBRecord[] = [];
  const shardOf = new Map<DynamoDBRecord, string>();
  const deadline = Date.now() + 120_000;
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    let emptyReads = 0;
    while (iterator && records.length < expected && emptyReads < 3 && Date.now() < deadline) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      for (const raw of page.Records ?? []) {
        const record = toLambdaStreamRecord(raw, streamArn, region);
        records.push(record);
        shardOf.set(record, shard.ShardId ?? '');
      }
      emptyReads = (page.Records ?? []).length === 0 ? emptyReads + 1 : 0;
      iterator = page.NextShardIterator;
    }
  }
  if (records.length !== expected) throw new Error(`read ${records.length} stream records, expected ${expected}`);
  return { records, shardOf, streamArn };
}

/**
 * Whether the stored aggregates equal a recount of the results (markers left out), and the largest item of the
 * table (markers included): transactions are counted as 1 KB per Update (capacity.ts), which this confirms.
 */
async function checkAggregates(
  aggregatesTable: string,
  results: ResultItem[],
): Promise<{ matches: boolean; largestItemBytes: number }> {
  const expected = recount(results);
  let matched = 0;
  let matches = true;
  let largestItemBytes = 0;
  for await (const item of scanItems(aggregatesTable)) {
    largestItemBytes = Math.max(largestItemBytes, itemBytes(item));
    const key = { pk: String(item.pk), sk: String(item.sk) };
    if (isBookkeepingKey(key)) continue;
    const wanted = expected.get(keyId(key));
    if (wanted && counterDifferences(countersOf(item), wanted.counters).length === 0) matched += 1;
    else matches = false;
  }
  return { matches: matches && matched === expected.size, largestItemBytes };
}

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;
type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

interface AggregateTally {
  invocations: number;
  retries: number;
  failedRecords: number;
  logBytes: number;
  ms: number;
}

/**
 * Gives `records` to the handler in batches of the mapping's size, one shard per batch and named in the event
 * as the tumbling-window mapping does, retrying from a failed record as the mapping does.
 */
async function runAggregate(
  handler: StreamHandler,
  fn: LocalFunction,
  stream: StreamRecords,
  records: DynamoDBRecord[],
  tally: AggregateTally,
): Promise<void> {
  const batchSize = FUNCTIONS.aggregate.batchSize;
  const started = performance.now();
  for (let i = 0; i < records.length; ) {
    const shardId = stream.shardOf.get(records[i]) ?? '';
    let end = i + 1;
    while (end < records.length && end - i < batchSize && stream.shardOf.get(records[end]) === shardId) end += 1;
    let pending = records.slice(i, end);
    i = end;
    const windowed = { shardId, eventSourceARN: stream.streamArn, state: {} };
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) tally.retries += 1;
      if (attempt > FUNCTIONS.aggregate.maximumRetryAttempts) {
        tally.failedRecords += pending.length;
        break;
      }
      tally.invocations += 1;
      const { value: response, bytes } = await captureOutput(() =>
        handler({ ...windowed, Records: pending } as DynamoDBStreamEvent, lambdaContext(fn)).catch(() => undefined),
      );
      tally.logBytes += bytes;
      if (response === undefined) continue; // threw: the whole batch again
      const failed = (response?.batchItemFailures ?? []).map((f) =>
        pending.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier),
      );
      pending = failed.length === 0 ? [] : pending.slice(Math.max(0, Math.min(...failed)));
    }
  }
  tally.ms += performance.now() - started;
}

async function runClassify(
  stack: TestStack,
  handler: QueueHandler,
  posts: Array<{ postId: string; text: string }>,
  meter: CapacityMeter,
) {
  const fn: LocalFunction = {
    name: 'bench-classify',
    region: stack.stage.region,
    timeoutSeconds: FUNCTIONS.classify.timeoutSeconds,
    memorySizeMb: FUNCTIONS.classify.memorySizeMb,
  };
  const size = FUNCTIONS.classify.batchSize;
  const createdAt = new Date().toISOString();
  await meter.measure('producer', async () => {
    const failures = await batchWriteItems(
      stack.stage.tables.posts,
      posts.map((p, i) => ({
        ...p,
        createdAt,
        source: BURST_SOURCES[i % BURST_SOURCES.length],
        ingestedAt: createdAt,
      })),
    );
    if (failures.length > 0) throw new Error(`${failures.length} posts not written: ${failures[0].error}`);
  });
  // The first event loads the model (a cold start): not measured.
  const warmUp = await captureOutput(() =>
    handler(
      sqsEvent(
        stack,
        posts.slice(0, size).map((p) => p.postId),
      ),
      lambdaContext(fn),
    ),
  );
  if ((warmUp.value?.batchItemFailures ?? []).length > 0) throw new Error('classify warm-up batch failed');
  let invocations = 0;
  let failedRecords = 0;
  let logBytes = 0;
  const elapsed: number[] = [];
  await meter.measure('classify', async () => {
    for (let i = size; i < posts.length; i += size) {
      const event = sqsEvent(
        stack,
        posts.slice(i, i + size).map((p) => p.postId),
      );
      const started = performance.now();
      const { value, bytes } = await captureOutput(() => handler(event, lambdaContext(fn)));
      elapsed.push(performance.now() - started);
      invocations += 1;
      logBytes += bytes;
      failedRecords += value?.batchItemFailures?.length ?? 0;
    }
  });
  const scored = posts.length - size;
  const sample = (
    await stack.clients.documents.send(
      new GetCommand({ TableName: stack.stage.tables.results, Key: { postId: posts[size].postId } }),
    )
  ).Item;
  return {
    posts: scored,
    postsPerInvocation: scored / invocations,
    memoryMb: fn.memorySizeMb,
    method: String(sample?.method ?? 'unknown'),
    // The median invocation: a busy spell of the machine shows up in one, not in the cost of all.
    invocations,
    retries: 0,
    failedRecords,
    seconds: elapsed.reduce((a, b) => a + b, 0) / 1000,
    msPerInvocation: median(elapsed),
    logBytesPerInvocation: logBytes / invocations,
    units: meter.units('classify'),
  };
}

export async function measurePipeline(options: PipelineRunOptions): Promise<PipelineMeasurement> {
  // As deployed: one ORT thread at classify's 1,769 MB, INFO logs (serverless.yml's LOG_LEVEL), metrics on.
  process.env.ORT_THREADS = String(vcpusForMemory(FUNCTIONS.classify.memorySizeMb));
  process.env.LOG_LEVEL = 'INFO';
  delete process.env.POWERTOOLS_LOG_LEVEL;
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.POWERTOOLS_DEV;
  log('  starting DynamoDB Local + fauxqs ...');
  const stack = await startStack();
  try {
    const meter = new CapacityMeter();
    meter.install(dynamoDbClient());
    const { logger } = await import('../src/observability.js');
    logger.setLogLevel('INFO');
    const aggregateHandler = (await import('../handlers/aggregate.js')).handler as unknown as StreamHandler;
    const classifyHandler = (await import('../handlers/classify.js')).handler as unknown as QueueHandler;

    log(`  writing a burst of ${options.burst} results ...`);
    const results = burstResults(options.burst, options.seed);
    const started = performance.now();
    const failures = await batchWriteItems(
      stack.stage.tables.results,
      results as unknown as Array<Record<string, unknown>>,
    );
    if (failures.length > 0) throw new Error(`${failures.length} results not written: ${failures[0].error}`);
    const writeSeconds = (performance.now() - started) / 1000;
    const stream = await readStream(
      stack.clients.streams,
      stack.stage.resultsStreamArn,
      stack.stage.region,
      results.length,
    );
    const { records } = stream;

    // Both sides on their own tables of the same DynamoDB Local, warmed up first, then in alternating rounds
    // (which goes first alternates too), so a slow spell of the machine hits both.
    const aggregateFn: LocalFunction = {
      name: 'bench-aggregate',
      region: stack.stage.region,
      timeoutSeconds: FUNCTIONS.aggregate.timeoutSeconds,
      memorySizeMb: FUNCTIONS.aggregate.memorySizeMb,
    };
    const referenceStage = await provision(stack.emulators, { stage: `${stack.stage.stage}ref` });
    const warmStage = await provision(stack.emulators, { stage: `${stack.stage.stage}warm` });
    const warmRecords = records.slice(0, Math.min(300, Math.ceil(records.length / 10)));
    const untimed: AggregateTally = { invocations: 0, retries: 0, failedRecords: 0, logBytes: 0, ms: 0 };
    const restore = applyEnvironment({ AGGREGATES_TABLE: warmStage.tables.aggregates });
    try {
      await runAggregate(aggregateHandler, aggregateFn, stream, warmRecords, untimed);
    } finally {
      restore();
    }
    const warmReference = await provision(stack.emulators, { stage: `${stack.stage.stage}warmref` });
    await applyOneTransactionPerRecord(warmReference.tables.aggregates, warmRecords);
    const tally: AggregateTally = { invocations: 0, retries: 0, failedRecords: 0, logBytes: 0, ms: 0 };
    let referenceMs = 0;
    const batchSize = FUNCTIONS.aggregate.batchSize;
    // Whole batches, as the mapping sends them.
    const roundSize = Math.ceil(records.length / ROUNDS / batchSize) * batchSize;
    log(
      `  aggregate handler vs one transaction per record over ${records.length} stream records, ` +
        `batches of ${FUNCTIONS.aggregate.batchSize}, ${ROUNDS} alternating rounds ...`,
    );
    for (let round = 0; round < ROUNDS; round++) {
      const slice = records.slice(round * roundSize, (round + 1) * roundSize);
      const handlerSide = () =>
        meter.measure('aggregate', () => runAggregate(aggregateHandler, aggregateFn, stream, slice, tally));
      const referenceSide = async () => {
        const started = performance.now();
        await meter.measure('reference', () => applyOneTransactionPerRecord(referenceStage.tables.aggregates, slice));
        referenceMs += performance.now() - started;
      };
      if (round % 2 === 0) {
        await handlerSide();
        await referenceSide();
      } else {
        await referenceSide();
        await handlerSide();
      }
      log(
        `    round ${round + 1}/${ROUNDS}: handler ${(tally.ms / 1000).toFixed(1)} s, ` +
          `reference ${(referenceMs / 1000).toFixed(1)} s so far`,
      );
    }
    const seconds = tally.ms / 1000;
    const aggregate: HandlerMeasurement = {
      invocations: tally.invocations,
      retries: tally.retries,
      failedRecords: tally.failedRecords,
      seconds,
      msPerInvocation: tally.ms / tally.invocations,
      logBytesPerInvocation: tally.logBytes / tally.invocations,
      units: meter.units('aggregate'),
    };
    const handlerCheck = await checkAggregates(stack.stage.tables.aggregates, results);
    const referenceCheck = await checkAggregates(referenceStage.tables.aggregates, results);
    const reference = {
      seconds: referenceMs / 1000,
      units: meter.units('reference'),
      matchesRecount: referenceCheck.matches,
    };

    log(
      `  classify handler on ${options.classifyPosts} posts ` +
        `in SQS events of ${FUNCTIONS.classify.batchSize} (+1 warm-up event) ...`,
    );
    const texts = samplePosts(options.classifyPosts + FUNCTIONS.classify.batchSize, options.seed);
    const posts = texts.map((text, i) => ({ postId: `classify-${i}`, text }));
    const classify = await runClassify(stack, classifyHandler, posts, meter);

    return {
      burst: {
        records: records.length,
        sources: BURST_SOURCES.length,
        days: BURST_DAYS,
        writeSeconds,
        batchSize: FUNCTIONS.aggregate.batchSize,
      },
      aggregate: {
        ...aggregate,
        matchesRecount: handlerCheck.matches,
        largestItemBytes: handlerCheck.largestItemBytes,
      },
      reference,
      classify,
      producer: { posts: posts.length, units: meter.units('producer') },
    };
  } finally {
    await stack.teardown();
  }
}
