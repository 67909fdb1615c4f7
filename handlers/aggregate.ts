// Results table stream -> aggregate Lambda: applies each change to the per-(source, day) and
// per-day aggregates exactly once. The logic is in src/pipeline/aggregate.ts; here only the Lambda wiring.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { createAggregateBatch } from '../src/pipeline/aggregate.js';
import { logger, metrics } from '../src/observability.js';

export const handler = middy(createAggregateBatch())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
