// The tiny hub-shaped models (test/fixtures/models/make-hub-shaped.py), generated once into the git-ignored
// models/.generated/hub/ and regenerated when the script changes. Needs /usr/bin/python3 with torch, onnx and
// sentencepiece (.ci/run installs them); without them the tests that use these models skip, saying why.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withFileLock } from './file-lock.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(ROOT, 'test/fixtures/models/make-hub-shaped.py');
const PYTHON = '/usr/bin/python3';
export const HUB_MODELS_DIR = join(ROOT, 'models/.generated/hub');

/** Each model: its hub id, its tokenizer type and what its cue words should come out as. */
export const HUB_MODELS = [
  {
    id: 'Xenova/distilbert-base-uncased-finetuned-sst-2-english',
    tokenizer: 'WordPiece',
    scheme: 'binary',
    onnxInputs: 2,
  },
  { id: 'Xenova/twitter-roberta-base-sentiment-latest', tokenizer: 'BPE', scheme: 'three-class', onnxInputs: 2 },
  { id: 'onnx-community/twitter-roberta-base-sentiment-ONNX', tokenizer: 'BPE', scheme: 'three-class', onnxInputs: 2 },
  {
    id: 'onnx-community/twitter-xlm-roberta-base-sentiment-ONNX',
    tokenizer: 'Unigram',
    scheme: 'three-class',
    onnxInputs: 2,
  },
  {
    id: 'Xenova/bert-base-multilingual-uncased-sentiment',
    tokenizer: 'WordPiece',
    scheme: 'star-rating',
    onnxInputs: 3,
  },
] as const;

/** Why the models cannot be made here, or undefined when they can. */
export function hubModelsUnavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx, sentencepiece'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    return (
      `${PYTHON} cannot import torch, onnx and sentencepiece ` +
      '(apt-get install python3-torch python3-onnx python3-sentencepiece): ' +
      `${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}`
    );
  }
  return undefined;
}

/** Generates the models unless an up-to-date set is there; returns the directory holding <org>/<name>/. */
export async function ensureHubModels(): Promise<string> {
  const stamp = join(HUB_MODELS_DIR, '.script-sha256');
  const want = createHash('sha256').update(readFileSync(SCRIPT)).digest('hex');
  mkdirSync(dirname(HUB_MODELS_DIR), { recursive: true });
  return withFileLock(`${HUB_MODELS_DIR}.lock`, () => {
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return HUB_MODELS_DIR;
    rmSync(HUB_MODELS_DIR, { recursive: true, force: true });
    const run = spawnSync(PYTHON, [SCRIPT, HUB_MODELS_DIR], { encoding: 'utf8', timeout: 170_000 });
    if (run.status !== 0)
      throw new Error(`make-hub-shaped.py failed (${run.status ?? run.signal}):\n${run.stderr.slice(-3000)}`);
    writeFileSync(stamp, want);
    return HUB_MODELS_DIR;
  });
}
