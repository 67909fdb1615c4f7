// Logger and Metrics, one of each per process (Powertools singletons), shared by both handlers.
// Handlers attach them with injectLambdaContext / logMetrics; pipeline code just uses them.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { metricsNamespace } from './config.js';
import { SERVICE } from './resources.js';

export const logger = new Logger({ serviceName: SERVICE });

// Only the namespace, not loadConfig(): a bad MODEL_DTYPE or ORT_THREADS must not break the aggregate function,
// which never loads a model.
export const metrics = new Metrics({ serviceName: SERVICE, namespace: metricsNamespace() });

/** Every metric name the pipeline emits, in one place (dashboards and alarms refer to these). */
export const MetricName = {
  BatchSize: 'BatchSize',
  PostsScored: 'PostsScored',
  InferenceMsPerPost: 'InferenceMsPerPost',
  LexiconFallbackPosts: 'LexiconFallbackPosts',
  RecordsFailed: 'RecordsFailed',
  DlqSends: 'DlqSends',
  DuplicatesSkipped: 'DuplicatesSkipped',
  /** Records on their last receive acknowledged because another delivery had already scored the post. */
  ScoredBeforeDeadLetter: 'ScoredBeforeDeadLetter',
  /** Posts scored with the lexicon on their last receive because the model kept failing (rescore them). */
  LastReceiveFallbacks: 'LastReceiveFallbacks',
  AggregateUpdates: 'AggregateUpdates',
  ReplaysSkipped: 'ReplaysSkipped',
  /** Rows of the users' PostgreSQL table the sink updated (a score or a failure reason). */
  PostgresRowsUpdated: 'PostgresRowsUpdated',
  /** Stream records that updated no row: no such row, or the row holds a newer result already. */
  PostgresRowsNotUpdated: 'PostgresRowsNotUpdated',
} as const;

/**
 * A count with its own dimension (e.g. label=positive, reason=model-error). Published as a separate EMF
 * blob so the dimension does not leak onto the invocation's other metrics.
 */
export function addCountWithDimension(name: string, dimension: string, value: string, count: number): void {
  if (count <= 0) return;
  const single = metrics.singleMetric();
  single.addDimension(dimension, value);
  single.addMetric(name, MetricUnit.Count, count);
}

export { MetricUnit };
