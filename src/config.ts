// Runtime configuration, read once from the environment. serverless.yml, the local runner and the
// tests set these variables; nothing else in src/ reads process.env. The one variable written here is
// onnxruntime's own (disableOnnxRuntimeTelemetry), which its native code reads.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRoutedModelIds } from './routed-model-ids.cjs';
import { DEFAULT_MODEL, FUNCTIONS, TABLES, resourceName } from './resources.js';
import type { RetryVisibility } from './domain/retry-visibility.js';
import { parseSinkColumns, type SinkColumns } from './domain/postgres-columns.js';

export type ModelDtype = 'q8' | 'fp32';

export interface Config {
  stage: string;
  tables: { posts: string; results: string; aggregates: string; failures: string };
  /** URL of the classify queue's DLQ: malformed messages are sent there at once. */
  dlqUrl: string | undefined;
  /** URL of the classify queue, where the producer (ingest CLI) enqueues post IDs. */
  queueUrl: string | undefined;
  /** AWS_ENDPOINT_URL_SQS: set when SQS is an emulator (ops redrive then moves messages itself). */
  sqsEndpoint: string | undefined;
  /** AWS_ENDPOINT_URL_DYNAMODB: set when DynamoDB is an emulator (DynamoDB Local). */
  dynamodbEndpoint: string | undefined;
  /** CloudWatch namespace of the EMF metrics. */
  metricsNamespace: string;
  /** HF_ENDPOINT: the Hugging Face hub (or a mirror) that `npm run model:fetch` downloads from. */
  hubEndpoint: string;
  model: {
    id: string;
    dir: string;
    dtype: ModelDtype;
    /** onnxruntime intra-op threads: the vCPUs Lambda gives this memory size, not os.cpus(). */
    threads: number;
    /** For binary (positive/negative) models: |P(pos) - P(neg)| below this is neutral. */
    binaryNeutralMargin: number;
  };
  /**
   * The models for the non-English languages their config.json lists, in priority order: a language two of them
   * cover goes to the first (MULTILINGUAL_MODEL_ID, a comma-separated list, under the same MODEL_DIR and dtype).
   * Empty ('none') turns routing off and every post goes to `model`.
   */
  multilingualModelIds: string[];
  /** The language detector's tables (models/language/, shipped with the code; read from MODEL_DIR first). */
  languageDir: string;
  /** Score posts whose detected language neither model was trained on (they are flagged either way). */
  scoreUnsupportedLanguages: boolean;
  /**
   * How long a failed record stays hidden before its next receive (RETRY_BASE_SECONDS, RETRY_MAX_SECONDS;
   * default functions.classify.retryVisibility in resources.json). The local stack sets seconds, not minutes.
   */
  retryVisibility: RetryVisibility;
}

/** Lambda CPU scales with memory: 1,769 MB is one vCPU, up to 6 vCPUs at 10,240 MB. */
export function vcpusForMemory(memoryMb: number): number {
  return Math.max(1, Math.min(6, Math.floor(memoryMb / 1769)));
}

function defaultThreads(env: NodeJS.ProcessEnv): number {
  const lambdaMemory = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  return lambdaMemory > 0 ? vcpusForMemory(lambdaMemory) : availableParallelism();
}

function defaultModelDir(env: NodeJS.ProcessEnv): string {
  // On Lambda the model ships inside the package at $LAMBDA_TASK_ROOT/models.
  if (env.LAMBDA_TASK_ROOT) return join(env.LAMBDA_TASK_ROOT, 'models');
  return fileURLToPath(new URL('../models/', import.meta.url));
}

/** The folder of the language detector's tables under a models folder (src/classifier/language-data.ts). */
export const LANGUAGE_DIR = 'language';

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}

/** MULTILINGUAL_MODEL_ID: unset or empty is the default list, 'none' is routing off, else ids in priority order. */
export function parseMultilingualModelIds(value: string | undefined, name = 'MULTILINGUAL_MODEL_ID'): string[] {
  return parseRoutedModelIds(value, DEFAULT_MODEL.multilingualIds, name);
}

/** The CloudWatch namespace alone: read by code that must not fail on the classifier's settings (metrics). */
export function metricsNamespace(env: NodeJS.ProcessEnv = process.env): string {
  return env.POWERTOOLS_METRICS_NAMESPACE || 'ImpactSentiment';
}

/** Table names alone: what the aggregate function needs, without the classifier's settings that may not parse. */
export function loadTables(env: NodeJS.ProcessEnv = process.env): Config['tables'] {
  const stage = env.STAGE ?? 'dev';
  return {
    posts: env.POSTS_TABLE ?? resourceName(stage, TABLES.posts.suffix),
    results: env.RESULTS_TABLE ?? resourceName(stage, TABLES.results.suffix),
    aggregates: env.AGGREGATES_TABLE ?? resourceName(stage, TABLES.aggregates.suffix),
    failures: env.FAILURES_TABLE ?? resourceName(stage, TABLES.failures.suffix),
  };
}

/**
 * Where the users' PostgreSQL is: a URL (POSTGRES_URL, local runs), or a Secrets Manager secret / SSM SecureString
 * parameter holding one (POSTGRES_SECRET, deployed); neither: node-postgres reads libpq's PGHOST, PGUSER, ....
 */
export interface PostgresConnection {
  url?: string;
  secret?: string;
  /** lock_timeout of the sink's sessions: a row someone else holds locked fails fast and is retried. */
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/** The sink on the results stream: which table, which columns, which server. */
export interface PostgresSinkConfig {
  table: string;
  columns: SinkColumns;
  connection: PostgresConnection;
}

export function loadPostgresConnection(env: NodeJS.ProcessEnv = process.env): PostgresConnection {
  return {
    url: env.POSTGRES_URL || undefined,
    secret: env.POSTGRES_SECRET || undefined,
    lockTimeoutMs: positiveInt(env.POSTGRES_LOCK_TIMEOUT_MS, 'POSTGRES_LOCK_TIMEOUT_MS', 5_000),
    statementTimeoutMs: positiveInt(env.POSTGRES_STATEMENT_TIMEOUT_MS, 'POSTGRES_STATEMENT_TIMEOUT_MS', 15_000),
  };
}

/** The sink's settings from the environment; a CLI's flags (--postgres, --pg-table, --pg-columns) override them. */
export function loadPostgresSink(
  env: NodeJS.ProcessEnv = process.env,
  flags: { url?: string; table?: string; columns?: string } = {},
): PostgresSinkConfig {
  const table = flags.table ?? env.POSTGRES_SINK_TABLE;
  if (!table) throw new Error('POSTGRES_SINK_TABLE is not set: the table the sink writes scores to');
  let columns: SinkColumns;
  try {
    columns = parseSinkColumns(flags.columns ?? env.POSTGRES_SINK_COLUMNS);
  } catch (error) {
    throw new Error(
      `${flags.columns === undefined ? 'POSTGRES_SINK_COLUMNS' : '--pg-columns'}: ${(error as Error).message}`,
    );
  }
  const connection = loadPostgresConnection(env);
  return { table, columns, connection: flags.url ? { ...connection, url: flags.url } : connection };
}

/**
 * onnxruntime 1.29+ on Linux reports usage to Microsoft (a device id kept under ~/.cache, events sent to
 * mobile.events.data.microsoft.com; with an unwritable HOME, a ':memory:.ses' file in the working directory instead)
 * unless ORT_DISABLE_TELEMETRY is set when its first session is created. The classifier calls this before
 * it loads onnxruntime, so the pipeline reports nothing to a third party; ORT_DISABLE_TELEMETRY=0 allows it.
 */
export function disableOnnxRuntimeTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  env.ORT_DISABLE_TELEMETRY ??= '1';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const stage = env.STAGE ?? 'dev';
  const dtype = env.MODEL_DTYPE ?? DEFAULT_MODEL.dtype;
  if (dtype !== 'q8' && dtype !== 'fp32') throw new Error(`MODEL_DTYPE must be q8 or fp32, got "${dtype}"`);
  const margin = Number(env.BINARY_NEUTRAL_MARGIN ?? '0.2');
  if (!(margin >= 0 && margin < 1))
    throw new Error(`BINARY_NEUTRAL_MARGIN must be in [0, 1), got "${env.BINARY_NEUTRAL_MARGIN}"`);
  return {
    stage,
    tables: loadTables(env),
    dlqUrl: env.DLQ_URL || undefined,
    queueUrl: env.QUEUE_URL || undefined,
    sqsEndpoint: env.AWS_ENDPOINT_URL_SQS || undefined,
    dynamodbEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB || undefined,
    metricsNamespace: metricsNamespace(env),
    hubEndpoint: env.HF_ENDPOINT || 'https://huggingface.co',
    model: {
      id: env.MODEL_ID ?? DEFAULT_MODEL.id,
      dir: env.MODEL_DIR ?? defaultModelDir(env),
      dtype,
      threads: positiveInt(env.ORT_THREADS, 'ORT_THREADS', defaultThreads(env)),
      binaryNeutralMargin: margin,
    },
    multilingualModelIds: parseMultilingualModelIds(env.MULTILINGUAL_MODEL_ID),
    languageDir: join(defaultModelDir(env), LANGUAGE_DIR),
    scoreUnsupportedLanguages: (env.SCORE_UNSUPPORTED_LANGUAGES ?? 'true') !== 'false',
    retryVisibility: {
      baseSeconds: positiveInt(
        env.RETRY_BASE_SECONDS,
        'RETRY_BASE_SECONDS',
        FUNCTIONS.classify.retryVisibility.baseSeconds,
      ),
      maxSeconds: positiveInt(
        env.RETRY_MAX_SECONDS,
        'RETRY_MAX_SECONDS',
        FUNCTIONS.classify.retryVisibility.maxSeconds,
      ),
    },
  };
}
