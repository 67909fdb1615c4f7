// The container-image switch (`--param deploy=image`) and the optional alarm notifications
// (`--param alarmEmail=...`), packaged together in one extra `osls package` run. Building the image itself
// needs Docker (osls builds ./Dockerfile when no classifyImageUri is given), so here classify points at
// an image digest, which osls accepts offline.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import resourcesJson from '../../src/resources.json' with { type: 'json' };
import { BUNDLE, FUNCTIONS, SERVICE } from '../../src/resources.js';
import { condition, findBy, isCreated, resolveIfs, resource, resourcesOfType } from './cfn.js';
import { ROOT, cleanStaleCaches, packageService, type Packaged } from './package.js';

// Also packaged for another region than the default, to check --region reaches everything region-bound.
const REGION = 'eu-west-1';
const IMAGE_URI = `123456789012.dkr.ecr.${REGION}.amazonaws.com/impact-sentiment-classify@sha256:${'ab'.repeat(32)}`;
const EMAIL = 'oncall@example.com';
let packaged: Packaged;

before(async () => {
  cleanStaleCaches();
  packaged = await packageService({
    stage: 'ci',
    region: REGION,
    params: { deploy: 'image', classifyImageUri: IMAGE_URI, alarmEmail: EMAIL },
  });
});

const fn = (name: string) =>
  resource(
    packaged.template,
    findBy(packaged.template, 'AWS::Lambda::Function', 'FunctionName', `${SERVICE}-ci-${name}`),
  );

describe('deploy=image', () => {
  it('classify is deployed from the container image, with the same memory, timeout, role and model id', () => {
    const props = fn('classify').Properties;
    assert.equal(props.PackageType, 'Image');
    assert.equal(props.Code.ImageUri, IMAGE_URI);
    assert.equal(props.Handler, undefined);
    assert.equal(props.Runtime, undefined);
    assert.deepEqual(props.Architectures, ['x86_64']);
    assert.equal(props.MemorySize, FUNCTIONS.classify.memorySizeMb);
    assert.equal(props.Timeout, FUNCTIONS.classify.timeoutSeconds);
    assert.equal(props.Environment.Variables.MODEL_ID, resourcesJson.model.id);
    assert.ok(props.Role);
    assert.equal(existsSync(packaged.zip('classify')), false, 'no classify zip in image mode');
  });

  it('aggregate stays a zip', () => {
    const props = fn('aggregate').Properties;
    assert.equal(props.PackageType, undefined);
    assert.equal(props.Handler, 'handlers/aggregate.handler');
    assert.equal(props.Runtime, 'nodejs24.x');
    assert.ok(existsSync(packaged.zip('aggregate')));
  });

  it('the classify SQS mapping is unchanged', () => {
    const [[, mapping]] = resourcesOfType(packaged.template, 'AWS::Lambda::EventSourceMapping').filter(([, m]) =>
      JSON.stringify(m.Properties.EventSourceArn).includes('ClassifyQueue'),
    );
    assert.equal(mapping.Properties.BatchSize, FUNCTIONS.classify.batchSize);
    assert.deepEqual(mapping.Properties.FunctionResponseTypes, ['ReportBatchItemFailures']);
  });

  it('Dockerfile: Lambda Node.js 24 base image, the sharp stub, MODEL_ID baked in, runs the classify handler', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^ARG BASE_IMAGE=public\.ecr\.aws\/lambda\/nodejs:24$/m);
    assert.match(
      dockerfile,
      /^COPY packages \.\/packages$/m,
      "npm ci resolves the sharp override (transformers.js's, a dev dependency) to packages/sharp-stub",
    );
    assert.match(dockerfile, new RegExp(`^ARG MODEL_ID=${resourcesJson.model.id}$`, 'm'));
    assert.match(
      dockerfile,
      /^COPY --from=build \/build\/models\/\$\{MODEL_ID\} \$\{LAMBDA_TASK_ROOT\}\/models\/\$\{MODEL_ID\}$/m,
    );
    const cmd = /^CMD \[(.*)\]$/m.exec(dockerfile);
    assert.ok(cmd);
    assert.deepEqual(JSON.parse(`[${cmd[1]}]`), ['handlers/classify.handler']);
    assert.match(dockerfile, /^RUN npx tsx src\/cli\/bundle\.ts dist\/handlers handlers\/classify\.ts$/m);
  });

  it("Dockerfile: the bundle step (without Docker) writes the handler as serverless.yml's settings do", () => {
    const step = /^RUN (npx tsx src\/cli\/bundle\.ts .*)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
    assert.ok(step, 'the bundle step');
    // The build stage's context: package.json, tsconfig, src and handlers, with the dev dependencies installed.
    const context = mkdtempSync(join(tmpdir(), 'image-bundle-'));
    try {
      for (const entry of ['package.json', 'tsconfig.json', 'src', 'handlers'])
        cpSync(join(ROOT, entry), join(context, entry), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(context, 'node_modules'));
      execFileSync('bash', ['-c', step[1]], { cwd: context, stdio: 'pipe', timeout: 120_000 });
      const bundle = readFileSync(join(context, 'dist/handlers/classify.mjs'), 'utf8');
      assert.ok(bundle.startsWith(BUNDLE.banner), 'starts with the require() banner');
      // The externals are imported at run time (classify imports onnxruntime-node), never bundled.
      assert.match(bundle, /import\("onnxruntime-node"\)/);
      for (const name of BUNDLE.external) assert.ok(!bundle.includes(`// node_modules/${name}/`), `${name} bundled`);
      assert.match(bundle, /\/\/# sourceMappingURL=classify\.mjs\.map\s*$/);
      assert.ok(existsSync(join(context, 'dist/handlers/classify.mjs.map')));
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
  });
});

describe('--region', () => {
  it("the dashboard shows the stack's region", () => {
    const [[, d]] = resourcesOfType(packaged.template, 'AWS::CloudWatch::Dashboard');
    const widgets: { properties: { region: string } }[] = JSON.parse(d.Properties.DashboardBody).widgets;
    assert.ok(widgets.length > 0);
    for (const w of widgets) assert.equal(w.properties.region, REGION);
  });
});

describe('alarmEmail', () => {
  it('creates an SNS topic with an email subscription to the given address', () => {
    const [[id, topic]] = resourcesOfType(packaged.template, 'AWS::SNS::Topic');
    assert.equal(isCreated(packaged.template, id), true);
    assert.equal(condition(packaged.template, 'AlarmNotifications'), true);
    assert.deepEqual(topic.Properties.Subscription, [{ Protocol: 'email', Endpoint: EMAIL }]);
    // CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed alias/aws/sns key.
    assert.notEqual(topic.Properties.KmsMasterKeyId, 'alias/aws/sns');
  });

  it('every alarm notifies the topic on ALARM and OK', () => {
    const [[topicId]] = resourcesOfType(packaged.template, 'AWS::SNS::Topic');
    const alarms = resourcesOfType(packaged.template, 'AWS::CloudWatch::Alarm');
    assert.ok(alarms.length >= 5);
    for (const [id, alarm] of alarms) {
      const props = resolveIfs(packaged.template, alarm.Properties) as Record<string, unknown>;
      assert.deepEqual(props.AlarmActions, [{ Ref: topicId }], id);
      assert.deepEqual(props.OKActions, [{ Ref: topicId }], id);
    }
  });
});
