// The production hub models' shapes end to end, offline: tiny stand-ins in each repository's real layout and
// tokenizer type (make-hub-shaped.py) are served by a local mock of the hub; for each, `npm run model:fetch`
// downloads it with HF_ENDPOINT pointing there, then the classifier loads it with MODEL_ID set to the hub id,
// classifies, and `npm run eval` scores a small fixture of cue-word sentences (written for this test).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadTransformerClassifier } from '../../../src/classifier/transformer.js';
import { loadConfig } from '../../../src/config.js';
import { ensureHubModels, HUB_MODELS, HUB_MODELS_DIR, hubModelsUnavailable } from '../../support/hub-models.js';
import { startMockHub, type MockHub } from '../../support/mock-hub.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cues = fileURLToPath(new URL('../../fixtures/hub-cues.jsonl', import.meta.url));
const unavailable = hubModelsUnavailable();

function runCli(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 180_000 },
      (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('hub-shaped models, fetched from a mock hub', { skip: unavailable }, () => {
  let hub: MockHub;
  let dir: string;

  before(async () => {
    hub = await startMockHub(await ensureHubModels());
    dir = mkdtempSync(join(tmpdir(), 'hub-models-'));
  });
  after(async () => {
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const envFor = (id: string) => ({
    MODEL_DIR: dir,
    MODEL_ID: id,
    ORT_THREADS: '1',
    MULTILINGUAL_MODEL_ID: 'none',
    HF_ENDPOINT: hub.url,
  });

  for (const model of HUB_MODELS) {
    describe(`${model.id} (${model.tokenizer}, ${model.scheme})`, () => {
      it('model:fetch downloads the transformers.js files from HF_ENDPOINT, and only those', async () => {
        hub.requests.length = 0;
        const result = await runCli('src/cli/model-fetch.ts', [model.id, '--fp32', '--dir', dir], envFor(model.id));
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stderr, new RegExp(`labels: ${model.scheme} `));
        assert.match(result.stdout, new RegExp(`use it with MODEL_ID=${model.id}`));
        const base = `/${model.id}/resolve/main/`;
        // The .onnx files come through the hub's redirect to its CDN, as on huggingface.co.
        assert.deepEqual(hub.requests, [
          `GET ${base}config.json`,
          `GET ${base}tokenizer.json`,
          `GET ${base}tokenizer_config.json`,
          `GET ${base}onnx/model_quantized.onnx`,
          `GET /cdn/${model.id}/onnx/model_quantized.onnx`,
          `GET ${base}onnx/model.onnx`,
          `GET /cdn/${model.id}/onnx/model.onnx`,
        ]);
        assert.deepEqual(readdirSync(join(dir, model.id, 'onnx')).sort(), ['model.onnx', 'model_quantized.onnx']);
        assert.deepEqual(
          readFileSync(join(dir, model.id, 'tokenizer.json')),
          readFileSync(join(HUB_MODELS_DIR, model.id, 'tokenizer.json')),
        );
      });

      for (const dtype of ['q8', 'fp32'] as const) {
        it(`classifies as MODEL_ID (${dtype}): cue words land on our labels, probabilities sum to 1`, async () => {
          const classifier = await loadTransformerClassifier(loadConfig({ ...envFor(model.id), MODEL_DTYPE: dtype }));
          assert.equal(classifier.scheme.kind, model.scheme);
          assert.equal(
            classifier.maxTokens,
            512,
            'the position table, not the tokenizer, bounds RoBERTa-family lengths',
          );
          const [good, bad, okay, long] = await classifier.classify([
            'This is good!',
            'that was bad',
            'it was okay',
            `${'good '.repeat(600)}`,
          ]);
          assert.equal(good.label, 'positive');
          assert.equal(bad.label, 'negative');
          assert.equal(okay.label, 'neutral');
          assert.equal(long.label, 'positive');
          assert.equal(long.flags.truncated, true);
          for (const s of [good, bad, okay, long]) {
            const { negative, neutral, positive } = s.probabilities;
            assert.ok(Math.abs(negative + neutral + positive - 1) < 1e-5, JSON.stringify(s.probabilities));
            assert.equal(s.modelId, model.id);
          }
        });
      }

      it('npm run eval scores the cue fixture through it', async () => {
        const result = await runCli('src/cli/eval.ts', ['--data', cues, '--json'], envFor(model.id));
        assert.equal(result.status, 0, result.stderr);
        const report = JSON.parse(result.stdout);
        assert.equal(report.model, model.id);
        assert.equal(report.n, 20);
        assert.equal(report.scoring, 'three-class');
        assert.equal(report.macroRecall, 1, JSON.stringify(report.confusion));
      });
    });
  }

  it('npm run classify --model <org/name> answers with the fetched multilingual model', async () => {
    const id = 'onnx-community/twitter-xlm-roberta-base-sentiment-ONNX';
    const result = await runCli(
      'src/cli/classify.ts',
      ['--json', '--model', id, 'muy bueno', 'très mauvais'],
      envFor('impact-sentiment-v2'),
    );
    assert.equal(result.status, 0, result.stderr);
    const [good, bad] = JSON.parse(result.stdout) as { sentiment: { label: string; modelId: string } }[];
    assert.deepEqual([good.sentiment.label, bad.sentiment.label], ['positive', 'negative']);
    assert.equal(good.sentiment.modelId, id);
  });

  it('model:fetch fails clearly for a repository the hub does not have', async () => {
    const result = await runCli(
      'src/cli/model-fetch.ts',
      ['Xenova/twitter-xlm-roberta-base-sentiment', '--dir', dir],
      envFor('x'),
    );
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /model:fetch: .*\/Xenova\/twitter-xlm-roberta-base-sentiment\/resolve\/main\/config\.json answered HTTP 401/,
    );
  });
});
