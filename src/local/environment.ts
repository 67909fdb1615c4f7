// The environment a handler sees when it runs against the local stack: the AWS SDK's own endpoint
// variables (so handler code needs no local-only settings) and the variables src/config.ts reads.
import { DUMMY_CREDENTIALS, type Emulators } from './emulators.js';
import type { ProvisionedStage } from './provision.js';

export function stackEnvironment(emulators: Emulators, stage: ProvisionedStage): Record<string, string> {
  return {
    AWS_REGION: emulators.region,
    AWS_DEFAULT_REGION: emulators.region,
    AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint,
    // The Streams client has its own service id, so its own variable.
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: emulators.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint,
    STAGE: stage.stage,
    POSTS_TABLE: stage.tables.posts,
    RESULTS_TABLE: stage.tables.results,
    AGGREGATES_TABLE: stage.tables.aggregates,
    FAILURES_TABLE: stage.tables.failures,
    DLQ_URL: stage.queues.classifyDlq.url,
    QUEUE_URL: stage.queues.classify.url,
    // Local queues hide a failed message for seconds (tests: 2 s), so the retry backoff is in seconds too.
    RETRY_BASE_SECONDS: '1',
    RETRY_MAX_SECONDS: '4',
  };
}

/** Sets variables on process.env; the returned function puts the previous values back. */
export function applyEnvironment(variables: Record<string, string>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(variables)) {
    previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** The variables as shell `export` lines, one per variable, for pasting into another terminal. */
export function exportBlock(variables: Record<string, string>, indent = '  '): string {
  return `${indent}export ${Object.entries(variables)
    .map(([k, v]) => `${k}=${v}`)
    .join(` \\\n${indent}       `)}`;
}
