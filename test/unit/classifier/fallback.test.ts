import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import { getClassifier } from '../../../src/classifier/index.js';
import { loadConfig } from '../../../src/config.js';
import { logger } from '../../../src/observability.js';

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

/** The default model's two tokenizer files, into `dir`. */
function copyShippedTokenizer(dir: string): void {
  const shipped = new URL(`../../../models/${loadConfig().model.id}/`, import.meta.url);
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(new URL(file, shipped), join(dir, file));
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

  it('falls back when the graph is broken', async () => {
    const dir = join(root, 'broken');
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    copyFileSync(new URL('../../fixtures/label-configs/three-class.json', import.meta.url), join(dir, 'config.json'));
    copyShippedTokenizer(dir);
    writeFileSync(join(dir, 'onnx', 'model_quantized.onnx'), 'not an onnx graph');
    await assertLexiconFallback('broken', /Load model from .*broken\/onnx\/model_quantized\.onnx failed/);
  });

  it('falls back, naming the file, when a JSON file of the model is not JSON', async () => {
    for (const [id, broken] of [
      ['config-not-json', 'config.json'],
      ['tokenizer-not-json', 'tokenizer.json'],
    ]) {
      const dir = join(root, id);
      mkdirSync(join(dir, 'onnx'), { recursive: true });
      copyFileSync(new URL('../../fixtures/label-configs/three-class.json', import.meta.url), join(dir, 'config.json'));
      copyShippedTokenizer(dir);
      writeFileSync(join(dir, broken), '{ "id2label": ');
      const file = broken.replace('.', '\\.');
      await assertLexiconFallback(id, new RegExp(`Model ${id} in .*: ${file} is not JSON \\(`));
    }
  });

  it('falls back, naming the labels, when the model has an unsupported label set', async () => {
    const dir = join(root, 'emotions');
    mkdirSync(dir, { recursive: true });
    copyFileSync(
      new URL('../../fixtures/label-configs/unknown-emotions.json', import.meta.url),
      join(dir, 'config.json'),
    );
    await assertLexiconFallback('emotions', /Unsupported label set \[anger, joy, optimism, sadness\]/);
  });

  it('falls back, naming the file, when the tokenizer is missing', async () => {
    const dir = join(root, 'no-tokenizer');
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    copyFileSync(new URL('../../fixtures/label-configs/three-class.json', import.meta.url), join(dir, 'config.json'));
    // Both tokenizer files are missing: the log names both, in order, not whichever read failed first.
    await assertLexiconFallback(
      'no-tokenizer',
      /Model no-tokenizer in .*: no tokenizer\.json \(ENOENT\), no tokenizer_config\.json \(ENOENT\); expected/,
    );
  });

  it('names only the missing tokenizer file when the other is there', async () => {
    const dir = join(root, 'no-tokenizer-config');
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    copyFileSync(new URL('../../fixtures/label-configs/three-class.json', import.meta.url), join(dir, 'config.json'));
    writeFileSync(join(dir, 'tokenizer.json'), '{}');
    await assertLexiconFallback(
      'no-tokenizer-config',
      /Model no-tokenizer-config in .*: no tokenizer_config\.json \(ENOENT\); expected/,
    );
  });

  it('falls back, naming what is missing, when the graph is not a sequence classifier', async () => {
    const dir = join(root, 'identity-graph');
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    copyFileSync(new URL('../../fixtures/label-configs/three-class.json', import.meta.url), join(dir, 'config.json'));
    copyShippedTokenizer(dir);
    writeFileSync(join(dir, 'onnx', 'model_quantized.onnx'), identityGraph());
    await assertLexiconFallback(
      'identity-graph',
      /not a sequence-classification graph: no input input_ids, input attention_mask, output logits/,
    );
  });

  it('loads once per process: the same configuration gets the same classifier', async () => {
    const { classifier: first } = await loadCapturingErrors('not-there-either');
    const { classifier: second, logged } = await loadCapturingErrors('not-there-either');
    assert.equal(first, second);
    assert.deepEqual(logged, [], 'the second call neither reloads nor logs');
  });
});

/** A valid ONNX model that is no classifier: y = Identity(x), float [1]. Protobuf written by hand (onnx.proto3). */
function identityGraph(): Buffer {
  const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);
  const field = (number: number, bytes: number[] | string): number[] => {
    const body = typeof bytes === 'string' ? [...Buffer.from(bytes)] : bytes;
    return [...varint((number << 3) | 2), ...varint(body.length), ...body];
  };
  const int = (number: number, value: number): number[] => [...varint(number << 3), ...varint(value)];
  // TypeProto.tensor_type { elem_type FLOAT, shape { dim { dim_value 1 } } }
  const floatOne = field(1, [...int(1, 1), ...field(2, field(1, int(1, 1)))]);
  const valueInfo = (name: string) => [...field(1, name), ...field(2, floatOne)];
  const node = [...field(1, 'x'), ...field(2, 'y'), ...field(4, 'Identity')];
  const graph = [...field(1, node), ...field(2, 'g'), ...field(11, valueInfo('x')), ...field(12, valueInfo('y'))];
  return Buffer.from([...int(1, 8), ...field(7, graph), ...field(8, int(2, 13))]);
}
