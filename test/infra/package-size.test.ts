// The zips `osls package` builds: under Lambda's 250 MB unzipped limit, with the model and the linux-x64
// onnxruntime binding in classify's, without other platforms' binaries, and loadable as packaged.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import resourcesJson from '../../src/resources.json' with { type: 'json' };
import { cleanStaleCaches, packageService, type Packaged } from './package.js';
import { extractZip, listZip, unzippedSize, type ZipEntry } from './zip.js';

/** Lambda's limit on a function's unzipped deployment package (and layers): 250 MB. */
const LAMBDA_UNZIPPED_LIMIT = 262_144_000;
const MODEL_DIR = `models/${resourcesJson.model.id}`;
const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx'];
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
  it('unzipped size stays under Lambda\'s 250 MB limit', (t) => {
    const size = unzippedSize(classify);
    const by = (prefix: string) => unzippedSize(classify.filter((e) => e.name.startsWith(prefix)));
    t.diagnostic(`classify unzipped ${mb(size)} (node_modules ${mb(by('node_modules/'))}, models ${mb(by('models/'))}, ` +
      `handlers ${mb(by('handlers/'))}); packaging took ${packaged.seconds || 'reused'} s`);
    assert.ok(size < LAMBDA_UNZIPPED_LIMIT, `${mb(size)} unzipped`);
  });

  it('has the bundled handler', () => {
    assert.ok(names(classify).includes('handlers/classify.mjs'));
  });

  it(`has the model at ${MODEL_DIR} ($LAMBDA_TASK_ROOT/models/<MODEL_ID>) and no training files`, () => {
    for (const file of MODEL_FILES) assert.ok(names(classify).includes(`${MODEL_DIR}/${file}`), `${MODEL_DIR}/${file} missing`);
    const extra = names(classify).filter((n) => n.startsWith('models/') && !MODEL_FILES.some((f) => n === `${MODEL_DIR}/${f}`));
    assert.ok(extra.every((n) => !/training|checkpoint|\.py$|\.safetensors$|\.bin$/.test(n)), `training files: ${extra.join(', ')}`);
  });

  it('has the linux-x64 onnxruntime binding and library', () => {
    assert.ok(names(classify).includes(`${ORT_LINUX_X64}/onnxruntime_binding.node`));
    assert.ok(names(classify).some((n) => n.startsWith(`${ORT_LINUX_X64}/libonnxruntime.so`)));
  });

  it('has no darwin, win32 or arm64 binaries, no onnxruntime-web runtime, only linux-x64 sharp', () => {
    const foreign = names(classify).filter((n) => /(^|\/)(darwin|win32)(\/|-|$)|arm64|\.dll$|\.dylib$/.test(n));
    assert.deepEqual(foreign, []);
    const web = names(classify).filter((n) => n.startsWith('node_modules/onnxruntime-web/') && /\.(wasm|m?js)$/.test(n) &&
      !n.startsWith('node_modules/onnxruntime-web/node_modules/'));
    assert.deepEqual(web, []);
    const img = [...new Set(names(classify).filter((n) => n.startsWith('node_modules/@img/sharp-')).map((n) => n.split('/')[2]))].sort();
    assert.deepEqual(img, ['sharp-libvips-linux-x64', 'sharp-linux-x64']);
  });

  it('loads as packaged: the handler imports and onnxruntime opens the packaged model from the package alone', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'impact-sentiment-classify-zip-'));
    try {
      extractZip(packaged.zip('classify'), dir);
      const script = `
        import { createRequire } from 'node:module';
        const require = createRequire(process.cwd() + '/');
        const ortPath = require.resolve('onnxruntime-node');
        if (!ortPath.startsWith(process.cwd())) throw new Error('onnxruntime-node resolved outside the package: ' + ortPath);
        const { handler } = await import(process.cwd() + '/handlers/classify.mjs');
        const ort = require('onnxruntime-node');
        const out = { handler: typeof handler, ortPath, models: {} };
        for (const file of ['onnx/model_quantized.onnx', 'onnx/model.onnx']) {
          const session = await ort.InferenceSession.create('${MODEL_DIR}/' + file);
          out.models[file] = { inputs: session.inputNames, outputs: session.outputNames };
        }
        const transformers = await import('@huggingface/transformers');
        out.transformers = typeof transformers.AutoModelForSequenceClassification;
        console.log(JSON.stringify(out));
      `;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: dir, AWS_REGION: 'us-east-1', STAGE: 'ci' },
        timeout: 120_000,
      });
      assert.equal(child.status, 0, child.stderr);
      const out = JSON.parse(child.stdout.trim().split('\n').pop()!);
      t.diagnostic(JSON.stringify(out.models));
      assert.equal(out.handler, 'function');
      assert.equal(out.transformers, 'function');
      for (const file of ['onnx/model_quantized.onnx', 'onnx/model.onnx']) {
        assert.ok(out.models[file].inputs.includes('input_ids'), `${file} inputs ${out.models[file].inputs}`);
        assert.ok(out.models[file].outputs.includes('logits'), `${file} outputs ${out.models[file].outputs}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('aggregate zip', () => {
  it('has its handler and neither the model nor the model runtime', (t) => {
    t.diagnostic(`aggregate unzipped ${mb(unzippedSize(aggregate))}`);
    assert.ok(names(aggregate).includes('handlers/aggregate.mjs'));
    assert.deepEqual(names(aggregate).filter((n) => n.startsWith('models/') || n.includes('onnxruntime') || n.includes('@huggingface')), []);
    assert.ok(!names(aggregate).includes('handlers/classify.mjs'));
    assert.ok(unzippedSize(aggregate) < LAMBDA_UNZIPPED_LIMIT);
  });
});
