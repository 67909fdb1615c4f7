// The whole pipeline under injected faults, for the heavy-fault test and `npm run bench -- --faults`: DynamoDB
// and SQS behind fault proxies (throttles, 5xx, connection resets before and after the call took effect,
// batch calls answered in part), a routed (English + multilingual) classifier whose model calls and loads
// fail, classify invocations that crash mid-batch, and duplicate deliveries. Every fault is drawn from a
// seeded hash of what it hits, so a failing run can be reproduced. Then it counts what an operator would ask:
// posts lost, aggregate items that differ from a recount, double counts, valid and scored posts in the DLQ.
//
// Import it after the environment is set (it loads the modules that create the Powertools singletons).
import middy from '@middy/core';
import { SQSClient } from '@aws-sdk/client-sqs';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { SQSEvent, Context } from 'aws-lambda';
import { resetClients } from '../../src/aws/clients.js';
import { onConsumedCapacity } from '../../src/aws/consumed-capacity.js';
import { RoutingClassifier, type TextScoringModel } from '../../src/classifier/routing.js';
import { LexiconClassifier } from '../../src/classifier/lexicon.js';
import { identifyLanguage } from '../../src/classifier/language.js';
import { encodePostMessage } from '../../src/domain/messages.js';
import { ALL_SOURCES_PK, keyId, recount, zeroCounters } from '../../src/domain/aggregation.js';
import { counterDifferences } from '../../src/domain/aggregate-differences.js';
import { CountedResultSchema } from '../../src/domain/results.js';
import { SqsEventSource } from '../../src/event-sources/sqs-event-source.js';
import { applyEnvironment } from '../../src/local/environment.js';
import { DUMMY_CREDENTIALS } from '../../src/local/emulators.js';
import { pipelineEventSources, runUntilIdle } from '../../src/local/event-sources.js';
import { generateSamplePosts } from '../../src/local/sample-posts.js';
import { metrics } from '../../src/observability.js';
import { createClassifyBatch } from '../../src/pipeline/classify.js';
import { createAggregateBatch } from '../../src/pipeline/aggregate.js';
import { ingestPosts } from '../../src/producer/ingest.js';
import { readAggregates } from './aggregates.js';
import {
  startFaultProxy,
  SERVICE_FAULT,
  THROTTLED_DYNAMODB,
  THROTTLED_SQS,
  UNPROCESSED_DYNAMODB,
  type Fault,
} from './fault-proxy.js';
import { attribute, drainQueue, sendBodies } from './queues.js';
import { metricNames, tapJsonLines } from './emf.js';
import type { TestStack } from './stack.js';
import { readResults } from './tables.js';

/** The rates the pipeline was built against (the exactly-once and aggregate fault tests, issue #26). */
export interface FaultRates {
  /** Share of the app's DynamoDB requests faulted. */
  dynamodb: number;
  /** Share of SQS requests faulted (the function's DLQ sends and visibility changes, the poller's deletes). */
  sqs: number;
  /** Share of model calls that fail, per model. */
  modelCall: number;
  /** Share of classifier loads that fail. */
  modelLoad: number;
  /** Share of classify invocations that crash mid-batch (no answer: the whole batch comes back). */
  crash: number;
  /** Share of posts whose message is delivered twice. */
  duplicates: number;
}

export const TODAYS_FAULT_RATES: FaultRates = {
  dynamodb: 0.09,
  sqs: 0.08,
  modelCall: 0.06,
  modelLoad: 0.02,
  crash: 0.02,
  duplicates: 0.05,
};

export function faultRates(multiple: number): FaultRates {
  const scaled = Object.entries(TODAYS_FAULT_RATES).map(([name, rate]) => [name, Math.min(0.9, rate * multiple)]);
  return Object.fromEntries(scaled) as unknown as FaultRates;
}

export interface FaultRunOptions {
  /** Valid posts (generated sample posts: about one in five not English). */
  posts: number;
  /** Multiple of TODAYS_FAULT_RATES. */
  rate: number;
  seed?: number;
  timeoutMs?: number;
  /**
   * Share of posts whose text every model call fails on (a text that breaks the model): they must be isolated
   * from their batch-mates and end scored by the lexicon on their last receive. Default 0.
   */
  poison?: number;
  /** Called after each delivered batch (progress). */
  onBatch?: (invocations: number, elapsedMs: number) => void;
}

export interface FaultRunReport {
  posts: number;
  rates: FaultRates;
  /** Valid posts neither scored nor in the DLQ. */
  lost: number;
  /** Aggregate items whose counters differ from a recount of the results table. */
  aggregateMismatches: number;
  /** Posts counted more than once in the all-sources aggregates. */
  doubleCounts: number;
  validInDlq: number;
  scoredInDlq: number;
  dlqByReason: Record<string, number>;
  /** Results scored by the lexicon (last-receive fallbacks). */
  lexiconResults: number;
  /** The posts every model call failed on, and how many of them ended scored by the lexicon. */
  poisoned: { posts: number; lexicon: number };
  requests: { dynamodb: { calls: number; faults: number }; sqs: { calls: number; faults: number } };
  model: { calls: number; failed: number; loads: number; failedLoads: number };
  invocations: number;
  crashes: number;
  duplicatesSent: number;
  /** Sums of the EMF metrics the functions emitted, by name. */
  metrics: Record<string, number>;
  elapsedMs: number;
  postsPerSecond: number;
  writeUnitsPerPost: number;
}

/** A number in [0, 1) from the seed and what it decides (FNV-1a, then a xorshift mix). */
export function hashRandom(seed: number, ...parts: Array<string | number>): number {
  let h = 2166136261 ^ seed;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 16777619);
  }
  h ^= h >>> 13;
  h = Math.imul(h, 0x5bd1e995);
  h ^= h >>> 15;
  return (h >>> 0) / 2 ** 32;
}

const BATCH_CALLS = new Set([
  'DynamoDB_20120810.BatchGetItem',
  'DynamoDB_20120810.BatchWriteItem',
  'AmazonSQS.SendMessageBatch',
  'AmazonSQS.DeleteMessageBatch',
  'AmazonSQS.ChangeMessageVisibilityBatch',
]);
const SQS_FAULTED = new Set([
  'AmazonSQS.SendMessageBatch',
  'AmazonSQS.DeleteMessageBatch',
  'AmazonSQS.ChangeMessageVisibilityBatch',
  'AmazonSQS.ReceiveMessage',
]);

/** The fault for the n-th call of an operation: an error answer, a reset, or (batch calls) a partial answer. */
function faultFor(seed: number, rate: number, operation: string, n: number, throttled: Fault): Fault | undefined {
  if (hashRandom(seed, operation, n) >= rate) return undefined;
  const kinds: Fault[] = [throttled, SERVICE_FAULT, { reset: 'before' }];
  // A receive whose answer is lost would only burn a receive count: the poller is Lambda's, not ours to test.
  if (operation !== 'AmazonSQS.ReceiveMessage') kinds.push({ reset: 'after' });
  if (BATCH_CALLS.has(operation)) kinds.push({ drop: (i) => hashRandom(seed, operation, n, 'entry', i) < 0.5 });
  if (operation.startsWith('DynamoDB_20120810.Batch')) kinds.push(UNPROCESSED_DYNAMODB);
  return kinds[Math.floor(hashRandom(seed, operation, n, 'kind') * kinds.length)];
}

/** Sums the EMF metrics written to stdout while the run lasts, and keeps the functions' JSON lines off it. */
function tapMetrics(): { sums: Record<string, number>; stop(): void } {
  const sums: Record<string, number> = {};
  const tap = tapJsonLines((line) => {
    for (const name of metricNames(line))
      sums[name] = (sums[name] ?? 0) + [line[name]].flat().reduce((a: number, b: unknown) => a + Number(b), 0);
  });
  return { sums, stop: tap.stop };
}

/** A model that scores with the lexicon and fails a share of its calls. */
function faultyModel(
  modelId: string,
  rate: number,
  seed: number,
  counts: FaultRunReport['model'],
  poisoned: ReadonlySet<string>,
): TextScoringModel {
  const lexicon = new LexiconClassifier();
  return {
    modelId,
    method: 'transformer',
    maxChars: lexicon.maxChars,
    async score(texts) {
      counts.calls += 1;
      if (texts.some((text) => poisoned.has(text))) {
        counts.failed += 1;
        throw new Error(`injected: ${modelId} cannot score one of these texts`);
      }
      if (hashRandom(seed, modelId, counts.calls) < rate) {
        counts.failed += 1;
        throw new Error(`injected: ${modelId} call failed`);
      }
      return lexicon.score(texts);
    },
  };
}

export async function runWithFaults(stack: TestStack, options: FaultRunOptions): Promise<FaultRunReport> {
  const seed = options.seed ?? 26;
  const rates = faultRates(options.rate);
  const stage = await stack.freshStage();
  const sample = generateSamplePosts({ count: options.posts, seed });
  await ingestPosts(sample.posts, { postsTable: stage.tables.posts, queueUrl: stage.queues.classify.url });
  const duplicated = sample.posts.filter((p) => hashRandom(seed, 'duplicate', p.postId) < rates.duplicates);
  await sendBodies(
    stack.clients.sqs,
    stage.queues.classify.url,
    duplicated.map((p) => encodePostMessage(p.postId)),
  );

  const dynamodb = await startFaultProxy(stack.emulators.dynamodbEndpoint, (operation, n) =>
    faultFor(seed, rates.dynamodb, operation, n, THROTTLED_DYNAMODB),
  );
  const sqs = await startFaultProxy(stack.emulators.sqsEndpoint, (operation, n) =>
    SQS_FAULTED.has(operation) ? faultFor(seed, rates.sqs, operation, n, THROTTLED_SQS) : undefined,
  );
  const viaProxy = (url: string) => url.replace(stack.emulators.sqsEndpoint, sqs.endpoint);
  const restoreEnv = applyEnvironment({
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    DLQ_URL: viaProxy(stage.queues.classifyDlq.url),
    QUEUE_URL: viaProxy(stage.queues.classify.url),
  });
  resetClients();

  const model: FaultRunReport['model'] = { calls: 0, failed: 0, loads: 0, failedLoads: 0 };
  const poisonedPosts = sample.posts.filter((p) => hashRandom(seed, 'poison', p.postId) < (options.poison ?? 0));
  // Texts as the models see them (prepared: trimmed, repaired), which the sample's texts already are.
  const poisoned = new Set(poisonedPosts.map((p) => p.text));
  const multilingualLanguages = new Set(
    [...sample.languages]
      .filter(([, language]) => language !== 'en')
      .map(([postId]) => identifyLanguage(sample.posts.find((p) => p.postId === postId)!.text))
      .filter((code) => code !== 'und' && code !== 'eng'),
  );
  const router = new RoutingClassifier({
    english: faultyModel('faulty-english-v1', rates.modelCall, seed, model, poisoned),
    routed: [
      {
        id: 'faulty-multilingual-v1',
        languages: multilingualLanguages,
        load: async () => faultyModel('faulty-multilingual-v1', rates.modelCall, seed, model, poisoned),
      },
    ],
    scoreUnsupportedLanguages: true,
  });
  const classify = middy(
    createClassifyBatch({
      classifier: async () => {
        model.loads += 1;
        if (hashRandom(seed, 'load', model.loads) < rates.modelLoad) {
          model.failedLoads += 1;
          throw new Error('injected: the model failed to load');
        }
        return router;
      },
    }),
  ).use(logMetrics(metrics));
  let invocations = 0;
  let crashes = 0;
  // A crash mid-batch: the invocation never answers (its work so far stays done), so the whole batch comes back.
  const crashing = async (event: SQSEvent, context: Context) => {
    invocations += 1;
    const work = classify(event, context);
    if (hashRandom(seed, 'crash', invocations) >= rates.crash) return work;
    crashes += 1;
    work.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200 * hashRandom(seed, 'crash-at', invocations)));
    throw new Error('injected: the function crashed mid-batch');
  };
  const sources = pipelineEventSources(stack.clients, stage, { classify: crashing, aggregate: createAggregateBatch() });
  // The poller's deletes go through the proxy too (a lost delete is one more duplicate delivery).
  const pollerSqs = new SQSClient({ region: stage.region, credentials: DUMMY_CREDENTIALS, endpoint: sqs.endpoint });
  const classifySource = new SqsEventSource({
    sqs: pollerSqs,
    queue: { ...stage.queues.classify, url: viaProxy(stage.queues.classify.url) },
    region: stage.region,
    handler: crashing,
    maximumBatchingWindowSeconds: 0.2,
    pollWaitSeconds: 0,
    function: { name: `impact-sentiment-${stage.stage}-classify` },
    logger: { warn: () => undefined },
  });

  let writeUnits = 0;
  const stopUnits = onConsumedCapacity((units) => {
    writeUnits += units.writeUnits;
  });
  const tap = tapMetrics();
  let elapsedMs: number;
  try {
    ({ elapsedMs } = await runUntilIdle([classifySource, sources.aggregate], {
      timeoutMs: options.timeoutMs ?? 600_000,
      onBatch: ({ invocations: all, elapsedMs: ms }) =>
        options.onBatch?.(
          Object.values(all).reduce((a, b) => a + b, 0),
          ms,
        ),
    }));
  } finally {
    tap.stop();
    stopUnits();
    pollerSqs.destroy();
    restoreEnv();
    resetClients();
    await dynamodb.stop();
    await sqs.stop();
  }

  const results = await readResults(stage.tables.results);
  const dead = await drainQueue(stack.clients.sqs, stage.queues.classifyDlq.url);
  const valid = new Set(sample.posts.map((p) => p.postId));
  const deadPosts = dead.map((m) => ({ postId: postIdOf(m.Body), reason: attribute(m, 'failureReason') ?? 'redrive' }));
  const dlqByReason: Record<string, number> = {};
  for (const { reason } of deadPosts) dlqByReason[reason] = (dlqByReason[reason] ?? 0) + 1;
  const inDlq = new Set(deadPosts.map((d) => d.postId).filter((id): id is string => id !== undefined && valid.has(id)));
  const sum = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
  const { mismatches, doubleCounts } = await compareWithRecount([...results.values()], stage.tables.aggregates);
  return {
    posts: valid.size,
    rates,
    lost: [...valid].filter((id) => !results.has(id) && !inDlq.has(id)).length,
    aggregateMismatches: mismatches,
    doubleCounts,
    validInDlq: inDlq.size,
    scoredInDlq: [...inDlq].filter((id) => results.has(id)).length,
    dlqByReason,
    lexiconResults: [...results.values()].filter((r) => r.method === 'lexicon').length,
    poisoned: {
      posts: poisonedPosts.length,
      lexicon: poisonedPosts.filter((p) => results.get(p.postId)?.method === 'lexicon').length,
    },
    requests: {
      dynamodb: { calls: sum(dynamodb.calls), faults: sum(dynamodb.faults) },
      sqs: { calls: sum(sqs.calls), faults: sum(sqs.faults) },
    },
    model,
    invocations,
    crashes,
    duplicatesSent: duplicated.length,
    metrics: tap.sums,
    elapsedMs,
    postsPerSecond: valid.size / (elapsedMs / 1000),
    writeUnitsPerPost: writeUnits / valid.size,
  };
}

function postIdOf(body: string | undefined): string | undefined {
  try {
    return (JSON.parse(body ?? '') as { postId?: string }).postId;
  } catch {
    return undefined;
  }
}

/** Aggregate items that differ from a recount of the results, and posts the all-sources items count twice. */
async function compareWithRecount(
  results: unknown[],
  aggregatesTable: string,
): Promise<{ mismatches: number; doubleCounts: number }> {
  const expected = recount(results.map((r) => CountedResultSchema.parse(r)));
  const stored = await readAggregates(aggregatesTable);
  let mismatches = 0;
  let doubleCounts = 0;
  for (const id of new Set([...expected.keys(), ...stored.keys()])) {
    const want = expected.get(id)?.counters ?? zeroCounters();
    const have = stored.get(id);
    if (counterDifferences(have ?? zeroCounters(), want).length > 0) mismatches++;
    if (id.startsWith(keyId({ pk: ALL_SOURCES_PK, sk: '' })) && have)
      doubleCounts += Math.max(0, have.count - want.count);
  }
  return { mismatches, doubleCounts };
}
