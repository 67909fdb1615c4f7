// Results table and failures table streams -> the users' PostgreSQL table (optional; deployed only with the pg*
// parameters). The logic is in src/pipeline/postgres-sink.ts; here only the Lambda wiring.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { createPostgresSinkBatch } from '../src/pipeline/postgres-sink.js';
import { logger, metrics } from '../src/observability.js';

export const handler = middy(createPostgresSinkBatch())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
