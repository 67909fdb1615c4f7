import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import { getClassifier } from '../../src/classifier/index.js';
import { loadConfig } from '../../src/config.js';
import { logger } from '../../src/observability.js';

const root = mkdtempSync(join(tmpdir(), 'fallback-models-'));
after(() => rmSync(root, { recursive: true, force: true }));

// The English model's fallback alone: no multilingual model to route to in this folder.
const configFor = (id: string) =>
  loadConfig({ MODEL_DIR: root, MODEL_ID: id, MULTILINGUAL_MODEL_ID: 'none', ORT_THREADS: '1' });

/** Runs getClassifier with error logs captured; returns the classifier and what was logged. */
async function loadCapturingErrors(id: string) {
  const errorLog = mock.method(logger, 'error', () => {});
  try {
    const classifier = await getClassifier(configFor(id));
    return {
      classifier,
      logged: errorLog.mock.calls.map((c) =>
        c.arguments.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '),
      ),
    };
  } finally {
    errorLog.mock.restore();
  }
}

async function assertLexiconFallback(id: string, reason: RegExp): Promise<void> {
  const { classifier, logged } = await loadCapturingErrors(id);
  assert.equal(classifier.modelId, 'lexicon-afinn-165');
  const [result] = await classifier.classify(['What a wonderful, happy day!']);
  assert.equal(result.method, 'lexicon');
  assert.equal(result.label, 'positive');
  assert.equal(logged.length, 1, 'exactly one loud log line');
  assert.match(logged[0], /FALLING BACK TO LEXICON/);
  assert.match(logged[0], reason);
}

describe('getClassifier fallback', () => {
  it('falls back to the lexicon when the model directory is missing', async () => {
    await assertLexiconFallback('not-there', /Model not-there not found/);
  });

  it('falls back when the model files are broken', async () => {
    const dir = join(root, 'broken');
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    copyFileSync(new URL('../fixtures/label-configs/three-class.json', import.meta.url), join(dir, 'config.json'));
    writeFileSync(join(dir, 'tokenizer.json'), '{ not json');
    writeFileSync(join(dir, 'tokenizer_config.json'), '{}');
    writeFileSync(join(dir, 'onnx', 'model_quantized.onnx'), 'not an onnx graph');
    await assertLexiconFallback('broken', /"error":/);
  });

  it('falls back, naming the labels, when the model has an unsupported label set', async () => {
    const dir = join(root, 'emotions');
    mkdirSync(dir, { recursive: true });
    copyFileSync(new URL('../fixtures/label-configs/unknown-emotions.json', import.meta.url), join(dir, 'config.json'));
    await assertLexiconFallback('emotions', /Unsupported label set \[anger, joy, optimism, sadness\]/);
  });

  it('loads once per process: the same configuration gets the same classifier', async () => {
    const { classifier: first } = await loadCapturingErrors('not-there-either');
    const { classifier: second, logged } = await loadCapturingErrors('not-there-either');
    assert.equal(first, second);
    assert.deepEqual(logged, [], 'the second call neither reloads nor logs');
  });
});
