#!/usr/bin/env node
// Loads a model folder the way the service does (transformers.js, local files only) in fp32 and q8, and
// checks that the two agree on the top label for >= 98% of the SemEval dev tweets (or of --file, under --data).
// Usage: node models/training/check-model.mjs --model models/impact-sentiment-v2 --data ../shared/data/sentiment
//   [--file REL]
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AutoModelForSequenceClassification, AutoTokenizer, env } from '@huggingface/transformers';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    file: { type: 'string', default: 'semeval2017-task4a-2013-2016/dev.jsonl' },
  },
});
if (!args.model || !args.data) {
  console.error('usage: check-model.mjs --model MODEL_DIR --data DATA_DIR');
  process.exit(2);
}
const modelDir = resolve(args.model);
env.localModelPath = dirname(modelDir);
env.allowRemoteModels = false;
// onnxruntime (under transformers.js) reports usage to Microsoft unless this is set before its first session, as the
// classifier sets it (src/config.ts, disableOnnxRuntimeTelemetry).
process.env.ORT_DISABLE_TELEMETRY ??= '1';
const id = basename(modelDir);
const texts = readFileSync(join(args.data, args.file), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l).text);

const tokenizer = await AutoTokenizer.from_pretrained(id);
async function topLabels(dtype) {
  const model = await AutoModelForSequenceClassification.from_pretrained(id, { dtype });
  const labels = [];
  for (let i = 0; i < texts.length; i += 64) {
    const inputs = tokenizer(texts.slice(i, i + 64), { padding: true, truncation: true });
    const { logits } = await model(inputs);
    for (const row of logits.tolist()) labels.push(row.indexOf(Math.max(...row)));
  }
  await model.dispose();
  return labels;
}
const fp32 = await topLabels('fp32');
const q8 = await topLabels('q8');
const agreement = fp32.filter((l, i) => l === q8[i]).length / fp32.length;
const ok = agreement >= 0.98;
console.log(
  `q8 vs fp32 top-label agreement on ${texts.length} texts of ${args.file}: ` +
    `${(100 * agreement).toFixed(2)}% ${ok ? 'OK' : 'BELOW 98%'}`,
);
const record = join(modelDir, 'training.json');
try {
  const training = JSON.parse(readFileSync(record, 'utf8'));
  training.quantization = {
    method: 'int8 dynamic (models/training/quantize.py)',
    devTopLabelAgreement: agreement,
    checkedOn: args.file,
  };
  writeFileSync(record, JSON.stringify(training, null, 2) + '\n');
} catch { /* no training record to annotate */ }
process.exit(ok ? 0 : 1);
