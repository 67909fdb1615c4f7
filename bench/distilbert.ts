// The DistilBERT-shaped stand-in (random weights, production-sized) in models/.generated/, made on demand
// by test/fixtures/models/make-distilbert-shaped.py with the benchmarked model's tokenizer.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { log } from './measure.js';
import type { ModelRef } from './raw-ort.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
export const DISTILBERT_SHAPED: ModelRef = { dir: join(repoRoot, 'models', '.generated'), id: 'distilbert-shaped' };
const FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/model.onnx',
  'onnx/model_quantized.onnx',
  'torch/model.pt',
];

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Why the generated model is missing or stale (its tokenizer is not the benchmarked model's), or undefined. */
function staleReason(modelDir: string, tokenizerDir: string): string | undefined {
  const missing = FILES.filter((f) => !existsSync(join(modelDir, f)));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as {
    impact_sentiment?: { tokenizer_sha256?: string };
  };
  const wanted = sha256(join(tokenizerDir, 'tokenizer.json'));
  if (config.impact_sentiment?.tokenizer_sha256 !== wanted)
    return 'made with a different tokenizer than the benchmarked model';
  return undefined;
}

export type DistilbertShaped = { model: ModelRef; generated: boolean } | { skipped: string };

/** The model, generated first if needed; { skipped } when torch (Debian's python3-torch) is not available. */
export async function ensureDistilbertShaped(tokenizerFrom: ModelRef): Promise<DistilbertShaped> {
  const modelDir = join(DISTILBERT_SHAPED.dir, DISTILBERT_SHAPED.id);
  const tokenizerDir = join(tokenizerFrom.dir, tokenizerFrom.id);
  const reason = staleReason(modelDir, tokenizerDir);
  if (!reason) return { model: DISTILBERT_SHAPED, generated: false };
  try {
    await run(PYTHON, ['-c', 'import torch, onnx']);
  } catch {
    return {
      skipped:
        `${PYTHON} cannot import torch and onnx (apt-get install python3-torch python3-onnx): ` +
        'DistilBERT-shaped part skipped',
    };
  }
  log(`Generating the DistilBERT-shaped model in ${modelDir} (${reason}); this takes a minute or so ...`);
  const script = join(repoRoot, 'test', 'fixtures', 'models', 'make-distilbert-shaped.py');
  const started = performance.now();
  await run(PYTHON, [script, modelDir, '--tokenizer', tokenizerDir], { maxBuffer: 16 << 20 });
  log(`  generated in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const still = staleReason(modelDir, tokenizerDir);
  if (still) throw new Error(`make-distilbert-shaped.py finished but the model is still unusable: ${still}`);
  return { model: DISTILBERT_SHAPED, generated: true };
}
