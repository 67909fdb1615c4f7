// The optional PostgreSQL sink in the packaged template: present with its parameters (function in the database's
// VPC, two stream mappings with the stream-failure queue, a least-privilege role, an alarm, a dashboard widget),
// absent without them, and refused with a clear error when the VPC parameters are missing.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { FUNCTIONS, QUEUES, SERVICE, TABLES, resourceName } from '../../src/resources.js';
import { loadPostgresSink } from '../../src/config.js';
import { findBy, grantKeys, grants, refName, resource, resourcesOfType, roleStatements } from './cfn.js';
import { cleanStaleCaches, packageService, type CfnTemplate } from './package.js';

const STAGE = 'ci';
const REGION = 'us-east-1';
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:tweets-db-AbCdEf';
const SINK_PARAMS = {
  pgSecretArn: SECRET,
  pgSubnetIds: 'subnet-a, subnet-b',
  pgSecurityGroupIds: 'sg-1',
  pgTable: 'public.tweets',
  pgColumns: 'failure=sentiment_failure,model=sentiment_model',
};
const sinkName = `${SERVICE}-${STAGE}-postgres-sink`;
const name = (suffix: string) => resourceName(STAGE, suffix);

let withSink: CfnTemplate;
let withoutSink: CfnTemplate;

before(async () => {
  cleanStaleCaches();
  // The same options as template.test.ts: one package of the default template per test run.
  [withoutSink, withSink] = await Promise.all([
    packageService({ stage: STAGE, region: REGION }).then((p) => p.template),
    packageService({ stage: STAGE, region: REGION, params: SINK_PARAMS }).then((p) => p.template),
  ]);
});

const sinkResources = (template: CfnTemplate) =>
  Object.entries(template.Resources)
    .filter(([id, r]) => id.startsWith('PostgresSink') || JSON.stringify(r).includes(sinkName))
    .map(([id]) => id);

describe('PostgreSQL sink: off by default', () => {
  it('without pgSecretArn the template holds no sink function, mapping, role, alarm or widget', () => {
    assert.deepEqual(sinkResources(withoutSink), []);
    const [[, dashboard]] = resourcesOfType(withoutSink, 'AWS::CloudWatch::Dashboard');
    assert.doesNotMatch(dashboard.Properties.DashboardBody, /PostgreSQL|Postgres/);
  });

  it('the failures table (dead-lettered posts, streamed) is there either way', () => {
    for (const template of [withoutSink, withSink]) {
      const id = findBy(template, 'AWS::DynamoDB::Table', 'TableName', name(TABLES.failures.suffix));
      assert.equal(resource(template, id).Properties.StreamSpecification.StreamViewType, 'NEW_IMAGE');
    }
  });
});

describe('PostgreSQL sink: with its parameters', () => {
  const fnId = () => findBy(withSink, 'AWS::Lambda::Function', 'FunctionName', sinkName);
  const mappings = () =>
    resourcesOfType(withSink, 'AWS::Lambda::EventSourceMapping')
      .filter(([, m]) => refName(m.Properties.FunctionName).replace(/\.Arn$/, '') === fnId())
      .map(([, m]) => m.Properties);

  it('a function in the database VPC, configured by the parameters', () => {
    const props = resource(withSink, fnId()).Properties;
    assert.equal(props.Handler, 'handlers/postgres-sink.handler');
    assert.equal(props.Timeout, FUNCTIONS.postgresSink.timeoutSeconds);
    assert.deepEqual(props.VpcConfig, { SubnetIds: ['subnet-a', 'subnet-b'], SecurityGroupIds: ['sg-1'] });
    const env = props.Environment.Variables;
    assert.equal(env.POSTGRES_SECRET, SECRET);
    const sink = loadPostgresSink(env);
    assert.equal(sink.table, 'public.tweets');
    assert.equal(sink.columns.failure, 'sentiment_failure');
    assert.equal(sink.connection.secret, SECRET);
  });

  it('fed by the results and failures streams, retried, then the stream-failure queue', () => {
    const found = mappings();
    assert.deepEqual(found.map((m) => refName(m.EventSourceArn)).sort(), [
      'FailuresTable.StreamArn',
      'ResultsTable.StreamArn',
    ]);
    const settings = FUNCTIONS.postgresSink;
    const failureQueue = findBy(withSink, 'AWS::SQS::Queue', 'QueueName', name(QUEUES.streamFailures.suffix));
    for (const m of found) {
      assert.equal(m.BatchSize, settings.batchSize);
      assert.equal(m.MaximumBatchingWindowInSeconds, settings.maximumBatchingWindowSeconds);
      assert.equal(m.MaximumRetryAttempts, settings.maximumRetryAttempts);
      assert.equal(m.BisectBatchOnFunctionError, true);
      assert.equal(m.MaximumRecordAgeInSeconds, -1);
      assert.equal(m.StartingPosition, settings.startingPosition);
      assert.deepEqual(m.FunctionResponseTypes, ['ReportBatchItemFailures']);
      assert.equal(refName(m.DestinationConfig.OnFailure.Destination), `${failureQueue}.Arn`);
    }
  });

  it('least privilege: its streams, its secret, the failure queue, its logs, VPC network interfaces', () => {
    const role = refName(resource(withSink, fnId()).Properties.Role).replace(/\.Arn$/, '');
    const failureQueue = findBy(withSink, 'AWS::SQS::Queue', 'QueueName', name(QUEUES.streamFailures.suffix));
    const stream = (table: string) =>
      ['DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams'].map(
        (a) => `dynamodb:${a} ${table}.StreamArn`,
      );
    const eni = ['AssignPrivateIpAddresses', 'CreateNetworkInterface', 'DeleteNetworkInterface']
      .concat(['DescribeNetworkInterfaces', 'UnassignPrivateIpAddresses'])
      .map((a) => `ec2:${a} *`);
    assert.deepEqual(
      grantKeys(grants(roleStatements(withSink, role))),
      [
        ...stream('FailuresTable'),
        ...stream('ResultsTable'),
        ...eni,
        'logs:CreateLogStream PostgresSinkLogGroup.Arn',
        'logs:PutLogEvents PostgresSinkLogGroup.Arn',
        `secretsmanager:GetSecretValue ${SECRET}`,
        `sqs:SendMessage ${failureQueue}.Arn`,
      ].sort(),
    );
  });

  it('its own alarm (falling behind the streams) and dashboard widget', () => {
    const alarms = resourcesOfType(withSink, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .filter((a) => JSON.stringify(a.Dimensions).includes(sinkName));
    assert.equal(alarms.length, 1);
    assert.equal(alarms[0].MetricName, 'IteratorAge');
    assert.equal(alarms[0].Threshold, FUNCTIONS.postgresSink.iteratorAgeAlarmMs);
    const [[, dashboard]] = resourcesOfType(withSink, 'AWS::CloudWatch::Dashboard');
    const widgets = JSON.parse(dashboard.Properties.DashboardBody).widgets as Array<{
      properties: { metrics: unknown[][] };
    }>;
    const lines = widgets
      .flatMap((w) => w.properties.metrics ?? [])
      .map((line) => line.filter((p) => typeof p === 'string').join(' '));
    for (const metric of ['PostgresRowsUpdated', 'PostgresRowsNotUpdated'])
      assert.ok(
        lines.some((l) => l.includes(` ${metric} service ${SERVICE}`)),
        metric,
      );
    assert.ok(lines.includes(`AWS/Lambda IteratorAge FunctionName ${sinkName}`));
  });
});

describe('PostgreSQL sink: incomplete parameters', () => {
  it('a secret without the VPC parameters is refused, saying which to add', async () => {
    await assert.rejects(
      packageService({ stage: STAGE, region: REGION, params: { pgSecretArn: SECRET } }),
      /pgSubnetIds=subnet-a,subnet-b and --param pgSecurityGroupIds=sg-1/,
    );
  });
});
