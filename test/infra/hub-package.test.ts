// A hub model through packaging, offline: fetched by model:fetch from the mock hub (test/support/mock-hub.ts),
// then `osls package --param modelId=<hub id>` for the zip (the Unigram XLM-R stand-in, the multilingual
// production model's shape, with its org/name folder) and for deploy=image (the BPE twitter-roberta stand-in).
// Two osls runs, so the other tokenizer families are not packaged: packaging only copies models/<modelId>/, the
// same files for every family, and test/unit/classifier/hub-models.test.ts loads each family from those files.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fetchModel, filesToFetch } from '../../src/models/fetch.js';
import { bundleChild } from '../../bench/cold-start.js';
import { SERVICE } from '../../src/resources.js';
import { ensureHubModels, hubModelsUnavailable } from '../support/hub-models.js';
import { startMockHub, type MockHub } from '../support/mock-hub.js';
import { findBy, resource } from './cfn.js';
import { ROOT, cleanStaleCaches, packageService, type Packaged } from './package.js';
import { extractZip, listZip } from './zip.js';

const ZIP_MODEL = 'onnx-community/twitter-xlm-roberta-base-sentiment-ONNX';
const IMAGE_MODEL = 'Xenova/twitter-roberta-base-sentiment-latest';
const IMAGE_URI = `123456789012.dkr.ecr.us-east-1.amazonaws.com/impact-sentiment-classify@sha256:${'cd'.repeat(32)}`;

describe('hub models packaged with --param modelId', { skip: hubModelsUnavailable() }, () => {
  let hub: MockHub;
  let models: string;
  let zip: Packaged;
  let image: Packaged;

  before(async () => {
    cleanStaleCaches();
    hub = await startMockHub(await ensureHubModels());
    models = mkdtempSync(join(tmpdir(), 'hub-package-models-'));
    for (const id of [ZIP_MODEL, IMAGE_MODEL])
      await fetchModel(id, { fp32: false, baseUrl: hub.url, dir: models, log: () => {} });
    zip = await packageService({ stage: 'ci', params: { modelId: ZIP_MODEL }, modelsDir: models });
    image = await packageService({
      stage: 'ci',
      params: { deploy: 'image', modelId: IMAGE_MODEL, classifyImageUri: IMAGE_URI },
      modelsDir: models,
    });
  });
  after(async () => {
    await hub?.close();
    if (models) rmSync(models, { recursive: true, force: true });
  });

  const classify = (p: Packaged) =>
    resource(p.template, findBy(p.template, 'AWS::Lambda::Function', 'FunctionName', `${SERVICE}-ci-classify`))
      .Properties;

  it('zip: classify gets MODEL_ID=<hub id> and exactly the fetched model files under models/<org>/<name>/', (t) => {
    t.diagnostic(`osls package took ${zip.seconds || 'reused'} s (zip), ${image.seconds || 'reused'} s (image)`);
    assert.equal(classify(zip).Environment.Variables.MODEL_ID, ZIP_MODEL);
    const inZip = listZip(zip.zip('classify'))
      .map((e) => e.name)
      .filter((n) => n.startsWith('models/'))
      .sort();
    assert.deepEqual(
      inZip,
      filesToFetch(false)
        .map((f) => `models/${ZIP_MODEL}/${f}`)
        .sort(),
    );
  });

  it('zip, unpacked: the classifier, bundled as the handler is, scores with the packaged model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-package-zip-'));
    try {
      extractZip(zip.zip('classify'), dir);
      // The bench's cold-start child, bundled inside the unpacked package: the package's onnxruntime and model.
      const child = await bundleChild(join(dir, 'check'));
      const texts = join(dir, 'check', 'texts.json');
      writeFileSync(texts, JSON.stringify(['this is good', 'this is bad', 'it was okay']));
      const run = spawnSync(process.execPath, [child, texts], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
        env: { PATH: process.env.PATH, MODEL_ID: ZIP_MODEL, MULTILINGUAL_MODEL_ID: 'none', MODEL_DIR: `${dir}/models` },
      });
      assert.equal(run.status, 0, run.stderr);
      const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '');
      assert.equal(result.method, 'transformer', run.stderr);
      assert.deepEqual(result.firstBatchModels, [ZIP_MODEL]);
      assert.deepEqual(result.firstBatchLabels, ['positive', 'negative', 'neutral']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deploy=image: classify runs the image with MODEL_ID=<hub id>, no classify zip', () => {
    const props = classify(image);
    assert.equal(props.PackageType, 'Image');
    assert.equal(props.Code.ImageUri, IMAGE_URI);
    assert.equal(props.Environment.Variables.MODEL_ID, IMAGE_MODEL);
  });

  it("deploy=image: the Dockerfile's fetch step (without Docker) gets a hub MODEL_ID from HF_ENDPOINT", async () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
    assert.match(dockerfile, /^ARG HF_ENDPOINT=https:\/\/huggingface\.co$/m);
    const step = /^RUN (if \[ ! -f "models\/\$\{MODEL_ID\}\/config\.json" \].*)$/m.exec(dockerfile);
    assert.ok(step, 'the fetch step');
    // The build context's layout: package.json, node_modules, src and models/ (without the hub model).
    const context = mkdtempSync(join(tmpdir(), 'hub-package-context-'));
    try {
      // Copied, not linked: the CLI runs only when started as itself (import.meta.url is the real path).
      for (const entry of ['package.json', 'src', 'tsconfig.json'])
        cpSync(join(ROOT, entry), join(context, entry), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(context, 'node_modules'));
      mkdirSync(join(context, 'models'));
      // Asynchronously: the mock hub lives in this process and must keep serving.
      const run = await new Promise<{ status: number; output: string }>((resolve) => {
        execFile(
          'bash',
          ['-c', step[1]],
          {
            cwd: context,
            encoding: 'utf8',
            timeout: 120_000,
            env: { ...process.env, MODEL_ID: IMAGE_MODEL, HF_ENDPOINT: hub.url },
          },
          (error, stdout, stderr) => resolve({ status: error ? 1 : 0, output: `${stdout}\n${stderr}` }),
        );
      });
      assert.equal(run.status, 0, run.output);
      assert.deepEqual(JSON.parse(readFileSync(join(context, 'models', IMAGE_MODEL, 'config.json'), 'utf8')).id2label, {
        0: 'negative',
        1: 'neutral',
        2: 'positive',
      });
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
  });
});
