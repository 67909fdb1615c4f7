// SQS -> classify Lambda: scores a batch of queued post IDs (one model call) and answers a partial batch
// response. The logic is in src/pipeline/classify.ts; here only the Lambda wiring.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { createClassifyBatch } from '../src/pipeline/classify.js';
import { logger, metrics } from '../src/observability.js';

export const handler = middy(createClassifyBatch())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
