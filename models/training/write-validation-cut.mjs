#!/usr/bin/env node
// Writes the validation cut of the audience files (validation-cut.mjs: the rule the multilingual model was selected
// by) as JSONL files outside the repository, for `npm run eval` and the language bench:
//   node models/training/write-validation-cut.mjs --data ../shared/data/sentiment --out /tmp/audience-val
// writes OUT/<file>-val.jsonl for each audience file (rows as they are: text, label, language; Roman Urdu's
// language is `urd`). The data's texts may never be committed: write the cut outside the repository.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readJsonl } from './common.mjs';
import { AUDIENCE_FILES } from './audience-files.mjs';
import { isValidationRow } from './validation-cut.mjs';

const { values: args } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' } } });
if (!args.data || !args.out) {
  console.error('usage: write-validation-cut.mjs --data DATA_DIR --out DIR (outside the repository)');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });
for (const [name, rel] of Object.entries(AUDIENCE_FILES)) {
  const rows = readJsonl(join(args.data, rel)).filter((row) => isValidationRow(row.text));
  const path = join(args.out, `${name}-val.jsonl`);
  writeFileSync(path, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  console.log(`${path}: ${rows.length} rows`);
}
