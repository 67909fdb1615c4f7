// The zips `osls package` builds: under Lambda's 250 MB unzipped limit, with the model and the linux-x64
// onnxruntime binding in classify's, without other platforms' binaries, and loadable as packaged.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import resourcesJson from '../../src/resources.json' with { type: 'json' };
import { cleanStaleCaches, packageService, type Packaged } from './package.js';
import { extractZip, listZip, unzippedSize, type ZipEntry } from './zip.js';
import { bundleChild } from '../../bench/cold-start.js';
import { AGREEMENT, NON_ENGLISH } from '../fixtures/sentences.js';
import { sqsRecord } from '../support/events.js';

/** Lambda's limit on a function's unzipped deployment package (and layers): 250 MB. */
const LAMBDA_UNZIPPED_LIMIT = 262_144_000;
const MODEL_DIR = `models/${resourcesJson.model.id}`;
/** The models classify routes the languages they cover to (MULTILINGUAL_MODEL_ID's list), shipped beside it. */
const ROUTED_DIRS = resourcesJson.model.multilingualIds.map((id) => `models/${id}`);
const MODEL_DIRS = [MODEL_DIR, ...ROUTED_DIRS];
/** The language detector's tables (src/config.ts languageDir: src/classifier/language-data.ts reads them). */
const LANGUAGE_DATA = [
  'models/language/latin-ngrams.bin',
  'models/language/hindustani.bin',
  'models/language/indonesian-malay.bin',
];
const MODEL_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/model.onnx',
  'onnx/model_quantized.onnx',
];
const ORT_LINUX_X64 = 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64';

let packaged: Packaged;
let classify: ZipEntry[];
let aggregate: ZipEntry[];
const names = (entries: ZipEntry[]) => entries.map((e) => e.name);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

before(async () => {
  cleanStaleCaches();
  packaged = await packageService({ stage: 'ci', region: 'us-east-1' });
  classify = listZip(packaged.zip('classify'));
  aggregate = listZip(packaged.zip('aggregate'));
});

describe('classify zip', () => {
  it("unzipped size stays under Lambda's 250 MB limit", (t) => {
    const size = unzippedSize(classify);
    const by = (prefix: string) => unzippedSize(classify.filter((e) => e.name.startsWith(prefix)));
    t.diagnostic(
      `classify unzipped ${mb(size)} (node_modules ${mb(by('node_modules/'))}, models ${mb(by('models/'))}, ` +
        `handlers ${mb(by('handlers/'))}); packaging took ${packaged.seconds || 'reused'} s`,
    );
    assert.ok(size < LAMBDA_UNZIPPED_LIMIT, `${mb(size)} unzipped`);
  });

  it('has the bundled handler', () => {
    assert.ok(names(classify).includes('handlers/classify.mjs'));
  });

  it(`has the models at ${MODEL_DIRS.join(', ')}, the language tables, and no training files`, () => {
    assert.ok(ROUTED_DIRS.length >= 2, 'both routed models (v1 and v2) are listed');
    for (const dir of MODEL_DIRS) {
      for (const file of MODEL_FILES) assert.ok(names(classify).includes(`${dir}/${file}`), `${dir}/${file} missing`);
    }
    for (const table of LANGUAGE_DATA) assert.ok(names(classify).includes(table), `${table} missing`);
    const shipped = new Set([...LANGUAGE_DATA, ...MODEL_DIRS.flatMap((dir) => MODEL_FILES.map((f) => `${dir}/${f}`))]);
    const extra = names(classify).filter((n) => n.startsWith('models/') && !shipped.has(n));
    assert.deepEqual(extra, []);
  });

  it('has the linux-x64 onnxruntime binding and library', () => {
    assert.ok(names(classify).includes(`${ORT_LINUX_X64}/onnxruntime_binding.node`));
    assert.ok(names(classify).some((n) => n.startsWith(`${ORT_LINUX_X64}/libonnxruntime.so`)));
  });

  it('has no darwin, win32 or arm64 binaries nor transformers.js, onnxruntime-web or sharp', () => {
    const foreign = names(classify).filter((n) => /(^|\/)(darwin|win32)(\/|-|$)|arm64|\.dll$|\.dylib$/.test(n));
    assert.deepEqual(foreign, []);
    // The tokenizer library is bundled into the handler; the only installed packages are onnxruntime's.
    const packages = new Set(
      names(classify)
        .filter((n) => n.startsWith('node_modules/'))
        .map((n) =>
          n
            .split('/')
            .slice(1, n.startsWith('node_modules/@') ? 3 : 2)
            .join('/'),
        ),
    );
    for (const name of ['@huggingface/transformers', '@huggingface/tokenizers', 'onnxruntime-web', 'sharp', '@img'])
      assert.ok(![...packages].some((p) => p === name || p.startsWith(`${name}/`)), `${name} is in the zip`);
    assert.ok(packages.has('onnxruntime-node') && packages.has('onnxruntime-common'), [...packages].join(', '));
  });
});

/**
 * Runs an ES module script in an unpacked package (cwd = LAMBDA_TASK_ROOT, dummy credentials, nothing else
 * from this environment) and returns the JSON it prints after RESULT.
 */
function runInPackage(dir: string, script: string, timeout: number): any {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      LAMBDA_TASK_ROOT: dir,
      AWS_REGION: 'us-east-1',
      STAGE: 'ci',
      AWS_ACCESS_KEY_ID: 'AKIANOTUSED000000000',
      AWS_SECRET_ACCESS_KEY: 'not-used',
    },
    timeout,
  });
  assert.equal(child.status, 0, child.stderr);
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, child.stdout);
  return JSON.parse(line.slice('RESULT '.length));
}

describe('classify zip, unpacked: runs from the package alone', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'impact-sentiment-classify-zip-'));
    extractZip(packaged.zip('classify'), dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Runs an ES module script in the unpacked package (cwd = LAMBDA_TASK_ROOT) and returns what it prints after
   * RESULT.
   */
  function inPackage(body: string): any {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(process.cwd() + '/');
      const path = require.resolve('onnxruntime-node');
      if (!path.startsWith(process.cwd())) throw new Error('onnxruntime-node resolved outside the package: ' + path);
      ${body}
    `;
    return runInPackage(dir, script, 120_000);
  }

  it('the bundled handler loads and answers SQS batches', () => {
    const out = inPackage(`
      const { handler } = await import(process.cwd() + '/handlers/classify.mjs');
      // Invocations that need no AWS call: an empty batch, and a malformed message with no DLQ configured.
      const context = { functionName: 'classify', awsRequestId: 'r',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:classify',
        memoryLimitInMB: '1769', functionVersion: '1', getRemainingTimeInMillis: () => 60000 };
      const record = ${JSON.stringify(sqsRecord('not json', { messageId: 'm-1', receiptHandle: 'h' }))};
      console.log('RESULT ' + JSON.stringify({
        empty: await handler({ Records: [] }, context),
        malformed: await handler({ Records: [record] }, context),
      }));
    `);
    assert.deepEqual(out.empty, { batchItemFailures: [] });
    assert.deepEqual(out.malformed, { batchItemFailures: [{ itemIdentifier: 'm-1' }] });
  });

  it('the classifier, bundled as the handler is, scores English and routed posts from the package', async () => {
    // The bench's cold-start child (getClassifier, then batches of 50) bundled inside the unpacked package, so
    // its onnxruntime resolves from the package's node_modules and its models from the package's models/.
    const child = await bundleChild(join(dir, 'check'));
    const texts = join(dir, 'check', 'texts.json');
    // A German post (hand-written) for v1; the fixtures' Arabic and audience languages for v2.
    const german = 'Das Essen war wirklich schrecklich, wir kommen nie wieder';
    writeFileSync(texts, JSON.stringify([...AGREEMENT, german, ...NON_ENGLISH.map((s) => s.text)]));
    const run = spawnSync(process.execPath, [child, texts], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, MODEL_DIR: join(dir, 'models'), ORT_THREADS: '1' },
      timeout: 120_000,
    });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '');
    assert.equal(result.method, 'transformer', run.stderr);
    assert.deepEqual(
      result.firstBatchModels.sort(),
      [resourcesJson.model.id, ...resourcesJson.model.multilingualIds].sort(),
    );
  });

  it('the packaged onnxruntime opens both packaged model files of both models', (t) => {
    const out = inPackage(`
      process.env.ORT_DISABLE_TELEMETRY = '1'; // as the classifier sets it (src/config.ts)
      const ort = require('onnxruntime-node');
      const models = {};
      for (const file of ['onnx/model_quantized.onnx', 'onnx/model.onnx']) {
        for (const dir of ${JSON.stringify(MODEL_DIRS)}) {
          const session = await ort.InferenceSession.create(dir + '/' + file);
          models[dir + '/' + file] = { inputs: session.inputNames, outputs: session.outputNames };
        }
      }
      console.log('RESULT ' + JSON.stringify(models));
    `);
    t.diagnostic(JSON.stringify(out));
    for (const file of MODEL_DIRS.flatMap((dir) => [`${dir}/onnx/model_quantized.onnx`, `${dir}/onnx/model.onnx`])) {
      assert.ok(out[file].inputs.includes('input_ids'), `${file} inputs ${out[file].inputs}`);
      assert.ok(out[file].outputs.includes('logits'), `${file} outputs ${out[file].outputs}`);
    }
  });
});

describe('aggregate zip', () => {
  it('has its handler and neither the model nor the model runtime', (t) => {
    t.diagnostic(`aggregate unzipped ${mb(unzippedSize(aggregate))}`);
    assert.ok(names(aggregate).includes('handlers/aggregate.mjs'));
    assert.deepEqual(
      names(aggregate).filter(
        (n) => n.startsWith('models/') || n.includes('onnxruntime') || n.includes('@huggingface'),
      ),
      [],
    );
    assert.ok(!names(aggregate).includes('handlers/classify.mjs'));
    assert.ok(unzippedSize(aggregate) < LAMBDA_UNZIPPED_LIMIT);
  });

  it('unpacked, the bundled handler loads and answers an empty stream batch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'impact-sentiment-aggregate-zip-'));
    try {
      extractZip(packaged.zip('aggregate'), dir);
      const answer = runInPackage(
        dir,
        `
        const { handler } = await import(process.cwd() + '/handlers/aggregate.mjs');
        const context = { functionName: 'aggregate', awsRequestId: 'r',
          invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:aggregate',
          memoryLimitInMB: '256', functionVersion: '1', getRemainingTimeInMillis: () => 30000 };
        console.log('RESULT ' + JSON.stringify(await handler({ Records: [] }, context)));
      `,
        60_000,
      );
      assert.deepEqual(answer, { batchItemFailures: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
