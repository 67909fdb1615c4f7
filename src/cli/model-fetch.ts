// npm run model:fetch -- <hub-id> [--fp32] [--base-url URL] [--revision REV] [--dir DIR]
// Fetches a hub model into MODEL_DIR/<hub-id>/ (src/models/fetch.ts does the work).
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { fetchModel } from '../models/fetch.js';
import { runCli } from './run.js';

const USAGE = `usage: npm run model:fetch -- <hub-id> [--fp32] [--base-url URL] [--revision REV] [--dir DIR]
  e.g. npm run model:fetch -- Xenova/twitter-roberta-base-sentiment-latest
  --fp32      also fetch onnx/model.onnx (default: only the q8 onnx/model_quantized.onnx)
  --base-url  hub address (default: $HF_ENDPOINT, else https://huggingface.co)
  --revision  branch, tag or commit to fetch (default: main)
  --dir       models directory (default: $MODEL_DIR)`;
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      fp32: { type: 'boolean' },
      'base-url': { type: 'string' },
      revision: { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return (console.log(USAGE), 0);
  if (positionals.length !== 1) return (console.error(USAGE), 2);
  const [hubId] = positionals;
  const config = loadConfig();
  const target = await fetchModel(hubId, {
    fp32: values.fp32 ?? false,
    baseUrl: values['base-url'] ?? config.hubEndpoint,
    revision: values.revision,
    dir: values.dir ?? config.model.dir,
    log: (line) => console.error(line),
  });
  console.log(
    `model ${hubId} saved to ${target}; use it with MODEL_ID=${hubId}${values.fp32 ? '' : ' (MODEL_DTYPE=q8)'}`,
  );
  return 0;
}

runCli(import.meta.url, 'model:fetch', main, { usage: USAGE });
