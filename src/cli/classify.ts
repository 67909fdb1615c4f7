// npm run classify -- [--json] [--model ID] [--dtype q8|fp32] "some text" ...
// Prints each text's Sentiment. With no texts, reads one text per line from stdin.
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { getClassifier } from '../classifier/index.js';
import type { Sentiment } from '../domain/sentiment.js';
import { UsageError } from '../errors.js';
import { runCli } from './run.js';

const USAGE = `usage: npm run classify -- [--json] [--model ID] [--dtype q8|fp32] "text" ["text" ...]
  (no texts: one text per line from stdin)
  --json    one JSON array of {text, sentiment} on stdout
  --model   model directory name under MODEL_DIR (default: $MODEL_ID)
  --dtype   q8 (default) or fp32`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      model: { type: 'string' },
      dtype: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return (console.log(USAGE), 0);
  const config = withModel(loadConfig(), values.model, values.dtype);
  const texts = positionals.length > 0 ? positionals : await readStdinLines();
  if (texts.length === 0) return (console.error(USAGE), 2);

  const classifier = await getClassifier(config);
  const results = await classifier.classify(texts);
  if (values.json) {
    console.log(
      JSON.stringify(
        texts.map((text, i) => ({ text, sentiment: results[i] })),
        null,
        2,
      ),
    );
  } else {
    texts.forEach((text, i) => console.log(formatSentiment(text, results[i])));
  }
  return 0;
}

export function withModel(config: Config, id: string | undefined, dtype: string | undefined): Config {
  if (dtype !== undefined && dtype !== 'q8' && dtype !== 'fp32')
    throw new UsageError(`--dtype must be q8 or fp32, got "${dtype}"`);
  return { ...config, model: { ...config.model, id: id ?? config.model.id, dtype: dtype ?? config.model.dtype } };
}

function formatSentiment(text: string, s: Sentiment): string {
  const p = s.probabilities;
  const flags = Object.entries(s.flags)
    .map(([key, value]) => (value === true ? key : `${key}=${value}`))
    .join(' ');
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return [
    `${s.label.padEnd(8)} ${s.score >= 0 ? '+' : ''}${s.score.toFixed(3)}`,
    `neg ${p.negative.toFixed(2)} neu ${p.neutral.toFixed(2)} pos ${p.positive.toFixed(2)}`,
    `${s.method}:${s.modelId}`,
    flags ? `[${flags}]` : '',
    JSON.stringify(shown),
  ]
    .filter(Boolean)
    .join('  ');
}

async function readStdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) return [];
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
}

runCli(import.meta.url, 'classify', main, { usage: USAGE });
