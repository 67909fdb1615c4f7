// The CloudFormation template `osls package --stage ci` produces, checked against src/resources.json (the
// one definition of the settings) and the requirements of issues 3 and 5.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { MetricName } from '../../src/observability.js';
import { FUNCTIONS, NODE_OPTIONS, QUEUES, SERVICE, TABLES, resourceName } from '../../src/resources.js';
import resourcesJson from '../../src/resources.json' with { type: 'json' };
import {
  condition,
  findBy,
  grantKeys,
  grants,
  isCreated,
  refName,
  resolveIfs,
  resource,
  resourcesOfType,
  roleStatements,
} from './cfn.js';
import { cleanStaleCaches, packageService, type CfnTemplate } from './package.js';

const STAGE = 'ci';
const REGION = 'us-east-1';
const ALARMS = resourcesJson.alarms;
const MODEL = resourcesJson.model;
const name = (suffix: string) => resourceName(STAGE, suffix);
const functionName = (fn: string) => `${SERVICE}-${STAGE}-${fn}`;

let template: CfnTemplate;

before(async () => {
  cleanStaleCaches();
  template = (await packageService({ stage: STAGE, region: REGION })).template;
});

const fnId = (fn: string) => findBy(template, 'AWS::Lambda::Function', 'FunctionName', functionName(fn));
const queueId = (suffix: string) => findBy(template, 'AWS::SQS::Queue', 'QueueName', name(suffix));
const tableId = (suffix: string) => findBy(template, 'AWS::DynamoDB::Table', 'TableName', name(suffix));

function mappingFor(fn: string) {
  const id = fnId(fn);
  const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').filter(
    ([, m]) => refName(m.Properties.FunctionName) === `${id}.Arn` || refName(m.Properties.FunctionName) === id,
  );
  assert.equal(mappings.length, 1, `${fn}: expected exactly one event source mapping`);
  return mappings[0][1].Properties;
}

describe('functions', () => {
  for (const fn of ['classify', 'aggregate'] as const) {
    it(`${fn}: nodejs24.x on x86_64, memory and timeout from resources.json, its own role`, () => {
      const props = resource(template, fnId(fn)).Properties;
      assert.equal(props.Runtime, 'nodejs24.x');
      assert.deepEqual(props.Architectures, ['x86_64']);
      assert.equal(props.MemorySize, FUNCTIONS[fn].memorySizeMb);
      assert.equal(props.Timeout, FUNCTIONS[fn].timeoutSeconds);
      assert.equal(props.Handler, `handlers/${fn}.handler`);
      const roleId = refName(props.Role).replace(/\.Arn$/, '');
      assert.equal(resource(template, roleId).Type, 'AWS::IAM::Role');
    });

    it(`${fn}: environment names the stage's tables and the Powertools service/namespace`, () => {
      const env = resource(template, fnId(fn)).Properties.Environment.Variables;
      assert.equal(env.STAGE, STAGE);
      assert.equal(env.POSTS_TABLE, name(TABLES.posts.suffix));
      assert.equal(env.RESULTS_TABLE, name(TABLES.results.suffix));
      assert.equal(env.AGGREGATES_TABLE, name(TABLES.aggregates.suffix));
      assert.equal(env.POWERTOOLS_METRICS_NAMESPACE, loadConfig({}).metricsNamespace);
      assert.equal(env.POWERTOOLS_SERVICE_NAME, SERVICE);
      assert.ok(env.LOG_LEVEL);
      assert.equal(env.NODE_OPTIONS, NODE_OPTIONS, 'the options the bench runs its cold start with');
      // The config the handler builds from this environment names the same tables.
      const config = loadConfig(
        Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as NodeJS.ProcessEnv,
      );
      assert.deepEqual(config.tables, {
        posts: name(TABLES.posts.suffix),
        results: name(TABLES.results.suffix),
        aggregates: name(TABLES.aggregates.suffix),
        failures: name(TABLES.failures.suffix),
      });
    });
  }

  it('classify: DLQ_URL is the DLQ, QUEUE_URL its queue, the model ids and dtype come from resources.json', () => {
    const env = resource(template, fnId('classify')).Properties.Environment.Variables;
    assert.equal(refName(env.DLQ_URL), queueId(QUEUES.classifyDlq.suffix));
    assert.equal(refName(env.QUEUE_URL), queueId(QUEUES.classify.suffix), 'failed records are delayed on it');
    assert.equal(env.MODEL_ID, MODEL.id);
    // The routed models' list (deploy/routed-models.cjs), in resources.json's priority order.
    assert.equal(env.MULTILINGUAL_MODEL_ID, MODEL.multilingualIds.join(','));
    assert.deepEqual(
      loadConfig({ MULTILINGUAL_MODEL_ID: env.MULTILINGUAL_MODEL_ID }).multilingualModelIds,
      MODEL.multilingualIds,
    );
    assert.equal(env.MODEL_DTYPE, MODEL.dtype);
    assert.equal(loadConfig({ MODEL_DTYPE: env.MODEL_DTYPE }).model.dtype, MODEL.dtype);
  });
});

describe('classify queue -> classify', () => {
  it('SQS mapping: batch size, batching window >= 1 s, partial batch responses, maximum concurrency', () => {
    const m = mappingFor('classify');
    assert.equal(refName(m.EventSourceArn), `${queueId(QUEUES.classify.suffix)}.Arn`);
    assert.equal(m.BatchSize, FUNCTIONS.classify.batchSize);
    assert.equal(m.BatchSize, 50);
    assert.equal(m.MaximumBatchingWindowInSeconds, FUNCTIONS.classify.maximumBatchingWindowSeconds);
    assert.ok(m.MaximumBatchingWindowInSeconds >= 1, 'a batch size above 10 needs a batching window');
    assert.deepEqual(m.FunctionResponseTypes, ['ReportBatchItemFailures']);
    assert.equal(m.ScalingConfig?.MaximumConcurrency, FUNCTIONS.classify.maximumConcurrency);
    assert.notEqual(m.Enabled, false);
  });

  it('queue: visibility timeout >= 6 x function timeout + batching window, SSE, retention', () => {
    const q = resource(template, queueId(QUEUES.classify.suffix)).Properties;
    const fn = resource(template, fnId('classify')).Properties;
    const window = mappingFor('classify').MaximumBatchingWindowInSeconds;
    assert.equal(q.VisibilityTimeout, QUEUES.classify.visibilityTimeoutSeconds);
    assert.ok(q.VisibilityTimeout >= 6 * fn.Timeout + window, `${q.VisibilityTimeout} < 6 x ${fn.Timeout} + ${window}`);
    assert.equal(q.MessageRetentionPeriod, QUEUES.classify.messageRetentionSeconds);
    assert.equal(q.SqsManagedSseEnabled, true);
  });

  it('queue: redrive to the DLQ after maxReceiveCount receives, a few after the function gives up', () => {
    const q = resource(template, queueId(QUEUES.classify.suffix)).Properties;
    assert.equal(refName(q.RedrivePolicy.deadLetterTargetArn), `${queueId(QUEUES.classifyDlq.suffix)}.Arn`);
    assert.equal(q.RedrivePolicy.maxReceiveCount, QUEUES.classify.maxReceiveCount);
    assert.equal(q.RedrivePolicy.maxReceiveCount, 8);
    // Room for an acknowledgement lost on the function's last receive to be answered again, not redriven.
    assert.ok(QUEUES.classify.maxReceiveCount >= QUEUES.classify.lastReceive + 3);
  });

  it('DLQ: 14-day retention, SSE, redrive back to the classify queue allowed (StartMessageMoveTask)', () => {
    const dlq = resource(template, queueId(QUEUES.classifyDlq.suffix)).Properties;
    assert.equal(dlq.MessageRetentionPeriod, QUEUES.classifyDlq.messageRetentionSeconds);
    assert.equal(dlq.MessageRetentionPeriod, 14 * 24 * 3600);
    assert.equal(dlq.SqsManagedSseEnabled, true);
    assert.equal(dlq.RedriveAllowPolicy.redrivePermission, 'byQueue');
    const sources = dlq.RedriveAllowPolicy.sourceQueueArns.map(refName);
    assert.deepEqual(sources, [
      `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${name(QUEUES.classify.suffix)}`,
    ]);
  });
});

describe('results stream -> aggregate', () => {
  it('mapping: batching, one batch per shard, start position, retries, record age, bisect, partial responses', () => {
    const m = mappingFor('aggregate');
    const a = FUNCTIONS.aggregate;
    assert.equal(refName(m.EventSourceArn), `${tableId(TABLES.results.suffix)}.StreamArn`);
    assert.equal(m.BatchSize, a.batchSize);
    assert.equal(m.MaximumBatchingWindowInSeconds, a.maximumBatchingWindowSeconds);
    // Concurrent batches of one shard commit out of order (a checkpoint would pass unapplied records) and conflict.
    assert.equal(m.ParallelizationFactor, 1);
    assert.equal(a.parallelizationFactor, 1);
    // Events name their shard (the checkpoint fence); 900 s, the longest window, is the fewest end-of-window calls.
    assert.equal(m.TumblingWindowInSeconds, a.tumblingWindowSeconds);
    assert.equal(a.tumblingWindowSeconds, 900);
    // A backlog drains: records are retried until they leave the stream, never dropped for their age.
    assert.equal(m.MaximumRecordAgeInSeconds, -1);
    assert.ok(['LATEST', 'TRIM_HORIZON'].includes(m.StartingPosition));
    assert.equal(m.StartingPosition, a.startingPosition);
    assert.equal(m.MaximumRetryAttempts, a.maximumRetryAttempts);
    assert.equal(m.MaximumRecordAgeInSeconds, a.maximumRecordAgeSeconds);
    assert.equal(m.BisectBatchOnFunctionError, a.bisectBatchOnFunctionError);
    assert.deepEqual(m.FunctionResponseTypes, ['ReportBatchItemFailures']);
  });

  it('stream mapping: failed batches go to the stream-failure queue', () => {
    const m = mappingFor('aggregate');
    assert.equal(refName(m.DestinationConfig.OnFailure.Destination), `${queueId(QUEUES.streamFailures.suffix)}.Arn`);
    const q = resource(template, queueId(QUEUES.streamFailures.suffix)).Properties;
    assert.equal(q.SqsManagedSseEnabled, true);
    assert.equal(q.MessageRetentionPeriod, QUEUES.streamFailures.messageRetentionSeconds);
  });

  it('replay fences (checkpoints, markers) outlive what a TRIM_HORIZON mapping can re-read (24 h retention)', () => {
    if (FUNCTIONS.aggregate.startingPosition === 'TRIM_HORIZON')
      assert.ok(FUNCTIONS.aggregate.fenceTtlSeconds > 24 * 3600);
    else assert.equal(FUNCTIONS.aggregate.startingPosition, 'LATEST');
  });
});

describe('tables', () => {
  for (const [key, table] of Object.entries(TABLES)) {
    it(`${key}: name, keys, on-demand, point-in-time recovery, SSE`, () => {
      const props = resource(template, tableId(table.suffix)).Properties;
      assert.equal(props.BillingMode, 'PAY_PER_REQUEST');
      assert.equal(props.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled, true);
      assert.equal(props.SSESpecification?.SSEEnabled, true);
      const keys = Object.fromEntries(
        props.KeySchema.map((k: { AttributeName: string; KeyType: string }) => [k.KeyType, k.AttributeName]),
      );
      assert.equal(keys.HASH, table.partitionKey);
      assert.equal(keys.RANGE, 'sortKey' in table ? table.sortKey : undefined);
      for (const attribute of Object.values(keys)) {
        assert.ok(
          props.AttributeDefinitions.some((d: { AttributeName: string }) => d.AttributeName === attribute),
          `${attribute} defined`,
        );
      }
      assert.equal(props.AttributeDefinitions.length, Object.keys(keys).length, 'only key attributes are defined');
      if ('streamViewType' in table) assert.equal(props.StreamSpecification?.StreamViewType, table.streamViewType);
      else assert.equal(props.StreamSpecification, undefined);
      if ('ttlAttribute' in table)
        assert.deepEqual(props.TimeToLiveSpecification, { AttributeName: table.ttlAttribute, Enabled: true });
      else assert.equal(props.TimeToLiveSpecification, undefined);
    });
  }

  it('results: stream of new and old images', () => {
    assert.equal(
      resource(template, tableId(TABLES.results.suffix)).Properties.StreamSpecification.StreamViewType,
      'NEW_AND_OLD_IMAGES',
    );
  });
});

describe('IAM: one least-privilege role per function', () => {
  const roleOf = (fn: string) => refName(resource(template, fnId(fn)).Properties.Role).replace(/\.Arn$/, '');
  const arn = (id: string) => `${id}.Arn`;

  it('the two functions have different roles, trusted by Lambda only, with no managed policies', () => {
    assert.notEqual(roleOf('classify'), roleOf('aggregate'));
    for (const fn of ['classify', 'aggregate']) {
      const role = resource(template, roleOf(fn)).Properties;
      assert.equal(role.ManagedPolicyArns, undefined);
      const trust = role.AssumeRolePolicyDocument.Statement;
      assert.deepEqual(
        trust.map((s: { Principal: unknown; Action: unknown }) => [s.Principal, s.Action]),
        [[{ Service: 'lambda.amazonaws.com' }, 'sts:AssumeRole']],
      );
    }
  });

  it('classify: read posts, put results and failure records, consume its queue, send to the DLQ, own logs', () => {
    const posts = arn(tableId(TABLES.posts.suffix));
    const results = arn(tableId(TABLES.results.suffix));
    const failures = arn(tableId(TABLES.failures.suffix));
    const queue = arn(queueId(QUEUES.classify.suffix));
    const dlq = arn(queueId(QUEUES.classifyDlq.suffix));
    const logs = arn(`${fnId('classify').replace(/LambdaFunction$/, '')}LogGroup`);
    assert.deepEqual(grantKeys(grants(roleStatements(template, roleOf('classify')))), [
      `dynamodb:BatchGetItem ${posts}`,
      `dynamodb:BatchWriteItem ${failures}`,
      `dynamodb:GetItem ${posts}`,
      `dynamodb:PutItem ${failures}`,
      `dynamodb:PutItem ${results}`,
      `logs:CreateLogStream ${logs}`,
      `logs:PutLogEvents ${logs}`,
      `sqs:ChangeMessageVisibility ${queue}`,
      `sqs:DeleteMessage ${queue}`,
      `sqs:GetQueueAttributes ${queue}`,
      `sqs:ReceiveMessage ${queue}`,
      `sqs:SendMessage ${dlq}`,
    ]);
  });

  it('aggregate: read the results stream, write aggregates, send to the failure queue, own logs - nothing else', () => {
    const stream = `${tableId(TABLES.results.suffix)}.StreamArn`;
    const aggregates = arn(tableId(TABLES.aggregates.suffix));
    const failures = arn(queueId(QUEUES.streamFailures.suffix));
    const logs = arn(`${fnId('aggregate').replace(/LambdaFunction$/, '')}LogGroup`);
    assert.deepEqual(grantKeys(grants(roleStatements(template, roleOf('aggregate')))), [
      `dynamodb:DescribeStream ${stream}`,
      `dynamodb:GetRecords ${stream}`,
      `dynamodb:GetShardIterator ${stream}`,
      `dynamodb:ListStreams ${stream}`,
      `dynamodb:PutItem ${aggregates}`,
      `dynamodb:UpdateItem ${aggregates}`,
      `logs:CreateLogStream ${logs}`,
      `logs:PutLogEvents ${logs}`,
      `sqs:SendMessage ${failures}`,
    ]);
  });

  it("no wildcard actions or resources, and each log group is the function's own", () => {
    for (const fn of ['classify', 'aggregate']) {
      for (const g of grants(roleStatements(template, roleOf(fn)))) {
        assert.ok(!g.action.includes('*'), `${fn}: wildcard action ${g.action}`);
        assert.ok(
          !g.resource.includes('*') && !g.resource.startsWith('arn:'),
          `${fn}: ${g.action} on ${g.resource}: not a resource of this stack`,
        );
      }
      const logGroup = resource(
        template,
        `${fnId(fn).replace(/LambdaFunction$/, '')}LogGroup`,
        'AWS::Logs::LogGroup',
      ).Properties;
      assert.equal(logGroup.LogGroupName, `/aws/lambda/${functionName(fn)}`);
    }
  });

  it('each role allows what its event source mapping needs (Lambda polls with the function role)', () => {
    const needs: Record<string, [string[], string]> = {
      classify: [
        ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        refName(mappingFor('classify').EventSourceArn),
      ],
      aggregate: [
        ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream', 'dynamodb:ListStreams'],
        refName(mappingFor('aggregate').EventSourceArn),
      ],
    };
    for (const [fn, [actions, source]] of Object.entries(needs)) {
      const have = grantKeys(grants(roleStatements(template, roleOf(fn))));
      for (const action of actions)
        assert.ok(have.includes(`${action} ${source}`), `${fn} lacks ${action} on ${source}`);
    }
    const failureDestination = refName(mappingFor('aggregate').DestinationConfig.OnFailure.Destination);
    assert.ok(
      grantKeys(grants(roleStatements(template, roleOf('aggregate')))).includes(
        `sqs:SendMessage ${failureDestination}`,
      ),
    );
  });

  it('no other IAM roles or policies in the stack', () => {
    const iam = Object.entries(template.Resources)
      .filter(([, r]) => r.Type.startsWith('AWS::IAM::'))
      .map(([id]) => id)
      .sort();
    assert.deepEqual(iam, [roleOf('aggregate'), roleOf('classify')].sort());
  });
});

interface Widget {
  type: string;
  properties: { title?: string; region?: string; metrics?: unknown[][] };
}

function dashboard(): Widget[] {
  const [[, d]] = resourcesOfType(template, 'AWS::CloudWatch::Dashboard');
  assert.equal(typeof d.Properties.DashboardBody, 'string', 'the dashboard body is resolved at package time');
  return JSON.parse(d.Properties.DashboardBody).widgets;
}

/** Metric lines of all widgets as [namespace, name, ...dimension pairs] plus their options, and expressions. */
function dashboardMetrics() {
  const lines: {
    namespace: string;
    metric: string;
    dims: Record<string, string>;
    stat?: string;
    widgetStat?: string;
  }[] = [];
  const expressions: string[] = [];
  for (const widget of dashboard()) {
    for (const line of widget.properties.metrics ?? []) {
      const options =
        typeof line[line.length - 1] === 'object' ? (line[line.length - 1] as Record<string, string>) : {};
      if (options.expression) {
        expressions.push(options.expression);
        continue;
      }
      const parts = line.filter((p) => typeof p === 'string') as string[];
      const dims: Record<string, string> = {};
      for (let i = 2; i + 1 < parts.length; i += 2) dims[parts[i]] = parts[i + 1];
      lines.push({
        namespace: parts[0],
        metric: parts[1],
        dims,
        stat: options.stat,
        widgetStat: (widget.properties as { stat?: string }).stat,
      });
    }
  }
  return { lines, expressions };
}

describe('dashboard', () => {
  const has = (namespace: string, metric: string, dims: Record<string, string>, stat?: string) =>
    dashboardMetrics().lines.some(
      (l) =>
        l.namespace === namespace &&
        l.metric === metric &&
        JSON.stringify(l.dims) === JSON.stringify(dims) &&
        (stat === undefined || (l.stat ?? l.widgetStat) === stat),
    );

  it('one dashboard, every widget in the stack region', () => {
    assert.equal(resourcesOfType(template, 'AWS::CloudWatch::Dashboard').length, 1);
    for (const w of dashboard()) assert.equal(w.properties.region, REGION, w.properties.title);
  });

  it('queues: classify depth and age of oldest message, DLQ depth, stream-failure depth', () => {
    assert.ok(has('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: name(QUEUES.classify.suffix) }));
    assert.ok(has('AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: name(QUEUES.classify.suffix) }));
    assert.ok(has('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: name(QUEUES.classifyDlq.suffix) }));
    assert.ok(has('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: name(QUEUES.streamFailures.suffix) }));
  });

  it('classify: invocations, errors, throttles, duration p50 and p99', () => {
    const fn = { FunctionName: functionName('classify') };
    for (const metric of ['Invocations', 'Errors', 'Throttles'])
      assert.ok(has('AWS/Lambda', metric, fn, 'Sum'), metric);
    assert.ok(has('AWS/Lambda', 'Duration', fn, 'p50'));
    assert.ok(has('AWS/Lambda', 'Duration', fn, 'p99'));
  });

  it('aggregate: stream iterator age and errors', () => {
    const fn = { FunctionName: functionName('aggregate') };
    assert.ok(has('AWS/Lambda', 'IteratorAge', fn, 'Maximum'));
    assert.ok(has('AWS/Lambda', 'Errors', fn, 'Sum'));
  });

  it('every custom metric the pipeline emits (src/observability.ts), in its namespace, for its service', () => {
    const namespace = loadConfig({}).metricsNamespace;
    const { lines, expressions } = dashboardMetrics();
    const shown = (metric: string) =>
      lines.some(
        (l) =>
          l.namespace === namespace &&
          l.metric === metric &&
          JSON.stringify(l.dims) === JSON.stringify({ service: SERVICE }),
      ) ||
      expressions.some(
        (e) =>
          e.includes(`{${namespace},`) && e.includes(`MetricName="${metric}"`) && e.includes(`service="${SERVICE}"`),
      );
    // The PostgreSQL sink's metrics are on its own widget, in the template only with the sink (postgres-sink.test.ts).
    for (const metric of Object.values(MetricName).filter((m) => !m.startsWith('Postgres')))
      assert.ok(shown(metric), `${metric} is not on the dashboard`);
  });

  it('posts scored by label and records failed by reason (all values of the dimension)', () => {
    const namespace = loadConfig({}).metricsNamespace;
    const { expressions } = dashboardMetrics();
    assert.ok(
      expressions.some(
        (e) =>
          e.startsWith('SEARCH(') &&
          e.includes(`{${namespace},label,service}`) &&
          e.includes('MetricName="PostsScored"'),
      ),
    );
    assert.ok(
      expressions.some(
        (e) =>
          e.startsWith('SEARCH(') &&
          e.includes(`{${namespace},reason,service}`) &&
          e.includes('MetricName="RecordsFailed"'),
      ),
    );
  });
});

describe('alarms', () => {
  const alarms = (): Record<string, any>[] =>
    resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([id, a]) => ({ id, ...a.Properties }));
  const alarmOn = (namespace: string, metric: string, dims: Record<string, string>) => {
    const found = alarms().filter(
      (a) =>
        a.Namespace === namespace &&
        a.MetricName === metric &&
        JSON.stringify(
          Object.fromEntries(a.Dimensions.map((d: { Name: string; Value: string }) => [d.Name, d.Value])),
        ) === JSON.stringify(dims),
    );
    assert.equal(found.length, 1, `one alarm on ${namespace} ${metric} ${JSON.stringify(dims)}`);
    return found[0];
  };

  it('DLQ depth > 0', () => {
    const a = alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: name(QUEUES.classifyDlq.suffix) });
    assert.equal(a.Threshold, 0);
    assert.equal(a.ComparisonOperator, 'GreaterThanThreshold');
  });

  it('stream-failure queue depth > 0', () => {
    const a = alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', {
      QueueName: name(QUEUES.streamFailures.suffix),
    });
    assert.equal(a.Threshold, 0);
    assert.equal(a.ComparisonOperator, 'GreaterThanThreshold');
  });

  it('classify queue: age of oldest message over the threshold', () => {
    const a = alarmOn('AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: name(QUEUES.classify.suffix) });
    assert.equal(a.Threshold, ALARMS.oldestMessageAgeSeconds);
    assert.equal(a.ComparisonOperator, 'GreaterThanThreshold');
    assert.equal(a.Statistic, 'Maximum');
  });

  it('classify errors and aggregate errors', () => {
    const c = alarmOn('AWS/Lambda', 'Errors', { FunctionName: functionName('classify') });
    assert.equal(c.Threshold, ALARMS.classifyErrorsPerPeriod);
    assert.equal(c.Statistic, 'Sum');
    assert.equal(c.ComparisonOperator, 'GreaterThanThreshold');
    const a = alarmOn('AWS/Lambda', 'Errors', { FunctionName: functionName('aggregate') });
    assert.equal(a.Threshold, ALARMS.aggregateErrorsPerPeriod);
  });

  it('results stream iterator age', () => {
    const a = alarmOn('AWS/Lambda', 'IteratorAge', { FunctionName: functionName('aggregate') });
    assert.equal(a.Threshold, ALARMS.iteratorAgeMs);
    assert.equal(a.Statistic, 'Maximum');
    assert.equal(a.ComparisonOperator, 'GreaterThanThreshold');
  });

  it('every alarm has a name, a description and treats missing data as OK', () => {
    for (const a of alarms()) {
      assert.match(a.AlarmName, new RegExp(`^${SERVICE}-${STAGE}-`));
      assert.ok(a.AlarmDescription, a.id);
      assert.equal(a.TreatMissingData, 'notBreaching', a.id);
    }
  });

  it('without alarmEmail: no SNS topic is created and alarms have no actions', () => {
    const topics = resourcesOfType(template, 'AWS::SNS::Topic').map(([id]) => id);
    for (const id of topics) assert.equal(isCreated(template, id), false, `${id} is created`);
    for (const [id, a] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) {
      const props = resolveIfs(template, a.Properties) as Record<string, unknown>;
      assert.equal(props.AlarmActions, undefined, id);
      assert.equal(props.OKActions, undefined, id);
    }
    assert.equal(condition(template, 'AlarmNotifications'), false);
  });
});
